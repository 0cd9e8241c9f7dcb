"""Cardinal's red-flag indicators over OCDS compiled releases, in one pass.

A port of open-contracting/cardinal-rs (``src/indicators/*.rs``, commit b04158a, 2026-08; R044
from branch ``r044`` 1891189 and R055 from branch ``r055`` 7e7737f, both not yet merged upstream):
same definitions, defaults, exclusions, quartile method and fences (``stats.py``). Each release is
visited once; what every indicator needs from it (submitted bids, valid priced bids, final awards)
is derived once and shared. Indicators over the whole dataset (R024, R025, R038, R048, R055, R058)
keep small per-organisation or per-process accumulators and decide in :meth:`Engine.finish`.

Rules common to all indicators (Cardinal ``docs/cli/indicators/index.md``): a release without a
string ``ocid``, a cancelled tender, or a ``procurementMethodDetails`` listed in
``[exclusions]`` is skipped; a bid is *submitted* when its status is pending, valid or
disqualified; prices are compared only in the main currency (``currency`` in the settings, else
the first one observed — in file order here, where Cardinal's parallel reader takes whichever
thread sees one first).

R055 ("multiple direct awards above or just below the competitive threshold") is Cardinal's
unfinished draft made coherent: direct awards are those of processes whose
``tender.procurementMethod`` is ``direct`` (the draft's field comments say so; its code forgot the
test); they are **summed** per buyer–supplier and procuring entity–supplier pair within the
window (the draft overwrote per process); the default threshold is the **smallest** open tender
value in the window (meta ``lower_open_amount``; the draft took an arbitrary one), and with no
open tender and no ``threshold`` nothing is flagged (the draft flagged every pair against 0).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from tenders.indicators import outliers, stats
from tenders.indicators.result import GROUPS, Result
from tenders.indicators.settings import Settings

FINAL_AWARD = {"active": True, "cancelled": False, "unsuccessful": False}
CONTACT_FIELDS = ("name", "email", "telephone", "faxNumber", "url")
ADDRESS_FIELDS = ("streetAddress", "locality", "region", "postalCode", "countryName")


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _rfc3339(value: object) -> datetime | None:
    """chrono's ``parse_from_rfc3339``: a full date-time with an offset, else nothing."""
    if not isinstance(value, str) or len(value) < 20:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _str_id(obj: object) -> str | None:
    if isinstance(obj, dict):
        ident = obj.get("id")
        if isinstance(ident, str):
            return ident
    return None


