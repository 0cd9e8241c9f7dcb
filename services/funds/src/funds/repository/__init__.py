"""Funds queries, one module per subdomain. Never commits: the service function owns the transaction.

Row locks (``for_update``) are always taken in one global order — nodes by id, then the
payee, then budget lines — so two writers never wait on each other in a circle.
"""
