"""Funds — special fund monitoring (专项资金监控平台).

Programmes, their allocation tree (finance bureau → department → county → township →
beneficiary), the ledger of movements with its invariants enforced at write time,
and the warning rules of SPEC.md §1.
"""
