"""The pure rule functions, driven with explicit facts (no database, no clock)."""

from __future__ import annotations

from datetime import date, timedelta

from sunlight.warnings import Level
from tenders import flags, rules
from tenders.settings import TendersSettings

D = date(2026, 4, 1)


def test_the_registry_lists_every_rule_with_its_settings_and_a_legal_source():
    ids = [r.id for r in rules.RULES]
    assert len(ids) == len(set(ids)) == 18  # 13 own, 5 Cardinal live (R044: batch only)
    settings = TendersSettings(environment="test")
    for rule in rules.RULES:
        assert rule.evaluated_by and all(hasattr(settings, p) for p in rule.parameters), rule.id
    assert settings.must_tender_fen == {"construction": 400_000_000, "goods": 200_000_000, "services": 100_000_000}
    assert "Order No. 16 of 2018" in rules.NON_COMPETITIVE.description


def test_links_between_bids():
    a = flags.BidFacts("1", "A", frozenset({"p1"}), frozenset({"s1"}), "ph", "ad", "f1", "ip1", "pm1")
    assert flags.links_between(a, flags.BidFacts("2", "B", legal_representatives=frozenset({"p1"}))) == [
        "legal_representative"
    ]
    assert flags.links_between(a, flags.BidFacts("2", "B", legal_representatives=frozenset({"s1"}))) == [
        "shareholder"
    ], "B's legal representative holds shares in A"
    full = flags.BidFacts("2", "B", frozenset(), frozenset(), "ph", "ad", "f1", "ip1", "pm1")
    assert flags.links_between(a, full) == ["phone", "address", "file", "ip", "project_manager"]
    assert flags.links_between(a, flags.BidFacts("2", "B")) == []
    assert flags.links_between(a, flags.BidFacts("3", "A", frozenset({"p1"}))) == [], "one enterprise's two bids"


def test_at_ceiling():
    assert flags.at_ceiling(990, 1000, 10) == Level.ORANGE, "exactly 1 % below: within the band"
    assert flags.at_ceiling(989, 1000, 10) is None
    assert flags.at_ceiling(1001, 1000, 10) == Level.RED, "above the ceiling"
    assert flags.at_ceiling(1000, None, 10) is None


def test_ineligibility():
    bar = flags.DebarmentFact("d", "130000", D - timedelta(days=10), D + timedelta(days=10))
    qual = flags.QualificationFact("building", 2, D - timedelta(days=365), D + timedelta(days=365))
    kw = {"required_kind": "building", "required_grade": 2, "on": D, "deadline": D, "region_code": "130302"}
    assert flags.ineligibility(debarments=[bar], qualifications=[qual], **kw) == (["debarred"], ["d"])
    elsewhere = flags.DebarmentFact("d", "110000", D - timedelta(days=10), None)
    assert flags.ineligibility(debarments=[elsewhere], qualifications=[qual], **kw) == ([], [])
    ended = flags.DebarmentFact("d", "130000", D - timedelta(days=10), D)
    assert flags.ineligibility(debarments=[ended], qualifications=[qual], **kw) == ([], []), "ends_on is exclusive"
    lower = flags.QualificationFact("building", 3, D - timedelta(days=365), D + timedelta(days=365))
    expired = flags.QualificationFact("building", 1, D - timedelta(days=365), D - timedelta(days=1))
    assert flags.ineligibility(debarments=[], qualifications=[lower, expired], **kw) == (["unqualified"], [])


def test_must_tender_thresholds_and_procedures():
    t = TendersSettings(environment="test").must_tender_fen
    assert flags.must_tender_threshold("construction", "fiscal", t) == 400_000_000
    assert flags.must_tender_threshold("construction", "private", t) is None
    assert flags.non_competitive("single_source", 400_000_000, 400_000_000)
    assert not flags.non_competitive("single_source", 399_999_999, 400_000_000)
    assert not flags.non_competitive("invitation", 900_000_000, 400_000_000)


def test_split_under_threshold():
    def p(i: str, fen: int, days: int = 0, procedure: str = "direct") -> flags.PurchaseFact:
        return flags.PurchaseFact(i, procedure, fen, D + timedelta(days=days))

    found = flags.split_under_threshold(
        p("c", 150), [p("a", 150, -60), p("b", 120, -30)], threshold_fen=400, window_days=365
    )
    assert found is not None and [x.tender_id for x in found] == ["a", "b", "c"]
    assert flags.split_under_threshold(p("c", 150), [p("a", 150, -400)], threshold_fen=400, window_days=365) is None
    assert (
        flags.split_under_threshold(p("c", 250), [p("a", 200, -1, "open")], threshold_fen=400, window_days=365) is None
    )
    assert flags.split_under_threshold(p("c", 450), [p("a", 100)], threshold_fen=400, window_days=365) is None


def test_change_orders_and_settlement():
    kw = {"percent": 10, "red_percent": 20}
    assert flags.change_order_level(1000, 100, **kw) is None, "exactly 10 % is within"
    assert flags.change_order_level(1000, 101, **kw) == Level.ORANGE
    assert flags.change_order_level(1000, 201, **kw) == Level.RED
    assert flags.settlement_excess(1000, 50, 1050) == 0 and flags.settlement_excess(1000, 50, 1051) == 1


def test_rotation():
    group = frozenset("ABC")

    def t(i: int, winner: str, bidders: frozenset[str] = group) -> flags.AwardedTender:
        return flags.AwardedTender(f"t{i}", D + timedelta(days=30 * i), bidders, winner)

    kw = {"min_tenders": 3, "min_members": 3, "window_days": 730}
    found = flags.rotation(t(3, "C"), [t(1, "A"), t(2, "B")], **kw)
    assert found is not None and found.members == ["A", "B", "C"] and [x.winner for x in found.tenders] == list("ABC")
    assert flags.rotation(t(3, "A"), [t(1, "A"), t(2, "B")], **kw) is None, "two winners only"
    assert flags.rotation(t(3, "C"), [t(1, "A"), t(2, "X", group | {"X"})], **kw) is None, "an outsider won one"
    assert flags.rotation(t(3, "C"), [t(1, "A"), t(2, "B", frozenset("AB"))], **kw) is None, "C did not bid in t2"
    assert flags.rotation(t(30, "C"), [t(1, "A"), t(2, "B")], **kw) is None, "beyond the window"


def test_expert_conflicts_and_outliers():
    kw = {"bidder_usccs": ["B1"], "owner_uscc": "O", "debarred": False, "drawn": True}
    assert flags.expert_conflicts(employer_uscc="B1", **kw) == ["works_for_bidder"]
    assert flags.expert_conflicts(employer_uscc="O", **kw) == ["works_for_owner"]
    assert flags.expert_conflicts(employer_uscc="Z", **kw) == []
    assert flags.expert_conflicts(employer_uscc=None, **{**kw, "debarred": True, "drawn": False}) == [
        "debarred",
        "not_drawn",
    ]
    scores = {"b1": {"e1": 30, "e2": 32, "e3": 31, "e4": 10}, "b2": {"e1": 30, "e2": 14}}
    assert flags.outlier_scores(scores, points=15) == {"e4": [{"bid_id": "b1", "score": 10, "others_median": 31}]}
    assert flags.outlier_scores(scores, points=25) == {}
