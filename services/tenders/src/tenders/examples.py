"""Examples of the tenders API's main request and response bodies (in the OpenAPI document; each validates)."""

from __future__ import annotations

from sunlight.contract import add_examples

from tenders.schemas import draws, findings, lifecycle, registers

PROJECT = "0191d0a1-1b2c-7d3e-8f4a-5b6c7d8e9f01"
TENDER = "0191d0a2-2c3d-7e4f-9a5b-6c7d8e9f0a12"
BID = "0191d0a4-4e5f-7a6b-8c7d-8e9f0a1b2c34"
AWARD = "0191d0a5-5f6a-7b7c-9d8e-9f0a1b2c3d45"
EXPERT = "0191d0a6-6a7b-7c8d-8e9f-0a1b2c3d4e56"
EXPERT_2 = "0191d0a6-7b8c-7d9e-9f0a-1b2c3d4e5f67"
OWNER = "11130302MB0012345B"  # 海港区住房和城乡建设局
BIDDER = "91130302MA0ABCD12W"  # a bidder (valid GB 32100 check character)
ENGINEER = "110105198001010235"  # a valid resident ID (kept as a keyed hash)

add_examples(
    {
        registers.EnterpriseIn: [
            {
                "uscc": BIDDER,
                "name": "秦皇岛市海港建设工程有限公司",
                "region_code": "130302",
                "phone": "0335-3012345",
                "address": "秦皇岛市海港区建设大街18号",
            }
        ],
        registers.PersonIn: [
            {
                "name": "李建国",
                "resident_id": ENGINEER,
                "region_code": "130302",
                "specialties": ["building_construction"],
                "employer_uscc": BIDDER,
            }
        ],
        registers.ProjectIn: [
            {
                "code": "QHD-2026-SL-007",
                "name": "海港区农田水利改造工程",
                "owner_uscc": OWNER,
                "owner_name": "海港区住房和城乡建设局",
                "estimate_fen": 520_000_000,
                "location": "秦皇岛市海港区石门寨镇",
                "funding_source": "fiscal",
                "region_code": "130302",
            }
        ],
        registers.QualificationIn: [
            {
                "kind": "building_construction",
                "grade": 2,
                "certificate_no": "D213012345",
                "valid_from": "2024-01-01",
                "valid_until": "2028-12-31",
            }
        ],
        registers.DebarmentIn: [
            {
                "region_code": "130000",
                "reason": "围标串标, 取消投标资格一年",
                "reference": "冀建招〔2026〕3号",
                "starts_on": "2026-02-01",
                "ends_on": "2027-01-31",
            }
        ],
        lifecycle.TenderIn: [
            {
                "code": "QHD-2026-SL-007-01",
                "project_id": PROJECT,
                "title": "海港区农田水利改造工程施工",
                "category": "construction",
                "procedure": "open",
                "estimate_fen": 500_000_000,
                "ceiling_fen": 490_000_000,
                "published_at": "2026-03-02T09:00:00+08:00",
                "deadline": "2026-03-23T09:30:00+08:00",
                "documents": [{"name": "招标文件.pdf", "sha256": "9f" * 32}],
                "required_qualification": "building_construction",
                "required_grade": 2,
            }
        ],
        lifecycle.RegistrationIn: [{"uscc": BIDDER, "registered_at": "2026-03-05T14:20:00+08:00"}],
        lifecycle.BidIn: [
            {
                "uscc": BIDDER,
                "lot_number": 1,
                "price_fen": 486_000_000,
                "submitted_at": "2026-03-22T16:05:00+08:00",
                "submitter_ip": "10.21.3.7",
                "project_manager_resident_id": ENGINEER,
            }
        ],
        lifecycle.OpeningIn: [{"opened_at": "2026-03-23T09:30:00+08:00"}],
        lifecycle.CancellationIn: [{"reason": "有效投标不足三家, 依法重新招标"}],
        lifecycle.EvaluationIn: [
            {"lot_number": 1, "method": "lowest_price"},
            {
                "lot_number": 1,
                "method": "comprehensive",
                "price_points": 60,
                "scores": [
                    {"expert_id": EXPERT, "bid_id": BID, "score": 32.5},
                    {"expert_id": EXPERT_2, "bid_id": BID, "score": 34},
                ],
            },
        ],
        lifecycle.AwardIn: [{"lot_number": 1, "bid_id": BID, "awarded_on": "2026-03-30"}],
        lifecycle.ContractIn: [{"award_id": AWARD, "amount_fen": 486_000_000, "signed_on": "2026-04-10"}],
        lifecycle.ChangeOrderIn: [
            {
                "amount_fen": 24_000_000,
                "reason": "地质条件变化, 增加排水沟",
                "approved": True,
                "ordered_on": "2026-06-18",
            }
        ],
        lifecycle.SettlementIn: [{"amount_fen": 509_500_000, "settled_on": "2026-12-20"}],
        draws.DrawIn: [{"specialty": "water_conservancy", "pool_region": "130300", "count": 5}],
        draws.ReplacementIn: [{"expert_id": EXPERT, "reason": "conflict", "note": "曾在投标人处任职"}],
        findings.FindingOut: [
            {
                "id": "0191d0b0-7c8d-7e9f-8a0b-1c2d3e4f5a67",
                "dedupe_key": f"130302:TENDERS-WINNER-AT-CEILING:tenders:tender:{TENDER}",
                "rule_id": "TENDERS-WINNER-AT-CEILING",
                "level": "orange",
                "service": "tenders",
                "subject_kind": "tender",
                "subject_id": TENDER,
                "tender_id": TENDER,
                "region_code": "130302",
                "evidence": {
                    "tender_id": TENDER,
                    "lot_id": "0191d0a3-3d4e-7f5a-8b6c-7d8e9f0a1b23",
                    "award_id": AWARD,
                    "amount_fen": 489_900_000,
                    "ceiling_fen": 490_000_000,
                    "band_permille": 5,
                },
                "occurrences": 1,
                "first_seen_at": "2026-03-30T10:00:00+08:00",
                "last_seen_at": "2026-03-30T10:00:00+08:00",
            }
        ],
        findings.IndicatorRunIn: [{"settings_ini": "[R018]\n"}],
    }
)
