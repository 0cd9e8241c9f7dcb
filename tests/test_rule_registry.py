"""Every rule names the functions that decide it, and each name leads to real code (docs/rules.md shows them)."""

import importlib

import pytest

SERVICES = ("funds", "tenders", "approvals", "complaints", "integrity")


def _resolve(dotted: str) -> object:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("service", SERVICES)
def test_every_rule_points_to_the_functions_that_evaluate_it(service: str) -> None:
    for rule in importlib.import_module(f"{service}.rules").RULES:
        assert rule.evaluated_by, f"{rule.id} names no function that evaluates it"
        for dotted in rule.evaluated_by:
            assert dotted.startswith(f"{service}."), f"{rule.id}: {dotted} is another service's code"
            assert callable(_resolve(dotted)), f"{rule.id}: {dotted} is not a function"
