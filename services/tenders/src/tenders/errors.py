"""Problem types of the tenders service."""
