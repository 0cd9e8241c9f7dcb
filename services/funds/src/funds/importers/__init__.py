"""Readers of real external formats, mapped onto programmes, nodes and payments by ``funds.imports``."""
