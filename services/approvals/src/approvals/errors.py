"""Problem types of the approvals service."""
