"""API shapes of the complaints service, a module per subdomain (``reports``, ``imports``)."""
