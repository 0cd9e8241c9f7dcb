"""API shapes of the funds service, one module per subdomain: XIn (what a client sends), XOut (what it
gets), filters."""
