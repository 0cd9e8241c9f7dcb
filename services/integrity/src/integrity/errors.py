"""Problem types of the integrity service."""
