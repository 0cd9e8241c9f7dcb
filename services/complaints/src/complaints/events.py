"""The events the complaints service emits, built from its rows."""
