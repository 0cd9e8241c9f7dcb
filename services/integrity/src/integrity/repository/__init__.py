"""Queries, one module per subdomain. Never commits: the use case (or the consumer's dispatcher) owns the
transaction."""
