"""API shapes of the tenders service: XIn / XUpdate / XOut."""