class Engine:
    """Feed compiled releases with :meth:`add` (any order), then :meth:`finish` once."""

    def __init__(self, settings: Settings | None = None, *, today: date | None = None) -> None:
        s = self.settings = settings or Settings()
        on = s.enabled
        self.on_ratio = "R024" in on or "R058" in on
        self.on = {code: code in on for code in ("R003", "R018", "R025", "R028", "R030", "R035", "R036", "R038")}
        self.on_r044, self.on_r048, self.on_r055 = "R044" in on, "R048" in on, "R055" in on
        self.currency: str | None = s.currency
        self.r055_start, self.r055_end = s.r055_window(today)
        self.r055_window = (self.r055_start.isoformat(), self.r055_end.isoformat())
        self.res: dict[str, dict[str, dict[str, float]]] = {g: {} for g in GROUPS}
        self.meta: dict[str, dict[str, float | None]] = {}
        self.count = 0
        # Dataset-wide accumulators.
        self.ratios: dict[str, float] = {}
        self.pairs: dict[str, tuple[str, str]] = {}
        self.r025: dict[str, list[int]] = {}
        self.r038: dict[str, dict[str, list[int]]] = {"Buyer": {}, "ProcuringEntity": {}, "Tenderer": {}}
        self.r048: dict[str, tuple[list[int], set[str]]] = {}
        self.r055_open: list[float] = []
        self.r055_pairs: dict[str, dict[tuple[str, str], float]] = {"Buyer": {}, "ProcuringEntity": {}}

    # -- helpers --------------------------------------------------------------------------------

    def flag(self, group: str, ident: str, code: str, value: float) -> None:
        self.res[group].setdefault(ident, {})[code] = value

    def _main_currency(self, currency: str) -> bool:
        if self.currency is None:
            self.currency = currency
        return currency == self.currency

    def _price_comparison(self, pmd: object) -> bool:
        include = self.settings.price_comparison_procurement_methods
        if isinstance(pmd, str):
            return pmd in include if include else pmd not in self.settings.no_price_comparison_procurement_methods
        return not include

    # -- one release ------------------------------------------------------------------------------

    def add(self, release: object) -> None:  # one pass on purpose (see the module doc)
        if not isinstance(release, dict):
            return
        ocid = release.get("ocid")
        if not isinstance(ocid, str):
            return
        tender = release.get("tender")
        if not isinstance(tender, dict):
            tender = None
        pmd = tender.get("procurementMethodDetails") if tender is not None else None
        if tender is not None and tender.get("status") == "cancelled":
            return
        if isinstance(pmd, str) and pmd in self.settings.excluded_procurement_method_details:
            return
        self.count += 1
        s, on = self.settings, self.on

        awards = release.get("awards")
        if not isinstance(awards, list):
            awards = None
        bids = release.get("bids")
        details = bids.get("details") if isinstance(bids, dict) else None
        if not isinstance(details, list):
            details = None

        # Final awards (Cardinal: get_complete_awards_and_bids_if_all_awards_final).
        complete: list[dict[str, Any]] | None = None
        if awards is not None and details is not None:
            complete = []
            for award in awards:
                status = award.get("status") if isinstance(award, dict) else None
                if isinstance(status, str):
                    final = FINAL_AWARD.get(status)
                    if final is None:
                        complete = None
                        break
                    if final:
                        complete.append(award)
        single_supplier: str | None = None
        if complete is not None and len(complete) == 1:
            suppliers = complete[0].get("suppliers")
            if isinstance(suppliers, list) and len(suppliers) == 1:
                single_supplier = _str_id(suppliers[0])

        # Bids, once. A submitted bid (status pending, valid or disqualified) becomes a tuple:
        # (status, tenderer ids (strings), len(tenderers) or -1 when not a list, amount, currency, date).
        submitted: list[tuple[str, tuple[str, ...], int, float | None, str | None, object]] = []
        if details is not None:
            for bid in details:
                if bid.__class__ is not dict:
                    continue
                status = bid.get("status")
                if status.__class__ is not str or status == "invited" or status == "withdrawn":
                    continue
                tenderers = bid.get("tenderers")
                listed = len(tenderers) if tenderers.__class__ is list else -1
                ids: tuple[str, ...] = ()
                if listed == 1:
                    first = tenderers[0]
                    if first.__class__ is dict and (i := first.get("id")).__class__ is str:
                        ids = (i,)
                elif listed > 1:
                    ids = tuple(i for t in tenderers if t.__class__ is dict and (i := t.get("id")).__class__ is str)
                value = bid.get("value")
                amount = currency = None
                if value.__class__ is dict:
                    amount = value.get("amount")
                    amount = float(amount) if amount.__class__ in (int, float) else None
                    currency = value.get("currency")
                    if currency.__class__ is not str:
                        currency = None
                submitted.append((status, ids, listed, amount, currency, bid.get("date")))
        # Valid bids of exactly one tenderer (Cardinal: get_tenderer_and_value_of_valid_bids, R025).
        valid_single = [b for b in submitted if b[0] == "valid" and b[2] == 1 and len(b[1]) == 1]

        price_ok = (self.on_ratio or on["R028"] or on["R036"]) and self._price_comparison(pmd)

        # SecondLowestBidRatio (R024, R058).
        if self.on_ratio and price_ok and single_supplier is not None:
            winner = winner_amount = loser = loser_amount = None
            for _, ids, _, amount, currency, _ in valid_single:
                if amount is None or currency is None:
                    continue
                if self.currency is None:
                    self.currency = currency
                elif currency != self.currency:
                    continue
                tid = ids[0]
                if tid == single_supplier:
                    if winner_amount is None or amount < winner_amount:
                        winner, winner_amount = tid, amount
                elif loser_amount is None or amount < loser_amount:
                    loser, loser_amount = tid, amount
            if winner is not None and loser is not None and loser_amount >= winner_amount:  # type: ignore[operator]
                try:
                    ratio = (loser_amount - winner_amount) / winner_amount  # type: ignore[operator]
                except ZeroDivisionError:
                    ratio = math.nan if loser_amount == winner_amount else math.inf
                self.ratios[ocid] = ratio
                self.pairs[ocid] = (winner, loser)

        if tender is not None:
            method = tender.get("procurementMethod")
            if not isinstance(method, str):
                method = None  # Cardinal: a method filter then matches nothing
            if on["R003"] and (not s.r003_procurement_methods or method in s.r003_procurement_methods):
                period = tender.get("tenderPeriod")
                if isinstance(period, dict):
                    start, end = _rfc3339(period.get("startDate")), _rfc3339(period.get("endDate"))
                    if start is not None and end is not None:
                        span = end - start  # chrono's num_days(): whole days, truncated toward zero
                        days = span.days if span.days >= 0 else -((-span) // _DAY)
                        limit = s.r003_threshold
                        if isinstance(pmd, str):
                            limit = s.r003_procurement_method_details.get(pmd, limit)
                        if days < limit:
                            self.flag("OCID", ocid, "R003", 1.0)
            if on["R018"] and (not s.r018_procurement_methods or method in s.r018_procurement_methods):
                n = tender.get("numberOfTenderers")
                if n == 1 and isinstance(n, int) and not isinstance(n, bool):
                    self.flag("OCID", ocid, "R018", 1.0)

        if on["R025"] and single_supplier is not None:
            for tid in {b[1][0] for b in valid_single}:
                fraction = self.r025.get(tid)
                if fraction is None:
                    fraction = self.r025[tid] = [0, 0]
                fraction[0] += tid == single_supplier
                fraction[1] += 1

        if on["R028"] and price_ok and len(submitted) > 1:
            prices: dict[tuple[float, str], frozenset[str]] = {}
            for _, ids, listed, amount, currency, _ in submitted:
                if listed < 0 or amount is None or currency is None or not ids:
                    continue
                key = (amount, currency)
                group = frozenset(ids)
                other = prices.get(key)
                if other is not None and other != group:
                    self.flag("OCID", ocid, "R028", 1.0)
                    for tid in group | other:
                        self.flag("Tenderer", tid, "R028", 1.0)
                prices[key] = group

        if on["R030"] and tender is not None and awards is not None and details is not None:
            period = tender.get("tenderPeriod")
            end_date = period.get("endDate") if isinstance(period, dict) else None
            if isinstance(end_date, str):
                late = [
                    b for b in submitted if b[0] == "valid" and b[2] >= 0 and isinstance(b[5], str) and b[5] > end_date
                ]
                if late:
                    winners = set()
                    for award in awards:
                        if isinstance(award, dict) and award.get("status") == "active":
                            suppliers = award.get("suppliers")
                            if isinstance(suppliers, list):
                                winners.update(i for i in map(_str_id, suppliers) if i is not None)
                    for b in late:
                        for tid in b[1]:
                            if tid in winners:
                                self.flag("OCID", ocid, "R030", 1.0)
                                self.flag("Tenderer", tid, "R030", 1.0)

        if on["R035"] and complete is not None and submitted:
            valid_ids = {tid for b in submitted if b[0] == "valid" for tid in b[1]}
            if len(valid_ids) == 1:
                award_ids: set[str] = set()
                for award in complete:
                    suppliers = award.get("suppliers")
                    if isinstance(suppliers, list):
                        award_ids.update(i for i in map(_str_id, suppliers) if i is not None)
                if valid_ids == award_ids:
                    disqualified_ids = {tid for b in submitted if b[0] == "disqualified" for tid in b[1]}
                    others = len(disqualified_ids - valid_ids)
                    if others >= s.r035_threshold:
                        self.flag("OCID", ocid, "R035", float(others))
                        self.flag("Tenderer", next(iter(valid_ids)), "R035", 0.0)

        if (
            on["R036"]
            and price_ok
            and awards is not None
            and any(isinstance(a, dict) and a.get("status") == "active" for a in awards)
        ):
            lowest: float | None = None
            lowest_disqualified = has_valid = False
            for status, _, _, amount, currency, _ in submitted:
                if amount is None or currency is None:
                    continue
                if self.currency is None:
                    self.currency = currency
                elif currency != self.currency:
                    continue
                if lowest is None or amount < lowest:
                    lowest, lowest_disqualified = amount, status == "disqualified"
                if status == "valid":
                    has_valid = True
            if has_valid and lowest_disqualified:
                self.flag("OCID", ocid, "R036", 1.0)

        if on["R038"] and submitted:
            disqualified = 0
            per_tenderer = self.r038["Tenderer"]
            for status, ids, _, _, _, _ in submitted:
                increment = 1 if status == "disqualified" else 0
                disqualified += increment
                for tid in ids:
                    fraction = per_tenderer.get(tid)
                    if fraction is None:
                        per_tenderer[tid] = [increment, 1]
                    else:
                        fraction[0] += increment
                        fraction[1] += 1
            entity = tender.get("procuringEntity") if tender is not None else None
            for group, org in (("Buyer", release.get("buyer")), ("ProcuringEntity", entity)):
                oid = _str_id(org)
                if oid is not None:
                    fraction = self.r038[group].get(oid)
                    if fraction is None:
                        self.r038[group][oid] = [disqualified, len(submitted)]
                    else:
                        fraction[0] += disqualified
                        fraction[1] += len(submitted)

        if self.on_r044:
            self._r044(release, ocid)

        if self.on_r048 and awards is not None:
            seen: set[str] = set()
            for award in awards:
                if not isinstance(award, dict):
                    continue
                items, suppliers = award.get("items"), award.get("suppliers")
                if award.get("status") != "active" or not isinstance(items, list):
                    continue
                if not isinstance(suppliers, list) or len(suppliers) != 1:
                    continue
                sid = _str_id(suppliers[0])
                if sid is None:
                    continue
                for item in items:
                    classification = item.get("classification") if isinstance(item, dict) else None
                    code = classification.get("id") if isinstance(classification, dict) else None
                    if isinstance(code, str):
                        entry = self.r048.get(sid)
                        if entry is None:
                            entry = self.r048[sid] = ([0], set())
                        if sid not in seen:
                            seen.add(sid)
                            entry[0][0] += 1
                        entry[1].add(code[: s.r048_digits])

        if self.on_r055:
            self._r055(release, tender, awards)

    def _r044(self, release: dict[str, Any], ocid: str) -> None:
        parties = release.get("parties")
        if not isinstance(parties, list):
            return
        found: dict[str, tuple[str | None, object]] = {}
        for party in parties:
            if not isinstance(party, dict):
                continue
            roles, pid = party.get("roles"), party.get("id")
            if isinstance(roles, list) and "tenderer" in roles and isinstance(pid, str):
                address = party.get("address")
                text = None
                if isinstance(address, dict) and "streetAddress" in address:
                    text = "".join(
                        address[f].strip().lower() + " " for f in ADDRESS_FIELDS if isinstance(address.get(f), str)
                    )
                found[pid] = (text, party.get("contactPoint"))
        if len(found) < 2:
            return
        for pid, (address, contact) in found.items():
            for other_id, (other_address, other_contact) in found.items():
                if pid == other_id:
                    continue
                if (address is not None and address == other_address) or _same_contact(other_contact, contact):
                    self.flag("OCID", ocid, "R044", 1.0)
                    self.flag("Tenderer", pid, "R044", 1.0)

    def _r055(self, release: dict[str, Any], tender: dict[str, Any] | None, awards: list[Any] | None) -> None:
        if tender is None:
            return
        method = tender.get("procurementMethod")
        if method == "open":
            period = tender.get("tenderPeriod")
            text = period.get("startDate") if isinstance(period, dict) else None
            # The date as written (its own offset) decides; parse only what can be in the window.
            if not isinstance(text, str) or not self.r055_window[0] <= text[:10] <= self.r055_window[1]:
                return
            when = _rfc3339(text)
            value = tender.get("value")
            if when is not None and self.r055_start <= when.date() <= self.r055_end and isinstance(value, dict):
                amount, currency = _number(value.get("amount")), value.get("currency")
                if amount is not None and isinstance(currency, str) and self._main_currency(currency):
                    self.r055_open.append(amount)
        elif method == "direct" and awards is not None:
            buyer = _str_id(release.get("buyer"))
            entity = _str_id(tender.get("procuringEntity"))
            for award in awards:
                if not isinstance(award, dict) or award.get("status") != "active":
                    continue
                suppliers, value = award.get("suppliers"), award.get("value")
                if not isinstance(suppliers, list) or len(suppliers) != 1 or not isinstance(value, dict):
                    continue
                sid, when = _str_id(suppliers[0]), _rfc3339(award.get("date"))
                if sid is None or when is None or not self.r055_start <= when.date() <= self.r055_end:
                    continue
                amount, currency = _number(value.get("amount")), value.get("currency")
                if amount is None or not isinstance(currency, str) or not self._main_currency(currency):
                    continue
                for group, oid in (("Buyer", buyer), ("ProcuringEntity", entity)):
                    if oid is not None:
                        pairs = self.r055_pairs[group]
                        pairs[(oid, sid)] = pairs.get((oid, sid), 0.0) + amount

    # -- the whole dataset ----------------------------------------------------------------------

    def merge(self, other: Engine) -> None:
        """Cardinal's ``reduce``: take in the fold of a *later* part of the same file (``parallel.py``)."""
        for group, idents in other.res.items():
            mine = self.res[group]
            for ident, codes in idents.items():
                mine.setdefault(ident, {}).update(codes)
        self.count += other.count
        if self.currency is None:
            self.currency = other.currency
        self.ratios.update(other.ratios)
        self.pairs.update(other.pairs)
        for fractions, theirs in [(self.r025, other.r025)] + [(self.r038[g], other.r038[g]) for g in self.r038]:
            for key, (num, den) in theirs.items():
                fraction = fractions.setdefault(key, [0, 0])
                fraction[0] += num
                fraction[1] += den
        for sid, (count, codes) in other.r048.items():
            entry = self.r048.setdefault(sid, ([0], set()))
            entry[0][0] += count[0]
            entry[1].update(codes)
        self.r055_open.extend(other.r055_open)
        for group, pairs in other.r055_pairs.items():
            for key, amount in pairs.items():
                self.r055_pairs[group][key] = self.r055_pairs[group].get(key, 0.0) + amount

    def note(self, code: str, key: str, value: float) -> None:
        self.meta.setdefault(code, {})[key] = stats.round4(value)

    def finish(self) -> Result:
        """The dataset-wide indicators (fences over the accumulators), then the result."""
        outliers.finalize(self)
        return Result(results=self.res, meta=self.meta, releases=self.count)


def _same_contact(a: object, b: object) -> bool:
    """Cardinal R044: the first contact field both give decides (equal → similar)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for name in CONTACT_FIELDS:
            x, y = a.get(name), b.get(name)
            if isinstance(x, str) and isinstance(y, str):
                return x == y
    return False


_DAY = timedelta(days=1)


def run(
    releases: Iterable[object],
    settings: Settings | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 10_000,
    today: date | None = None,
) -> Result:
    """Every enabled indicator over an iterable of compiled releases (dicts)."""
    engine = Engine(settings, today=today)
    add = engine.add
    if progress is None:
        for release in releases:
            add(release)
        return engine.finish()
    for n, release in enumerate(releases, 1):
        add(release)
        if n % every == 0:
            progress(n)
    return engine.finish()
