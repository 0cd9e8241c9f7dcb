"""The default frameworks, in the shape of the seed's "323" model (廉情评估 "323" 工作模式).

Seed 003: leadership teams are assessed on 17 first-level and 31 second-level indicators,
leading officials on 14, by ten evaluating bodies; the index grades A/B/C (red, yellow,
orange). The seed names none of them. Seed 002 gives the structure used here: three
dimensions (不敢腐、不能腐、不想腐), nine aspects (执纪问责、权力监督、制度治党、制度管权、制度治吏、
制度倡廉、清廉教育、预防状况、公众参与) as the team framework's first nine first-level indicators,
and third-party assessment (第三方评估) as one of the evaluating bodies. Which aspect belongs to
which dimension is our reading (seed 002 lists both without pairing them): punishment and
supervision deter (不敢), the four institutional aspects constrain (不能), education,
prevention and public participation persuade (不想). Four more first-level indicators are
computed from the data this platform holds (warnings, complaints, approval timeliness, fund
supervision). Everything else is a placeholder, labelled ``占位`` in its name and
``placeholder: true`` in the API, for a deployment to rename, reweight or replace
(``PUT /v1/integrity/frameworks/{code}``). Weights are equal; the cut-offs are the defaults of
``index.Cutoffs`` (A < 60, B < 70, C < 80).
"""

from __future__ import annotations

from integrity.index import Body, Definition, Dimension, FirstLevel, SecondLevel

TEAM = "323-team"
INDIVIDUAL = "323-individual"

BODIES = [Body(code=f"B{n:02d}", name=f"评估主体{n:02d}(占位)", placeholder=True) for n in range(1, 10)] + [
    Body(code="B10", name="第三方评估机构")  # seed 002: 建立健全第三方评估机制
]
DIMENSIONS = [
    Dimension(code="D1", name="不敢腐"),
    Dimension(code="D2", name="不能腐"),
    Dimension(code="D3", name="不想腐"),
]
ASPECTS = [  # seed 002's nine aspects, with the dimension each belongs to
    ("T01", "执纪问责", "D1"),
    ("T02", "权力监督", "D1"),
    ("T03", "制度治党", "D2"),
    ("T04", "制度管权", "D2"),
    ("T05", "制度治吏", "D2"),
    ("T06", "制度倡廉", "D2"),
    ("T07", "清廉教育", "D3"),
    ("T08", "预防状况", "D3"),
    ("T09", "公众参与", "D3"),
]


def _placeholders(code: str, count: int) -> list[SecondLevel]:
    return [
        SecondLevel(code=f"{code}.{n}", name=f"二级指标 {code}.{n}(占位)", placeholder=True)
        for n in range(1, count + 1)
    ]


def team() -> Definition:
    """17 first-level, 31 second-level indicators: 25 rated by the bodies, 6 computed from the services;
    the nine aspects of seed 002 in its three dimensions."""
    groups = [
        FirstLevel(code=code, name=name, dimension=dimension, indicators=_placeholders(code, 2))
        for code, name, dimension in ASPECTS
    ]
    groups += [
        FirstLevel(
            code="T10",
            name="预警情况",
            indicators=[
                SecondLevel(code="T10.1", name="红色预警", kind="computed", direction="negative",
                            source="warnings_red", low=0, high=3),
                SecondLevel(code="T10.2", name="橙色预警", kind="computed", direction="negative",
                            source="warnings_orange", low=0, high=5),
                SecondLevel(code="T10.3", name="蓝色预警", kind="computed", direction="negative",
                            source="warnings_blue", low=0, high=10),
            ],
        ),
        FirstLevel(
            code="T11",
            name="信访举报",
            indicators=[SecondLevel(code="T11.1", name="被投诉举报件数", kind="computed", direction="negative",
                                    source="complaints", low=0, high=10)],
        ),
        FirstLevel(
            code="T12",
            name="审批时效",
            indicators=[SecondLevel(code="T12.1", name="按时办结率", kind="computed", source="approvals_on_time_rate",
                                    low=0.8, high=1.0)],
        ),
        FirstLevel(
            code="T13",
            name="资金监管",
            indicators=[SecondLevel(code="T13.1", name="专项资金违规预警", kind="computed", direction="negative",
                                    source="funds_warnings", low=0, high=3)],
        ),
    ]  # fmt: skip
    groups += [
        FirstLevel(code=code, name=f"一级指标 {code}(占位)", placeholder=True, indicators=_placeholders(code, count))
        for code, count in (("T14", 2), ("T15", 2), ("T16", 2), ("T17", 1))
    ]
    return Definition(
        description="领导班子廉情指数: 17 个一级指标、31 个二级指标, 10 个评估主体 (seed 003); names are placeholders "
        "where the seeds give none.",
        bodies=BODIES,
        dimensions=DIMENSIONS,
        indicators=groups,
    )


def individual() -> Definition:
    """14 indicators, all rated by the bodies, grouped in three."""
    groups = [
        FirstLevel(code="I1", name="不敢腐", dimension="D1", indicators=_placeholders("I1", 5)),
        FirstLevel(code="I2", name="不能腐", dimension="D2", indicators=_placeholders("I2", 5)),
        FirstLevel(code="I3", name="不想腐", dimension="D3", indicators=_placeholders("I3", 4)),
    ]
    return Definition(
        description="领导干部廉情指数: 14 个指数, 10 个评估主体 (seed 003), grouped by seed 002's three dimensions; "
        "indicator names are placeholders.",
        bodies=BODIES,
        dimensions=DIMENSIONS,
        indicators=groups,
    )


DEFAULTS = {
    TEAM: ("领导班子廉情指数(323 模式)", "team", team),
    INDIVIDUAL: ("领导干部廉情指数(323 模式)", "individual", individual),
}
