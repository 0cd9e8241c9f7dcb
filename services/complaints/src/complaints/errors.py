"""Problem types of the complaints service."""
