"""Every sealed column is declared in its package's ``ENCRYPTED`` list, so `reencrypt` after a key rotation
misses none of them (a value it missed would be lost when the old key is removed)."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ("gateway", "funds", "tenders", "approvals", "complaints", "integrity")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_cipher_column_is_declared_for_reencryption(package: str):
    models = importlib.import_module(f"{package}.models")
    declared = {(s.table, s.column) for s in getattr(models, "ENCRYPTED", [])}
    ciphered = {
        (table.name, column.name)
        for table in models.metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_cipher") or column.name.endswith("_sealed")
    }
    by_data_key = getattr(models, "SEALED_BY_DATA_KEY", set())  # envelope encryption: the data key is in ENCRYPTED
    assert ciphered - declared - by_data_key == set(), f"{package}: sealed columns missing from models.ENCRYPTED"
    for table, column in declared:
        assert table in models.metadata.tables and column in models.metadata.tables[table].columns, (table, column)
