"""Readers of real external formats (a bureau's hotline records)."""
