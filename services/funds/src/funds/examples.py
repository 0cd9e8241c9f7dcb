"""Examples of the funds API's main request and response bodies (in the OpenAPI document; each validates)."""

from __future__ import annotations

from sunlight.contract import add_examples

from funds.schemas.movements import MovementIn, MovementOut
from funds.schemas.nodes import NodeIn
from funds.schemas.programmes import ProgrammeIn, ThresholdsIn
from funds.schemas.records import AcceptanceIn, AuditIn, RectificationIn
from funds.schemas.warnings import FundsWarningOut, ScanIn
from funds.schemas.watchlist import DelistIn, WatchListIn

PROGRAMME = "0191c3a2-7b1e-7c3d-9a8f-0d6b2e1c3a44"
CITY_NODE = "0191c3a2-8c20-7a51-b3e4-5f9d0a7c2e10"
COUNTY_NODE = "0191c3a2-9d31-7f02-8c6a-1e2b3c4d5e6f"
PAYMENT = "0191c3b0-1a2b-7c3d-8e4f-5a6b7c8d9e0f"
REFUND = "0191c3b8-4d5e-7f60-9a1b-2c3d4e5f6a7b"
PAYEE = "0191c3b0-2b3c-7d4e-9f5a-6b7c8d9e0f1a"
RESPONSIBLE = "11130300MB00004562"  # 秦皇岛市农业农村局
CO_OP = "91130302MA0ABCD12W"  # a supplier (valid GB 32100 check character)
PERSON = "110105198001010171"  # a valid resident ID (never stored: a keyed hash)

add_examples(
    {
        ProgrammeIn: [
            {
                "code": "2026-AGRI-001",
                "name": "耕地地力保护补贴",
                "category": "agriculture",
                "fiscal_year": 2026,
                "budget_fen": 1_000_000_000,
                "budget_approved_on": "2026-02-10",
                "region_code": "130300",
                "responsible_uscc": RESPONSIBLE,
                "allowed_categories": ["subsidy", "equipment"],
                "thresholds": {"approval_threshold_fen": 5_000_000, "pass_down_kind": "special"},
                "budget_lines": [
                    {"code": "2130122", "name": "农业生产发展", "source": "central", "amount_fen": 800_000_000},
                    {"code": "2130199", "name": "其他农业农村支出", "source": "provincial", "amount_fen": 200_000_000},
                ],
            }
        ],
        NodeIn: [
            {"parent_id": CITY_NODE, "tier": "county", "name": "海港区财政局", "region_code": "130302"},
            {"tier": "finance_bureau", "name": "秦皇岛市财政局", "region_code": "130300", "unit_uscc": RESPONSIBLE},
        ],
        MovementIn: [
            {
                "kind": "allocate",
                "from_node_id": CITY_NODE,
                "to_node_id": COUNTY_NODE,
                "amount_fen": 20_000_000,
                "occurred_on": "2026-03-02",
                "reference": "秦财农〔2026〕12号",
            },
            {
                "kind": "expend",
                "from_node_id": COUNTY_NODE,
                "amount_fen": 150_000,
                "occurred_on": "2026-03-09",
                "invoice_no": "13032026000123",
                "payee": {
                    "kind": "organisation",
                    "name": "海港区丰收农机合作社",
                    "uscc": CO_OP,
                    "bank_account": "6222020402001234567",
                },
                "category": "equipment",
                "budget_line_code": "2130122",
            },
            {"kind": "refund", "refund_of": PAYMENT, "amount_fen": 30_000, "occurred_on": "2026-04-01"},
        ],
        AcceptanceIn: [
            {
                "subject": {"kind": "movement", "id": PAYMENT},
                "result": "passed",
                "accepted_on": "2026-05-20",
                "inspector_unit": "海港区农业农村局验收组",
                "inspector_uscc": "11130302MB76543215",
                "findings": "农机到货, 型号与合同一致",
            }
        ],
        AuditIn: [
            {
                "subject": {"kind": "programme", "id": PROGRAMME},
                "auditor": "秦皇岛市审计局",
                "audited_on": "2026-09-15",
                "conclusion": "资金拨付基本合规, 个别支出缺少验收记录",
                "findings": [
                    {"description": "两笔农机补贴缺少验收记录", "amount_fen": 300_000, "rectify_by": "2026-10-31"}
                ],
            }
        ],
        RectificationIn: [{"rectified_on": "2026-10-20", "rectification": "补办验收, 验收记录已归档"}],
        ThresholdsIn: [
            {
                "thresholds": {"approval_threshold_fen": 3_000_000, "idle_days": 60, "pass_down_days": {"county": 30}},
                "reason": "省级专项资金管理办法要求县级30日内下达",
            }
        ],
        ScanIn: [{"as_of": "2026-03-31T23:59:59+08:00"}],
        WatchListIn: [
            {
                "entries": [
                    {
                        "list": "debarred",
                        "uscc": "91130302MA0BMLD12N",
                        "region_code": "130000",
                        "reason": "虚报冒领农机补贴",
                        "reference": "冀财监〔2025〕7号",
                        "listed_on": "2025-11-01",
                    },
                    {
                        "list": "official",
                        "resident_id": PERSON,
                        "region_code": "130302",
                        "reason": "海港区农业农村局资金审批岗",
                        "listed_on": "2026-01-01",
                    },
                ]
            }
        ],
        DelistIn: [{"delisted_on": "2026-11-01", "reason": "禁入期满 (冀财监〔2025〕7号)"}],
        MovementOut: [
            {
                "id": REFUND,
                "programme_id": PROGRAMME,
                "kind": "refund",
                "from_node_id": None,
                "to_node_id": COUNTY_NODE,
                "amount_fen": 30_000,
                "occurred_on": "2026-04-01",
                "reference": None,
                "invoice_no": None,
                "region_code": "130302",
                "payee_id": PAYEE,
                "payee": {
                    "id": PAYEE,
                    "kind": "organisation",
                    "name": "海港区丰收农机合作社",
                    "uscc": CO_OP,
                    "external_id": None,
                    "account": "****4567",
                    "held": False,
                },
                "category": None,
                "budget_line_id": None,
                "final": False,
                "refund_of": PAYMENT,
                "refunded_fen": 0,
                "batch_id": None,
                "recorded_at": "2026-04-01T10:12:00+08:00",
            }
        ],
        FundsWarningOut: [
            {
                "id": "0191c3c0-5e6f-7a80-9b1c-2d3e4f5a6b7c",
                "dedupe_key": f"130302:FUNDS-CATEGORY-NOT-ALLOWED:funds:movement:{PAYMENT}",
                "rule_id": "FUNDS-CATEGORY-NOT-ALLOWED",
                "level": "red",
                "title": "Payment in a category the programme does not allow",
                "service": "funds",
                "subject_kind": "movement",
                "subject_id": PAYMENT,
                "subject_label": "海港区丰收农机合作社",
                "programme_id": PROGRAMME,
                "region_code": "130302",
                "evidence": {"category": "banquet", "allowed": ["subsidy", "equipment"], "amount_fen": 150_000},
                "occurrences": 1,
                "status": "in_disposition",
                "disposition": "inquiry",
                "outcome": None,
                "frozen": True,
                "first_seen_at": "2026-03-09T10:00:00+08:00",
                "last_seen_at": "2026-03-09T10:00:00+08:00",
                "disposed_at": "2026-03-10T15:30:00+08:00",
            }
        ],
    }
)
