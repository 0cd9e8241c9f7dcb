"""The events the approvals service emits, built from its rows."""
