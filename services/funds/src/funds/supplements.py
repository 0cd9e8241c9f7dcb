"""Budget supplements (追加预算) as movements of the ledger.

A supplement adds budget to a node from outside the tree — to the root (the programme's budget raised by
a later approval) or to a lower node (a county adding its own money, 配套/追加) — as quota and cash at once,
with its approval document in ``reference``. The programme's budget grows by it (and the named budget
line, when the programme has lines), so the trace stays whole: a parent's passed-on equals what its
children received less what was added to them directly, and the root holds the budget less what was
added below it. A supplement is a receipt like an allocation: the node's pass-down deadline and idle
clock start from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sunlight.auth import Principal
from sunlight.errors import NotFound

from funds.schemas.movements import MovementIn

if TYPE_CHECKING:
    from funds.ledger import Context, Draft


def prepare(ctx: Context, who: Principal, index: int, body: MovementIn) -> Draft:
    from funds.ledger import Draft, _line_for

    assert body.to_node_id is not None
    target = ctx.nodes.get(body.to_node_id)
    if target is None or not who.sees_region(target.region_code):
        raise NotFound("no such node", field="to_node_id")
    who.ensure_can_write(target.region_code)
    programme = ctx.programmes[target.programme_id]
    line = _line_for(ctx, programme, body.budget_line_code)
    return Draft(index, body, programme, None, target, line=line)


def apply(d: Draft) -> None:
    """The node receives the supplement as quota and cash; the programme's budget (and line) grows by it."""
    assert d.target is not None
    x = d.amount
    d.target.received_fen += x
    d.target.disbursed_in_fen += x
    d.programme.budget_fen += x
    if d.line is not None:
        d.line.amount_fen += x
