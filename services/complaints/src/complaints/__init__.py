"""Complaints — Complaints and reports from the public (投诉举报).

Named and anonymous reports, their statutory lifecycle and follow-up by receipt code, with identities
encrypted (SPEC.md). This is the skeleton; the domain arrives in its own issue.
"""
