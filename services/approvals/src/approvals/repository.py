"""Approvals queries. Never commits: the service function owns the transaction."""
