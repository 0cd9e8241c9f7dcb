"""Examples of the integrity API's main request and response bodies (in the OpenAPI document; each validates)."""

from __future__ import annotations

from sunlight.contract import add_examples

from integrity.schemas import assessments, dispositions, register, riskpoints

WARNING = "0191c3d0-6f7a-7b8c-9d0e-1f2a3b4c5d6e"
NODE = "0191c3a2-9d31-7f02-8c6a-1e2b3c4d5e6f"
SUBJECT = "0191c3e0-7a8b-7c9d-8e0f-2a3b4c5d6e7f"
UNIT = "11130302MB0012345B"  # 海港区农业农村局
RATER_UNIT = "11130300MB00004562"
DEFINITION = {
    "bodies": [
        {"code": "R1", "name": "纪委监委", "weight": 1},
        {"code": "R2", "name": "组织部", "weight": 1},
        {"code": "R3", "name": "服务对象", "weight": 2},
    ],
    "dimensions": [{"code": "D1", "name": "不敢腐"}, {"code": "D2", "name": "不能腐"}],
    "indicators": [
        {
            "code": "P",
            "name": "作风评议",
            "weight": 2,
            "dimension": "D1",
            "indicators": [{"code": "P1", "name": "廉洁自律"}, {"code": "P2", "name": "民主决策"}],
        },
        {
            "code": "D",
            "name": "平台数据",
            "weight": 1,
            "dimension": "D2",
            "indicators": [
                {
                    "code": "D1",
                    "name": "红色预警",
                    "weight": 1,
                    "kind": "computed",
                    "direction": "negative",
                    "source": "warnings_red",
                    "low": 0,
                    "high": 4,
                }
            ],
        },
    ],
}

add_examples(
    {
        dispositions.DispositionIn: [
            {
                "kind": "direct_review",
                "assignee": "qhd-inspection-office-2",
                "instructions": "核查超额拨付申请, 调取拨付审批单",
                "deadline_workdays": 10,
                "freeze": True,
            },
            {"kind": "reminder_talk", "assignee": "qhd-inspection-office-2"},
        ],
        dispositions.ResponseIn: [{"response": "已补充拨付审批单; 经办人未核对可用额度, 已整改拨付校验"}],
        dispositions.ConclusionIn: [
            {"outcome": "accountability", "conclusion": "对经办人诫勉谈话, 完善拨付校验", "keep_hold": False}
        ],
        register.DismissalIn: [{"reason": "误报: 该笔为上级追加预算, 已在追加文件中列明"}],
        riskpoints.RiskPointIn: [
            {
                "code": "QHD-FIN-ALLOC",
                "name": "专项资金拨付",
                "post": "财务科会计",
                "power": "资金拨付审核",
                "description": "拨付前未校验可用额度, 可能超额拨付",
                "risk_level": "high",
                "controls": ["拨付前系统校验可用额度", "双人复核"],
                "rule_ids": ["FUNDS-OVERSPEND", "FUNDS-SPLIT-PAYMENT"],
                "region_code": "130300",
            }
        ],
        riskpoints.RiskPointUpdate: [{"risk_level": "medium", "rule_ids": ["FUNDS-OVERSPEND", "FUNDS-IDLE-FUNDS"]}],
        assessments.FrameworkIn: [
            {"code": "qhd-2026", "name": "秦皇岛市廉情指数 (领导班子)", "target": "team", "definition": DEFINITION}
        ],
        assessments.FrameworkReplace: [{"name": "秦皇岛市廉情指数 (领导班子)", "definition": DEFINITION}],
        assessments.SubjectIn: [
            {
                "kind": "team",
                "code": "team-haigang-agri",
                "label": "海港区农业农村局领导班子",
                "unit_uscc": UNIT,
                "region_code": "130302",
                "peer_group": "district-bureaus",
            }
        ],
        assessments.RaterIn: [{"body": "R1", "region_code": "130300", "unit_uscc": RATER_UNIT}],
        assessments.AssessmentIn: [
            {
                "framework": "qhd-2026",
                "period": "2026",
                "subject_id": SUBJECT,
                "rater": "R1",
                "scores": {"P1": 75, "P2": 60},
            }
        ],
        assessments.ComputationIn: [{"period": "2026", "region_code": "130302"}],
        assessments.ClosureIn: [{"period": "2026", "region_code": "130300"}],
        register.IntegrityWarningOut: [
            {
                "id": WARNING,
                "rule_id": "FUNDS-OVERSPEND",
                "level": "red",
                "source_level": "orange",
                "title": "Allocation or payment beyond the node's available quota",
                "service": "funds",
                "subject_kind": "node",
                "subject_id": NODE,
                "subject_label": "海港区财政局",
                "region_code": "130302",
                "unit_uscc": UNIT,
                "evidence": {"requested_fen": 120_000, "available_fen": 100_000},
                "dedupe_key": f"130302:FUNDS-OVERSPEND:funds:node:{NODE}",
                "status": "in_disposition",
                "occurrences": 3,
                "episodes": 2,
                "first_seen_at": "2026-03-02T10:15:00+08:00",
                "last_seen_at": "2026-03-09T16:40:00+08:00",
                "changed_at": "2026-03-10T09:00:00+08:00",
                "risk_point_id": None,
                "closed_at": None,
                "dismissal_reason": None,
            }
        ],
    }
)
