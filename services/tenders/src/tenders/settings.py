"""Tenders settings: the common ones plus the thresholds of its rules (rules.py cites each source)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from sunlight.settings import ServiceSettings


class TendersSettings(ServiceSettings):
    service_name: ClassVar[str] = "tenders"
    port: int = 8102

    # OCDS publication: the deployment's registered ocid prefix (https://standard.open-contracting.org, "ocid")
    ocid_prefix: str = Field(default="ocds-sunlit", pattern=r"^ocds-[a-z0-9]{6}$")

    # POST /v1/tenders/indicators/run: at most this many tenders over the API (larger runs: the command)
    indicator_max_tenders: int = Field(default=20_000, ge=1)
    ocds_import_max_bytes: int = Field(default=1024 * 1024 * 1024, ge=1024)  # an upload larger is refused (413)

    # TENDERS-NON-COMPETITIVE / TENDERS-SPLIT-CONTRACT: the single-contract estimates from which a project
    # using public money must be tendered (必须招标的工程项目规定, NDRC Order No. 16 of 2018, Art. 5):
    # construction ≥ 4 million yuan, important goods ≥ 2 million, services (survey, design, supervision)
    # ≥ 1 million. In fen.
    must_tender_fen: dict[str, int] = Field(
        default_factory=lambda: {"construction": 400_000_000, "goods": 200_000_000, "services": 100_000_000}
    )
    # TENDERS-SHORT-PERIOD: calendar days from the issue of the documents to the deadline, for projects that must
    # be tendered (Tendering and Bidding Law Art. 24: 最短不得少于二十日)
    min_bid_days: int = Field(default=20, ge=1)
    # TENDERS-SPLIT-CONTRACT: contracts of one project and category counted together within this many days
    split_window_days: int = Field(default=365, ge=1)

    # TENDERS-WINNER-AT-CEILING: an award within this many per mille of the ceiling price (最高投标限价)
    ceiling_band_permille: int = Field(default=10, ge=0, le=200)

    # TENDERS-CHANGE-ORDERS: cumulative change orders (absolute sum) over this share of the contract price
    # (orange), red from the second share. 10 %: the ceiling the Government Procurement Law sets on
    # additional purchases under a signed contract (政府采购法 Art. 49); 20 %: a detection choice.
    change_order_percent: int = Field(default=10, ge=1, le=100)
    change_order_red_percent: int = Field(default=20, ge=1, le=500)

    # TENDERS-BID-ROTATION: a group of at least rotation_min_members enterprises bidding together in at least
    # rotation_min_tenders tenders (within rotation_window_days), all won by the group, by at least
    # rotation_min_members different winners in turn. Detection choices (OCP R057), no statute.
    rotation_min_tenders: int = Field(default=3, ge=2)
    rotation_min_members: int = Field(default=3, ge=2)
    rotation_window_days: int = Field(default=730, ge=30)

    # the expert draw: an expert drawn for the same owner more than draw_owner_max times within
    # draw_owner_window_days is excluded (a rotation choice of the deployment; Implementing Regulation of the
    # Tendering and Bidding Law Art. 46 requires the random draw, not a number)
    draw_owner_max: int = Field(default=3, ge=1)
    draw_owner_window_days: int = Field(default=365, ge=1)

    # TENDERS-EXPERT-OUTLIER: an expert's score of a bid further than this many points from the median of the
    # other experts' scores of the same bid
    outlier_points: float = Field(default=15.0, gt=0)
