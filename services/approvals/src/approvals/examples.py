"""Examples of the approvals API's main request and response bodies (in the OpenAPI document; each validates)."""

from __future__ import annotations

from sunlight.contract import add_examples

from approvals.schemas import cases as s

CASE = "0191c3f0-8b9c-7dae-9f0a-3b4c5d6e7f80"
BUREAU = "11130302MB0012345B"  # 海港区行政审批局

add_examples(
    {
        s.DepartmentIn: [{"code": "HG-XZSP", "name": "海港区行政审批局", "region_code": "130302", "uscc": BUREAU}],
        s.WindowIn: [
            {"code": "W-017", "name": "建设工程规划许可窗口", "region_code": "130302", "department_code": "HG-XZSP"}
        ],
        s.OfficerIn: [
            {
                "code": "HG-0231",
                "name": "王明",
                "region_code": "130302",
                "department_code": "HG-XZSP",
                "window_code": "W-017",
            }
        ],
        s.ItemIn: [
            {
                "code": "QHD-JS-001",
                "name": "建设工程规划许可证核发",
                "region_code": "130302",
                "department_code": "HG-XZSP",
                "legal_days": 20,
                "promised_days": 10,
                "required_steps": ["accept", "review", "decide"],
                "four_eyes": [["review", "decide"]],
                "fees": [{"code": "F-001", "name": "工本费", "max_fen": 0, "basis": "财税〔2014〕101号: 免收"}],
                "online_mandatory": False,
            }
        ],
        s.StepIn: [
            {
                "case_no": "HG-2026-000123",
                "region_code": "130302",
                "item_code": "QHD-JS-001",
                "channel": "online",
                "step": "accept",
                "occurred_at": "2026-03-02T09:15:00+08:00",
                "officer_code": "HG-0231",
                "window_code": "W-017",
            },
            {
                "case_no": "HG-2026-000123",
                "region_code": "130302",
                "step": "suspend",
                "occurred_at": "2026-03-06T10:00:00+08:00",
                "procedure": "expert_review",
                "reason": "需组织专家论证",
                "officer_code": "HG-0231",
            },
        ],
        s.RatingIn: [{"score": 2, "rated_at": "2026-03-20T15:00:00+08:00"}],
        s.AppealIn: [{"reason": "申请人对不予许可决定不满, 评价与窗口服务无关"}],
        s.AppealDecisionIn: [{"outcome": "upheld"}],
        s.RectificationIn: [{"rectified_at": "2026-03-25T11:00:00+08:00", "rectification": "窗口补充一次性告知清单"}],
        s.ErrorIn: [
            {
                "region_code": "130302",
                "case_id": CASE,
                "window_code": "W-017",
                "officer_code": "HG-0231",
                "error_code": "material-not-checked",
                "description": "受理时未核验规划条件附图",
                "correction": "补正告知并重新核验",
                "found_on": "2026-03-10",
            }
        ],
        s.SweepIn: [{"as_of": "2026-03-31T23:59:59+08:00"}],
        s.ApprovalsWarningOut: [
            {
                "id": "0191c3f1-9cad-7ebf-8a1b-4c5d6e7f8091",
                "dedupe_key": "130302:APPROVALS-REPEATED-ERRORS:approvals:window:W-017:id-not-checked",
                "rule_id": "APPROVALS-REPEATED-ERRORS",
                "level": "orange",
                "title": "One window made the same error again and again",
                "service": "approvals",
                "case_id": None,
                "subject_kind": "window",
                "subject_id": "W-017",
                "region_code": "130302",
                "disposition": "reminder_talk",
                "outcome": None,
                "correct_by": "2026-06-08",
                "evidence": {
                    "window_code": "W-017",
                    "error_code": "id-not-checked",
                    "count": 3,
                    "first_on": "2026-03-03",
                    "last_on": "2026-05-30",
                    "error_ids": [
                        "0191c3f2-0a1b-7c2d-8e3f-4a5b6c7d8e90",
                        "0191c3f2-1b2c-7d3e-9f4a-5b6c7d8e9f01",
                        "0191c3f2-2c3d-7e4f-8a5b-6c7d8e9f0a12",
                    ],
                },
                "occurrences": 1,
                "status": "in_disposition",
                "first_seen_at": "2026-05-30T11:00:00+08:00",
                "last_seen_at": "2026-05-30T11:00:00+08:00",
            }
        ],
    }
)
