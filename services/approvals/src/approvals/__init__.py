"""Approvals — Administrative approval and enforcement e-supervision (行政审批电子监察).

The item catalogue, cases and their steps on the working-day clock, satisfaction ratings, enforcement
penalties, with the time-limit and discretion rules (SPEC.md). This is the skeleton; the domain arrives in its
own issue.
"""
