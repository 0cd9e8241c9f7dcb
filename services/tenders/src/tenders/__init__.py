"""Tenders — Unified tender and bid monitoring (建设项目统一招投标监控).

Enterprises, persons, projects, tenders, bids, evaluation, awards, contracts, change orders and settlements,
with the tender red-flag rules (SPEC.md). This is the skeleton; the domain arrives in its own issue.
"""
