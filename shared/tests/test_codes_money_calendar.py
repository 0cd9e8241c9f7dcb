"""Identifier validation, integer money, and the working-day calendar."""

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError
from sunlight.codes import USCC, RegionCode, parent_region, region_contains, region_name, validate_resident_id
from sunlight.money import format_yuan, parse_minor_units
from sunlight.workdays import CalendarNotCovered, WorkdayCalendar

OFFICIAL = WorkdayCalendar()


class Org(BaseModel):
    uscc: USCC
    region: RegionCode


def test_uscc_check_character_is_validated():
    assert Org(uscc=" 91110000600037341l ", region="130302").uscc == "91110000600037341L"
    with pytest.raises(ValidationError) as err:
        Org(uscc="91110000600037341X", region="130302")
    assert "unified social credit code" in str(err.value)


def test_region_codes_come_from_gbt_2260_and_nest_by_prefix():
    assert region_name("130302") == "海港区" and region_name("130300") == "秦皇岛市"
    with pytest.raises(ValidationError):
        Org(uscc="91110000600037341L", region="999999")
    with pytest.raises(ValidationError):
        Org(uscc="91110000600037341L", region="13030")
    assert Org(uscc="91110000600037341L", region="130302001").region == "130302001"  # a township
    assert region_contains("130000", "130302001") and not region_contains("130302", "130303")
    assert [parent_region(c) for c in ("130302001", "130302", "130300", "130000")] == [
        "130302",
        "130300",
        "130000",
        "000000",
    ]


def test_resident_id_check_character():
    assert validate_resident_id("11010519491231002X") == "11010519491231002X"
    with pytest.raises(ValueError):
        validate_resident_id("110105194912310021")


@pytest.mark.parametrize(
    ("text", "mark", "fen"),
    [
        ("5.172.338,50 kn", ",", 517233850),
        ("£1,234.5", ".", 123450),
        ("0.01", ".", 1),
        ("-12.00", ".", -1200),
        ("1 000,00", ",", 100000),
    ],
)
def test_amounts_parse_to_integer_minor_units_without_float(text, mark, fen):
    assert parse_minor_units(text, decimal_mark=mark) == fen


@pytest.mark.parametrize("text", ["abc", "1.234", "", "12.3.4"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_minor_units(text)


def test_format_yuan():
    assert format_yuan(123456789) == "1,234,567.89" and format_yuan(-5) == "-0.05"


def test_official_calendar_knows_holidays_and_make_up_days():
    assert not OFFICIAL.is_workday(date(2026, 2, 17))  # Spring Festival
    assert OFFICIAL.is_workday(date(2026, 2, 14))  # a Saturday worked to make up for it
    assert not OFFICIAL.is_workday(date(2026, 10, 1)) and OFFICIAL.is_workday(date(2026, 10, 10))
    # 3 working days from Monday 2026-09-28: Tue 29, Wed 30, then the National Day week (1–7 Oct), Thu 8 Oct
    assert OFFICIAL.add_workdays(date(2026, 9, 28), 3) == date(2026, 10, 8)
    assert OFFICIAL.workdays_between(date(2026, 9, 28), date(2026, 10, 8)) == 3


def test_suspensions_stop_the_clock_and_local_days_override():
    start = date(2026, 3, 2)  # a Monday
    assert OFFICIAL.add_workdays(start, 5) == date(2026, 3, 9)
    assert OFFICIAL.add_workdays(start, 5, suspended=[(date(2026, 3, 3), date(2026, 3, 4))]) == date(2026, 3, 11)
    local = WorkdayCalendar(holidays=[date(2026, 3, 3)], workdays=[date(2026, 3, 7)])
    assert not local.is_workday(date(2026, 3, 3)) and local.is_workday(date(2026, 3, 7))
    assert OFFICIAL.covers(date(2026, 6, 1)) and not OFFICIAL.covers(date(2099, 6, 1))


def test_a_year_without_a_schedule_is_refused_not_guessed():
    """chinesecalendar 1.11 stops at 2026: 2027-10-01 (National Day) must not count as a working Friday."""
    assert not OFFICIAL.covers(date(2027, 10, 1))
    with pytest.raises(CalendarNotCovered) as refused:
        OFFICIAL.is_workday(date(2027, 10, 1))
    assert refused.value.status == 503 and refused.value.extensions["year"] == 2027
    with pytest.raises(CalendarNotCovered):  # a 30-working-day deadline from 2026-12-01 runs into 2027
        OFFICIAL.add_workdays(date(2026, 12, 1), 30)
    assert OFFICIAL.covered_until(date(2026, 11, 30)) == date(2026, 12, 31)
    assert OFFICIAL.covered_until(date(2027, 1, 4)) is None


def test_a_deployment_loads_the_next_years_schedule_from_a_file(tmp_path):
    schedule = tmp_path / "calendar.json"
    # a made-up 2027 schedule for the test (not the State Council's): New Year off, one Sunday worked
    schedule.write_text('{"years": [2027], "holidays": ["2027-01-01"], "workdays": ["2027-01-03"]}')
    calendar = WorkdayCalendar.configured(schedule)
    assert calendar.covers(date(2027, 10, 1)) and calendar.covered_until(date(2026, 11, 30)) == date(2027, 12, 31)
    assert not calendar.is_workday(date(2027, 1, 1))  # a Friday, listed as a holiday
    assert calendar.is_workday(date(2027, 1, 3))  # a Sunday, listed as a working day
    assert calendar.is_workday(date(2027, 1, 4)) and not calendar.is_workday(date(2027, 1, 9))
    assert not calendar.is_workday(date(2026, 10, 1))  # the library's years are unchanged
    # Thu 2026-12-31 → Mon 2027-01-04 (1 Jan is off, 2 Jan a Saturday, 3 Jan worked) → 2 working days
    assert calendar.add_workdays(date(2026, 12, 31), 2) == date(2027, 1, 4)


def test_readiness_warns_before_the_calendar_runs_out(tmp_path):
    from datetime import UTC, datetime

    from sunlight.app import calendar_warnings
    from sunlight.settings import ServiceSettings

    official = ServiceSettings(environment="test")
    assert calendar_warnings(official, datetime(2026, 6, 1, tzinfo=UTC)) == []
    (ending,) = calendar_warnings(official, datetime(2026, 11, 30, tzinfo=UTC))
    assert "ends on 2026-12-31" in ending
    (missing,) = calendar_warnings(official, datetime(2027, 1, 4, tzinfo=UTC))
    assert "no working-day schedule for 2027" in missing
    schedule = tmp_path / "calendar.json"
    schedule.write_text('{"years": [2027]}')
    loaded = ServiceSettings(environment="test", calendar_file=schedule)
    assert calendar_warnings(loaded, datetime(2026, 11, 30, tzinfo=UTC)) == []
