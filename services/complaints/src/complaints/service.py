"""Complaints use cases. No FastAPI here; session first, the rest keyword-only; each commits once."""
