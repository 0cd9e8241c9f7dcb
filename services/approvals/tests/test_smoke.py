"""A case from submission to certificate on time: no warning, the clock right, the case concluded."""

from __future__ import annotations

from .conftest import Maker


async def test_a_case_handled_in_time_raises_nothing(make: Maker) -> None:
    dept = await make.department()
    item = await make.item(department_code=dept["code"], legal_days=20, promised_days=10)
    c = await make.case(
        item,
        [
            ("submit", "2025-03-03", {"officer_code": "A01"}),
            ("accept", "2025-03-03", {"officer_code": "A01", "window_code": "W-01"}),
            ("undertake", "2025-03-04", {"officer_code": "B02"}),
            ("review", "2025-03-06", {"officer_code": "C03"}),
            ("decide", "2025-03-10", {"officer_code": "D04", "outcome": "grant"}),
            ("conclude", "2025-03-10", {"officer_code": "D04"}),
            ("deliver_certificate", "2025-03-12", {"officer_code": "A01"}),
        ],
    )
    case = await make.get_case(c)
    assert case["status"] == "concluded" and case["result"] == "approved"
    assert case["used_days"] == 5  # 4, 5, 6, 7 and 10 March
    assert case["window_code"] == "W-01" and case["officer_code"] == "B02"
    assert await make.warnings(c) == []
    timeline = (await make.client.get(f"/v1/approvals/cases/{case['id']}/timeline", headers=make.headers)).json()
    assert [s["step"] for s in timeline["steps"]][-1] == "deliver_certificate"
    clock = timeline["clock"]
    assert (clock["used_days"], clock["as_of"], clock["running"]) == (5, "2025-03-10", False)
    assert (clock["promised_due_on"], clock["legal_due_on"]) == ("2025-03-17", "2025-03-31")
