"""Identifier validation, integer money, and the working-day calendar."""

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError
from sunlight.codes import USCC, RegionCode, parent_region, region_contains, region_name, validate_resident_id
from sunlight.money import format_yuan, parse_minor_units
from sunlight.workdays import OFFICIAL, WorkdayCalendar


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
    assert WorkdayCalendar.covers(date(2026, 6, 1)) and not WorkdayCalendar.covers(date(2099, 6, 1))
    assert OFFICIAL.is_workday(date(2099, 6, 1)) is True  # Monday; beyond the schedule: weekdays
