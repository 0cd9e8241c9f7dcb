"""The events the integrity service emits, built from its rows."""
