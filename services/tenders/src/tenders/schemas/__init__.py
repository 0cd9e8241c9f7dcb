"""API shapes of the tenders service, one module per subdomain: XIn (what a client sends) and XOut (what it gets).

Input is strict: unknown fields are refused, amounts are JSON integers (``"100"`` is not a number), names are not
blank. Persons are shown masked: never an ID number, phone or address in an answer.
"""
