"""API shapes of the approvals service: XIn / XUpdate / XOut."""
