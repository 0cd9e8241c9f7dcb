"""The events the tenders service emits, built from its rows."""
