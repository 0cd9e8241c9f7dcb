"""API shapes, one module per subdomain (XIn what a client sends, XOut what it gets, filters)."""
