"""API shapes of the complaints service: XIn / XUpdate / XOut."""
