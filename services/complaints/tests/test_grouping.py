"""Related reports are grouped (same subject; near-duplicate Chinese text), and linked to the services they
name by ``complaints.report.filed.v1`` (the subject reference only)."""

from __future__ import annotations

from complaints.similarity import Signer, jaccard, shingles, similarity
from sunlight.testing import EventCapture

from .conftest import MOVEMENT, UNIT, Filer, report

SUBSIDY = "反映海港镇村委会主任在发放耕地地力保护补贴时虚报冒领，把不种地的亲戚也报上去领了补贴"
SUBSIDY_AGAIN = "海港镇村委会主任发放耕地地力保护补贴时虚报冒领，把不种地的亲戚也报上去领补贴，请查处"
CANTEEN = "某中学食堂饭菜价格高、质量差，学生反映强烈，希望教育局管一管"
NONE = {"kind": "none"}


def test_the_similarity_is_character_shingles_on_chinese_text():
    signer = Signer(b"k" * 32, 3)
    a, b, c = (signer.signature(t) for t in (SUBSIDY, SUBSIDY_AGAIN, CANTEEN))
    exact = jaccard(shingles(SUBSIDY, 3), shingles(SUBSIDY_AGAIN, 3))
    assert exact > 0.5
    assert abs(similarity(a, b) - exact) < 0.2  # MinHash estimates the Jaccard similarity
    assert similarity(a, c) < 0.1
    assert shingles("，。 ！", 3) == set()  # punctuation and spaces are not text
    assert Signer(b"x" * 32, 3).signature(SUBSIDY) != a  # keyed: the signature depends on the deployment key


async def test_near_duplicate_text_is_grouped_and_unrelated_text_is_not(filer: Filer):
    await filer.file(text=SUBSIDY, subject=NONE)
    await filer.file(text=SUBSIDY_AGAIN, subject=NONE)
    await filer.file(text=CANTEEN, subject=NONE, category="service_request")
    await filer.file(text=SUBSIDY, subject=NONE, region_code="110105")  # another city: another matter
    canteen, second, first = await filer.reports(limit=3, region_code="130300")
    assert second["group_id"] == first["id"] == first["group_id"]
    assert canteen["group_id"] == canteen["id"]
    group = (await filer.client.get(f"/v1/complaints/reports/{second['id']}/group", headers=filer.staff)).json()
    members = {m["id"]: m for m in group["members"]}
    assert set(members) == {first["id"], second["id"]}
    assert members[second["id"]]["similarity"] >= 0.5 and not members[second["id"]]["same_subject"]
    steps = (await filer.client.get(f"/v1/complaints/reports/{second['id']}/steps", headers=filer.staff)).json()
    grouped = next(s for s in steps["items"] if s["kind"] == "grouped")
    assert grouped["details"]["with_report"] == first["id"] and grouped["details"]["similarity"] >= 0.5


async def test_a_handler_splits_a_wrong_grouping_and_it_stays_split(filer: Filer):
    await filer.file(text=SUBSIDY, subject=NONE)
    await filer.file(text=SUBSIDY_AGAIN, subject=NONE)
    second, first = await filer.reports(limit=2)
    split = await filer.step(second["id"], "split", {"reason": "反映的是另一个村"})
    assert [m["id"] for m in split["members"]] == [second["id"]]
    await filer.file(text=SUBSIDY_AGAIN, subject=NONE)
    third = await filer.newest()
    assert third["group_id"] == first["id"]  # joins the first report's group, not the split one
    assert (await filer.reports(group_id=first["id"]))[-1]["id"] == first["id"]


async def test_reports_on_one_subject_are_grouped_and_the_third_warns(filer: Filer, backend):
    fund = {"kind": "fund", "ref_kind": "movement", "ref_id": MOVEMENT}
    texts = ["补贴发放不公", "村干部优亲厚友领取补贴", "有人冒领补贴款"]  # unalike texts, one payment
    async with EventCapture.on(backend.bus_settings(), ["warnings.raised.v1", "complaints.report.filed.v1"]) as cap:
        for text in texts[:2]:
            await filer.file(text=text, subject=fund)
        await cap.wait_for("complaints.report.filed.v1", lambda e: len(cap.of_type("complaints.report.filed.v1")) >= 2)
        assert cap.of_type("warnings.raised.v1") == []  # two reports: not yet repeated
        await filer.file(text=texts[2], subject=fund)
        event = await cap.wait_for("warnings.raised.v1", lambda e: e.data.rule_id == "COMPLAINTS-REPEATED")
    assert event.data.subject.model_dump() == {"service": "funds", "kind": "movement", "id": MOVEMENT, "label": None}
    assert event.data.evidence["reports"] == 3 and event.data.level == "orange"
    assert event.data.dedupe_key == f"130302:COMPLAINTS-REPEATED:funds:movement:{MOVEMENT}"
    ids = {r["id"] for r in await filer.reports()}
    assert len({r["group_id"] for r in await filer.reports()}) == 1 and len(ids) == 3


async def test_the_filed_event_names_the_subject_and_nothing_personal(filer: Filer, backend):
    official = {"kind": "official", "official_name": "司马光明", "official_post": "局长", "unit_uscc": UNIT}
    named = report(text="司马光明收受红包", subject=official, anonymous=False, reporter={"name": "上官秋月"})
    async with EventCapture.on(backend.bus_settings(), ["complaints.report.filed.v1"]) as cap:
        await filer.file(named)
        await filer.file(report(subject=NONE, text="路灯不亮"))
        await cap.wait_for("complaints.report.filed.v1", lambda e: len(cap.of_type("complaints.report.filed.v1")) >= 2)
    about_official, general = sorted(cap.of_type("complaints.report.filed.v1"), key=lambda e: e.data.subject is None)
    assert about_official.data.subject.model_dump() == {
        "service": "complaints",
        "kind": "unit",
        "id": UNIT,
        "label": None,
    }
    assert about_official.data.anonymous is False
    raw = about_official.to_json()
    assert "司马光明" not in raw and "上官秋月" not in raw and "红包" not in raw and "局长" not in raw
    assert general.data.subject is None
