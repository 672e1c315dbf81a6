"""Date input, import values, birthdays (solar and lunar) and relative wording.

Expectations are hand-computed from printed calendars:

    November 2026            December 2026
    Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su
                       1         1  2  3  4  5  6
     2  3  4  5  6  7  8      7  8  9 10 11 12 13
     9 10 11 12 13 14 15     14 15 16 17 18 19 20
    16 17 18 19 20 21 22     21 22 23 24 25 26 27
    23 24 25 26 27 28 29     28 29 30 31
    30

Lunar facts (Hong Kong Observatory / any Chinese calendar): lunar new year
2023-01-22, 2025-01-29, 2026-02-17, 2027-02-06; 2023 has a leap 2nd month
(闰二月, from 2023-03-22, 29 days), 2025 a leap 6th month (闰六月, from
2025-07-25, 29 days); 2024-12-31 is 腊月初一 of lunar 2024 (29 days, so the
eve 除夕 2025-01-28 is 腊月廿九); 腊月初一 of lunar 2025 is 2026-01-19 (29 days,
除夕 2026-02-16); 腊月初一 of lunar 2026 is 2027-01-08; 2026-11-24 is 十月十六.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunardate import LunarDate

from kamtui import i18n
from kamtui.dates import (
    Birthday,
    age_on,
    days_between,
    describe_relative,
    excel_serial_to_date,
    format_birthday,
    lunar_label,
    next_birthday,
    parse_birthday,
    parse_date_input,
    parse_date_value,
)
from kamtui.errors import ValidationError

WED = date(2026, 11, 25)  # a Wednesday
SUN = date(2026, 11, 29)
DATES = st.dates(date(1950, 1, 1), date(2090, 12, 31))


# ---------------------------------------------------------------------------
# parse_date_input: absolute and month-day


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-01",
        "2026/12/1",
        "2026.12.1",
        "2026年12月1日",
        "2026年12月1号",
        "20261201",
        "12-01",
        "12/1",
        "12.1",
        "12月1日",
        "12月1号",
        "十二月一日",
        "２０２６－１２－０１",  # full-width
        "  2026 - 12 - 01 ",
    ],
)
def test_absolute_and_month_day_forms(text):
    assert parse_date_input(text, WED) == date(2026, 12, 1)


def test_month_day_is_next_occurrence_on_or_after_today():
    dec15 = date(2026, 12, 15)
    assert parse_date_input("12-01", dec15) == date(2027, 12, 1)  # already past: next year
    assert parse_date_input("12-15", dec15) == dec15  # today counts
    assert parse_date_input("12-16", dec15) == date(2026, 12, 16)
    assert parse_date_input("1/5", date(2026, 12, 31)) == date(2027, 1, 5)


def test_month_day_feb_29():
    assert parse_date_input("2-29", date(2027, 12, 1)) == date(2028, 2, 29)  # leap year ahead
    with pytest.raises(ValidationError) as e:
        parse_date_input("02-29", WED)  # falls in 2027, a common year
    assert "02-29" in e.value.message and "2027" in e.value.message


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2026/4/31", "2-30", "13-01"])
def test_impossible_dates(text):
    with pytest.raises(ValidationError) as e:
        parse_date_input(text, WED, field="due_on")
    assert e.value.field == "due_on"
    assert text in e.value.message
    assert "does not exist" in e.value.message


def test_day_of_month():
    assert parse_date_input("15号", WED) == date(2026, 12, 15)
    assert parse_date_input("25号", WED) == WED  # today
    assert parse_date_input("30日", WED) == date(2026, 11, 30)
    assert parse_date_input("31号", WED) == date(2026, 12, 31)  # November has no 31st
    assert parse_date_input("31号", date(2027, 1, 31)) == date(2027, 1, 31)
    assert parse_date_input("30号", date(2027, 1, 31)) == date(2027, 3, 30)  # Feb has no 30th
    assert parse_date_input("三号", WED) == date(2026, 12, 3)
    assert parse_date_input("下月15号", WED) == date(2026, 12, 15)
    assert parse_date_input("下个月1号", date(2026, 12, 31)) == date(2027, 1, 1)


# ---------------------------------------------------------------------------
# relative amounts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+3d", date(2026, 11, 28)),
        ("3d", date(2026, 11, 28)),
        ("+3", date(2026, 11, 28)),
        ("3天", date(2026, 11, 28)),
        ("3天后", date(2026, 11, 28)),
        ("三天后", date(2026, 11, 28)),
        ("3日后", date(2026, 11, 28)),
        ("in 3 days", date(2026, 11, 28)),
        ("3 days", date(2026, 11, 28)),
        ("+2w", date(2026, 12, 9)),
        ("2w", date(2026, 12, 9)),
        ("2周", date(2026, 12, 9)),
        ("两周后", date(2026, 12, 9)),
        ("2个星期", date(2026, 12, 9)),
        ("a week", date(2026, 12, 2)),
        ("+1m", date(2026, 12, 25)),
        ("1个月", date(2026, 12, 25)),
        ("一个月后", date(2026, 12, 25)),
        ("2 months", date(2027, 1, 25)),
        ("1y", date(2027, 11, 25)),
        ("1年", date(2027, 11, 25)),
        ("-2d", date(2026, 11, 23)),
        ("3天前", date(2026, 11, 22)),
        ("3 days ago", date(2026, 11, 22)),
        ("+40d", date(2027, 1, 4)),
    ],
)
def test_relative(text, expected):
    assert parse_date_input(text, WED) == expected


def test_relative_across_year_and_month_ends():
    assert parse_date_input("+1d", date(2026, 12, 31)) == date(2027, 1, 1)
    assert parse_date_input("明天", date(2026, 12, 31)) == date(2027, 1, 1)
    assert parse_date_input("+1w", date(2026, 12, 28)) == date(2027, 1, 4)
    # calendar months: the day is clamped to the month's end
    assert parse_date_input("+1m", date(2026, 1, 31)) == date(2026, 2, 28)
    assert parse_date_input("+1m", date(2028, 1, 31)) == date(2028, 2, 29)
    assert parse_date_input("+1m", date(2026, 3, 31)) == date(2026, 4, 30)
    assert parse_date_input("+2m", date(2026, 12, 31)) == date(2027, 2, 28)
    assert parse_date_input("+1y", date(2028, 2, 29)) == date(2029, 2, 28)


@pytest.mark.parametrize("text", ["3", "1月", "3月", "am", "ad", "ten", "-3天后", "+", "1mon"])
def test_ambiguous_amounts_are_refused(text):
    # "3月" is March and "3" could be anything: only explicit amounts count.
    with pytest.raises(ValidationError):
        parse_date_input(text, WED)


# ---------------------------------------------------------------------------
# words and weekdays


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("今天", 0),
        ("今日", 0),
        ("today", 0),
        ("Today", 0),
        ("明天", 1),
        ("tomorrow", 1),
        ("tmr", 1),
        ("后天", 2),
        ("大后天", 3),
        ("昨天", -1),
        ("yesterday", -1),
        ("前天", -2),
    ],
)
def test_words(text, offset):
    assert parse_date_input(text, WED) == WED + timedelta(days=offset)


# On Wednesday 2026-11-25: a bare weekday is the next one on or after today.
BARE = {
    0: date(2026, 11, 30),
    1: date(2026, 12, 1),
    2: date(2026, 11, 25),
    3: date(2026, 11, 26),
    4: date(2026, 11, 27),
    5: date(2026, 11, 28),
    6: date(2026, 11, 29),
}
# ... and 下周X is day X of the next calendar week (Mon 11-30 to Sun 12-06).
NEXT_WEEK = {i: date(2026, 11, 30) + timedelta(days=i) for i in range(7)}
ZH_NAMES = [("一", 0), ("二", 1), ("三", 2), ("四", 3), ("五", 4), ("六", 5), ("日", 6), ("天", 6)]
EN_NAMES = [
    ("mon", 0),
    ("monday", 0),
    ("tue", 1),
    ("tues", 1),
    ("tuesday", 1),
    ("wed", 2),
    ("wednesday", 2),
    ("thu", 3),
    ("thur", 3),
    ("thurs", 3),
    ("thursday", 3),
    ("fri", 4),
    ("friday", 4),
    ("sat", 5),
    ("saturday", 5),
    ("sun", 6),
    ("sunday", 6),
]


@pytest.mark.parametrize(("char", "wd"), ZH_NAMES)
@pytest.mark.parametrize("word", ["周", "星期", "礼拜"])
def test_every_chinese_weekday_word(word, char, wd):
    assert parse_date_input(f"{word}{char}", WED) == BARE[wd]
    assert parse_date_input(f"下{word}{char}", WED) == NEXT_WEEK[wd]
    assert parse_date_input(f"下个{word}{char}", WED) == NEXT_WEEK[wd]
    assert parse_date_input(f"下下{word}{char}", WED) == NEXT_WEEK[wd] + timedelta(days=7)
    assert parse_date_input(f"这{word}{char}", WED) == date(2026, 11, 23) + timedelta(days=wd)
    assert parse_date_input(f"本{word}{char}", WED) == date(2026, 11, 23) + timedelta(days=wd)


@pytest.mark.parametrize(("digit", "wd"), [(str(i + 1), i) for i in range(7)])
def test_weekday_digits(digit, wd):
    assert parse_date_input(f"周{digit}", WED) == BARE[wd]  # 周7 = Sunday
    assert parse_date_input(f"下周{digit}", WED) == NEXT_WEEK[wd]


@pytest.mark.parametrize(("name", "wd"), EN_NAMES)
def test_every_english_weekday_word(name, wd):
    assert parse_date_input(name, WED) == BARE[wd]
    assert parse_date_input(name.upper(), WED) == BARE[wd]
    assert parse_date_input(f"next {name}", WED) == NEXT_WEEK[wd]
    assert parse_date_input(f"this {name}", WED) == date(2026, 11, 23) + timedelta(days=wd)


def test_weekdays_on_a_sunday():
    # Weeks start on Monday: on Sunday, next week starts tomorrow.
    assert parse_date_input("下周一", SUN) == date(2026, 11, 30)
    assert parse_date_input("周一", SUN) == date(2026, 11, 30)
    assert parse_date_input("周日", SUN) == SUN
    assert parse_date_input("下周日", SUN) == date(2026, 12, 6)
    assert parse_date_input("next sunday", SUN) == date(2026, 12, 6)


def test_weekdays_across_the_year_end():
    thu = date(2026, 12, 31)
    assert parse_date_input("周五", thu) == date(2027, 1, 1)
    assert parse_date_input("下周一", thu) == date(2027, 1, 4)
    assert parse_date_input("周四", thu) == thu


# ---------------------------------------------------------------------------
# errors


def test_empty_input_is_required():
    with pytest.raises(ValidationError) as e:
        parse_date_input("  ", WED, field="due_on")
    assert e.value.field == "due_on"
    assert e.value.message == "Due date is required"


@pytest.mark.parametrize(
    "text", ["abc", "next", "下周", "32/13/2026", "1.5.2026", "周八", "12-01-01"]
)
def test_bad_input_quotes_the_typed_value_and_the_forms(text):
    with pytest.raises(ValidationError) as e:
        parse_date_input(text, WED)
    assert e.value.field == "date"
    assert f"“{text}”" in e.value.message
    assert "2026-12-01" in e.value.message and "+3d" in e.value.message


def test_error_in_chinese():
    i18n.set_language("zh")
    with pytest.raises(ValidationError) as e:
        parse_date_input("下个礼拜八", WED)
    assert e.value.message.startswith("日期 “下个礼拜八” 无法识别")
    assert "下周一" in e.value.message
    with pytest.raises(ValidationError) as e:
        parse_date_input("2026-02-30", WED)
    assert e.value.message == "日期 “2026-02-30” 不存在"
    with pytest.raises(ValidationError) as e:
        parse_date_input("", WED, field="due_on")
    assert e.value.message == "到期日不能为空"


def test_control_characters_are_not_echoed():
    with pytest.raises(ValidationError) as e:
        parse_date_input("\x1b[31mred", WED)
    assert "\x1b" not in e.value.message


def test_date_objects_pass_through():
    assert parse_date_input(date(2026, 1, 2), WED) == date(2026, 1, 2)
    assert parse_date_input(datetime(2026, 1, 2, 10, 30), WED) == date(2026, 1, 2)


@given(DATES, st.integers(0, 3650))
def test_plus_days_property(today, n):
    assert parse_date_input(f"+{n}d", today) == today + timedelta(days=n)
    assert parse_date_input(f"{n}天后", today) == today + timedelta(days=n)


@given(DATES, DATES)
def test_iso_round_trip_and_month_day_is_within_a_year(today, d):
    assert parse_date_input(d.isoformat(), today) == d
    assert parse_date_input(f"{d.year}年{d.month}月{d.day}日", today) == d
    if (d.month, d.day) != (2, 29):
        got = parse_date_input(f"{d.month}-{d.day}", today)
        assert (got.month, got.day) == (d.month, d.day)
        assert today <= got < today + timedelta(days=366)


# ---------------------------------------------------------------------------
# parse_date_value


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-05",
        "2026/3/5",
        "2026.3.5",
        "2026年3月5日",
        "20260305",
        " 2026-03-05 ",
        "2026-03-05 10:30:00",
        "2026-03-05T10:30:00Z",
        "2026/03/05 0:00",
        "２０２６年３月５日",
        date(2026, 3, 5),
        datetime(2026, 3, 5, 23, 59),
    ],
)
def test_value_forms(value):
    assert parse_date_value(value, "added_on") == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),  # after Lotus's phantom 1900-02-29 (serial 60)
        (25569, date(1970, 1, 1)),
        (45658, date(2025, 1, 1)),
        (46000, date(2025, 12, 9)),
        (46000.75, date(2025, 12, 9)),  # the time of day is dropped
        ("46000", date(2025, 12, 9)),
        ("46000.5", date(2025, 12, 9)),
    ],
)
def test_excel_serials(serial, expected):
    assert parse_date_value(serial, "added_on") == expected


@pytest.mark.parametrize("value", [60, "60"])
def test_excel_phantom_leap_day_is_impossible(value):
    with pytest.raises(ValidationError) as e:
        parse_date_value(value, "added_on")
    assert "does not exist" in e.value.message


@pytest.mark.parametrize("value", ["2026-02-30", "20260230", "2025年2月29日", "2026/13/1"])
def test_value_impossible(value):
    with pytest.raises(ValidationError) as e:
        parse_date_value(value, "added_on")
    assert e.value.field == "added_on"
    assert value in e.value.message and "does not exist" in e.value.message


@pytest.mark.parametrize(
    "value", ["明天", "+3d", "12-01", "abc", "202603", "-5", 0, -1, True, 1.5e12, float("nan")]
)
def test_value_rejects_relative_and_garbage(value):
    with pytest.raises(ValidationError) as e:
        parse_date_value(value, "added_on")
    assert e.value.field == "added_on"


def test_value_empty_is_required():
    with pytest.raises(ValidationError) as e:
        parse_date_value(None, "added_on")
    assert e.value.message == "Date added is required"


@given(st.dates(date(1900, 3, 1), date(2200, 12, 31)))
def test_excel_serial_property(d):
    serial = (d - date(1899, 12, 30)).days
    assert excel_serial_to_date(serial) == d
    assert parse_date_value(d.isoformat()) == d
    assert parse_date_value(d.strftime("%Y%m%d")) == d


# ---------------------------------------------------------------------------
# birthdays: parsing and formatting


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-05-01", Birthday(5, 1, 1990)),
        ("1990/5/1", Birthday(5, 1, 1990)),
        ("1990.5.1", Birthday(5, 1, 1990)),
        ("19900501", Birthday(5, 1, 1990)),
        ("1990年5月1日", Birthday(5, 1, 1990)),
        ("公历1990年5月1日", Birthday(5, 1, 1990)),
        ("05-01", Birthday(5, 1)),
        ("5/1", Birthday(5, 1)),
        ("5月1日", Birthday(5, 1)),
        ("5月1号", Birthday(5, 1)),
        ("五月一日", Birthday(5, 1)),
        ("--05-01", Birthday(5, 1)),
        ("--0501", Birthday(5, 1)),
        ("1604-05-01", Birthday(5, 1)),  # Apple's "no year"
        ("02-29", Birthday(2, 29)),
        ("2000-02-29", Birthday(2, 29, 2000)),
        ("农历三月初五", Birthday(3, 5, lunar=True)),
        ("农历1990年三月初五", Birthday(3, 5, 1990, lunar=True)),
        ("阴历3月5日", Birthday(3, 5, lunar=True)),
        ("农历闰四月初八", Birthday(4, 8, lunar=True, leap=True)),
        ("农历2023年闰二月初八", Birthday(2, 8, 2023, lunar=True, leap=True)),
        ("农历正月十五", Birthday(1, 15, lunar=True)),
        ("农历冬月廿三", Birthday(11, 23, lunar=True)),
        ("农历腊月三十", Birthday(12, 30, lunar=True)),
        ("农历十二月二十", Birthday(12, 20, lunar=True)),
        ("三月初五", Birthday(3, 5, lunar=True)),  # 初五 only exists in the lunar calendar
        ("腊月廿三", Birthday(12, 23, lunar=True)),
        ("闰四月初八", Birthday(4, 8, lunar=True, leap=True)),
        ("L3-5", Birthday(3, 5, lunar=True)),
        ("l3/5", Birthday(3, 5, lunar=True)),
        ("L1990-3-5", Birthday(3, 5, 1990, lunar=True)),
        ("L闰4-8", Birthday(4, 8, lunar=True, leap=True)),
        ("lunar 3/5", Birthday(3, 5, lunar=True)),
        ("lunar leap 4/8", Birthday(4, 8, lunar=True, leap=True)),
        ("Lunar 3/5 (农历三月初五)", Birthday(3, 5, lunar=True)),
        ("农历 三月 初五", Birthday(3, 5, lunar=True)),
        ("  １９９０－０５－０１ ", Birthday(5, 1, 1990)),
    ],
)
def test_parse_birthday(text, expected):
    assert parse_birthday(text) == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_birthday_is_none(text):
    assert parse_birthday(text) is None


def test_birthday_from_a_date():
    assert parse_birthday(date(1990, 5, 1)) == Birthday(5, 1, 1990)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2023-02-29", "does not exist"),  # 2023 is a common year
        ("02-30", "does not exist"),
        ("13-01", "does not exist"),
        ("04-31", "does not exist"),
        ("农历三月三十一", "does not exist"),
        ("农历十三月初一", "does not exist"),
        ("农历2024年闰四月初八", "has no 闰四月"),  # 2024 has no leap month at all
        ("农历2025年闰四月初八", "has no 闰四月"),  # 2025's leap month is the 6th
        ("农历闰正月初一", "no 闰正月"),  # no leap 1st month in 1900-2099
        ("农历2025年闰六月三十", "does not exist"),  # 闰六月 2025 has 29 days
        ("农历1899年正月初一", "out of range"),
        ("1850-01-01", "between 1900 and 2100"),
        ("abc", "not understood"),
        ("1990-05", "not understood"),
        ("0501", "not understood"),
    ],
)
def test_bad_birthdays(text, fragment):
    with pytest.raises(ValidationError) as e:
        parse_birthday(text, field="bday")
    assert e.value.field == "bday"
    assert fragment in e.value.message
    assert f"“{text}”" in e.value.message


def test_bad_birthday_in_chinese():
    i18n.set_language("zh")
    with pytest.raises(ValidationError) as e:
        parse_birthday("xyz")
    assert e.value.message.startswith("生日 “xyz” 无法识别")
    assert "农历三月初五" in e.value.message
    with pytest.raises(ValidationError) as e:
        parse_birthday("农历2024年闰四月初八")
    assert e.value.message == "生日 “农历2024年闰四月初八” 不存在: 农历 2024 年没有闰四月"


def test_birthday_constructor_validates():
    with pytest.raises(ValidationError):
        Birthday(2, 30)
    with pytest.raises(ValidationError):
        Birthday(5, 1, leap=True)  # a solar birthday has no leap month
    with pytest.raises(ValidationError):
        Birthday(3, 31, lunar=True)


def test_birthday_columns_round_trip():
    b = Birthday(4, 8, 2023, lunar=False)
    assert Birthday.from_row(**{k[6:]: v for k, v in b.columns().items()}) == b
    lunar = Birthday(2, 8, 2023, lunar=True, leap=True)
    assert lunar.columns() == {
        "birth_year": 2023,
        "birth_month": 2,
        "birth_day": 8,
        "birth_lunar": True,
        "birth_leap": True,
    }
    assert Birthday.from_row(None, None, None, 0, 0) is None
    assert Birthday.from_row(None, 5, 1, 0, 0) == Birthday(5, 1)


@pytest.mark.parametrize(
    ("b", "zh", "en"),
    [
        (Birthday(5, 1, 1990), "1990-05-01", "1990-05-01"),
        (Birthday(5, 1), "05-01", "05-01"),
        (Birthday(3, 5, lunar=True), "农历三月初五", "lunar 3/5 (农历三月初五)"),
        (
            Birthday(4, 8, lunar=True, leap=True),
            "农历闰四月初八",
            "lunar leap 4/8 (农历闰四月初八)",
        ),
        (
            Birthday(3, 5, 1990, lunar=True),
            "农历1990年三月初五",
            "lunar 1990/3/5 (农历1990年三月初五)",
        ),
        (Birthday(1, 15, lunar=True), "农历正月十五", "lunar 1/15 (农历正月十五)"),
        (Birthday(11, 20, lunar=True), "农历冬月二十", "lunar 11/20 (农历冬月二十)"),
        (Birthday(12, 23, lunar=True), "农历腊月廿三", "lunar 12/23 (农历腊月廿三)"),
        (Birthday(12, 30, lunar=True), "农历腊月三十", "lunar 12/30 (农历腊月三十)"),
        (Birthday(10, 10, lunar=True), "农历十月初十", "lunar 10/10 (农历十月初十)"),
        (Birthday(10, 11, lunar=True), "农历十月十一", "lunar 10/11 (农历十月十一)"),
    ],
)
def test_format_birthday(b, zh, en):
    assert format_birthday(b, "zh") == zh
    assert format_birthday(b, "en") == en
    i18n.set_language("zh")
    assert format_birthday(b) == zh
    assert format_birthday(None) == ""


@st.composite
def birthdays(draw):
    lunar = draw(st.booleans())
    year = draw(st.none() | st.integers(1900, 2099))
    month = draw(st.integers(1, 12))
    if not lunar:
        last = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        if year is not None and month == 2 and not (year % 4 == 0 and year % 100 != 0):
            last = 29 if year % 400 == 0 else 28
        return Birthday(month, draw(st.integers(1, last)), year)
    if year is None:
        leap = draw(st.booleans()) and 2 <= month <= 11
        return Birthday(month, draw(st.integers(1, 30)), None, True, leap)
    leap_month = LunarDate.leap_month_for_year(year)
    if leap_month and draw(st.booleans()):
        month, leap = leap_month, True
    else:
        leap = False
    try:
        LunarDate(year, month, 30, leap).to_solar_date()
        last = 30
    except ValueError:
        last = 29
    return Birthday(month, draw(st.integers(1, last)), year, True, leap)


@given(birthdays(), st.sampled_from(["zh", "en"]))
def test_format_parse_round_trip(b, lang):
    assert parse_birthday(format_birthday(b, lang)) == b


# ---------------------------------------------------------------------------
# next birthday and age


def test_next_solar_birthday():
    today = date(2026, 11, 24)
    assert next_birthday(Birthday(11, 24), today) == today
    assert next_birthday(Birthday(11, 25, 1990), today) == date(2026, 11, 25)
    assert next_birthday(Birthday(11, 23), today) == date(2027, 11, 23)
    assert next_birthday(Birthday(1, 1), date(2026, 12, 31)) == date(2027, 1, 1)
    assert next_birthday(Birthday(12, 31), date(2026, 12, 31)) == date(2026, 12, 31)


def test_feb_29_birthday():
    leapling = Birthday(2, 29)
    assert next_birthday(leapling, date(2026, 11, 24)) == date(2027, 2, 28)  # common year
    assert next_birthday(leapling, date(2027, 2, 28)) == date(2027, 2, 28)
    assert next_birthday(leapling, date(2027, 3, 1)) == date(2028, 2, 29)  # leap year
    assert next_birthday(leapling, date(2028, 2, 29)) == date(2028, 2, 29)
    born = Birthday(2, 29, 2000)
    assert age_on(born, date(2027, 2, 27)) == 26
    assert age_on(born, date(2027, 2, 28)) == 27  # celebrated on Feb 28 in common years
    assert age_on(born, date(2028, 2, 28)) == 27
    assert age_on(born, date(2028, 2, 29)) == 28


def test_next_lunar_birthday():
    # 农历三月初五: 2026-04-21, 2027-04-11
    b = Birthday(3, 5, lunar=True)
    assert next_birthday(b, date(2026, 1, 1)) == date(2026, 4, 21)
    assert next_birthday(b, date(2026, 4, 21)) == date(2026, 4, 21)
    assert next_birthday(b, date(2026, 11, 24)) == date(2027, 4, 11)
    # 十月十六 is today
    assert next_birthday(Birthday(10, 16, lunar=True), date(2026, 11, 24)) == date(2026, 11, 24)


def test_lunar_12th_month_crosses_the_solar_new_year():
    b = Birthday(12, 5, lunar=True)  # 腊月初五
    # lunar 2026's 腊月初一 is 2027-01-08
    assert next_birthday(b, date(2026, 11, 24)) == date(2027, 1, 12)
    # in early January the birthday still belongs to the previous lunar year
    assert next_birthday(b, date(2026, 1, 10)) == date(2026, 1, 23)  # 2026-01-19 + 4
    assert next_birthday(b, date(2026, 1, 24)) == date(2027, 1, 12)
    # lunar 2024's 腊月初一 is 2024-12-31
    assert next_birthday(b, date(2024, 12, 15)) == date(2025, 1, 4)
    # 正月初一 (lunar new year)
    assert next_birthday(Birthday(1, 1, lunar=True), date(2026, 11, 24)) == date(2027, 2, 6)


def test_lunar_day_30_in_a_29_day_month():
    eve = Birthday(12, 30, lunar=True)  # 腊月三十: New Year's eve when the month is long
    assert next_birthday(eve, date(2025, 1, 1)) == date(2025, 1, 28)  # 腊月廿九 (29 days)
    assert next_birthday(eve, date(2026, 1, 1)) == date(2026, 2, 16)  # 腊月廿九 (29 days)
    assert next_birthday(eve, date(2022, 12, 1)) == date(2023, 1, 21)  # 腊月三十 (30 days)
    # the regular 2nd month of 2023 has 30 days, its leap twin 29
    assert next_birthday(Birthday(2, 30, lunar=True), date(2023, 1, 1)) == date(2023, 3, 21)
    leap_30 = Birthday(2, 30, lunar=True, leap=True)
    assert next_birthday(leap_30, date(2023, 1, 1)) == date(2023, 4, 19)  # 闰二月廿九


def test_lunar_leap_month_birthdays():
    leap2 = Birthday(2, 8, lunar=True, leap=True)  # 闰二月初八
    assert next_birthday(leap2, date(2023, 1, 1)) == date(2023, 3, 29)  # 2023 has 闰二月
    assert next_birthday(leap2, date(2023, 3, 30)) == date(2024, 3, 17)  # regular 二月 in 2024
    leap6 = Birthday(6, 8, lunar=True, leap=True)  # 闰六月初八
    assert next_birthday(leap6, date(2025, 1, 1)) == date(2025, 8, 1)  # 2025 has 闰六月
    assert next_birthday(leap6, date(2026, 1, 1)) == date(2026, 7, 21)  # regular 六月
    # a regular 六月 birthday stays in the regular month in a leap-6th year
    assert next_birthday(Birthday(6, 8, lunar=True), date(2025, 1, 1)) == date(2025, 7, 2)


def test_lunar_out_of_range_fails_gracefully():
    late = Birthday(12, 25, lunar=True)
    assert next_birthday(late, date(2100, 1, 15)) == date(2100, 2, 3)  # lunar 2099 still
    with pytest.raises(ValidationError) as e:
        next_birthday(Birthday(3, 5, lunar=True), date(2100, 6, 1))
    assert "out of range" in e.value.message
    # solar birthdays have no range limit
    assert next_birthday(Birthday(3, 5), date(2100, 6, 1)) == date(2101, 3, 5)


def test_age():
    b = Birthday(5, 1, 1990)
    assert age_on(b, date(2026, 4, 30)) == 35
    assert age_on(b, date(2026, 5, 1)) == 36
    assert age_on(b, date(1990, 5, 1)) == 0
    assert age_on(b, date(1990, 4, 30)) is None  # not born yet
    assert age_on(Birthday(5, 1), date(2026, 5, 1)) is None  # no year
    lunar = Birthday(3, 5, 1990, lunar=True)  # born 1990-03-31
    assert age_on(lunar, date(2026, 4, 20)) == 35
    assert age_on(lunar, date(2026, 4, 21)) == 36  # 农历三月初五 2026
    assert age_on(lunar, date(2027, 1, 31)) == 36
    assert age_on(lunar, date(1990, 3, 30)) is None


TODAYS = st.dates(date(1901, 1, 1), date(2097, 12, 31))  # the year after stays in range


@settings(max_examples=300)
@given(birthdays(), TODAYS)
def test_next_birthday_is_soon_and_on_or_after_today(b, today):
    got = next_birthday(b, today)
    assert today <= got <= today + timedelta(days=366 + 30)
    # nothing is skipped: from any day up to it, it is still the next one
    assert next_birthday(b, got) == got
    assert next_birthday(b, got + timedelta(days=1)) > got
    if not b.lunar:
        assert got.month == b.month
        assert got.day == b.day or (b.month, b.day, got.day) == (2, 29, 28)


@settings(max_examples=40)
@given(
    st.integers(1, 12),
    st.integers(1, 29),
    st.dates(date(1901, 1, 1), date(2098, 6, 30)),
)
def test_next_lunar_birthday_matches_a_day_by_day_search(month, day, today):
    """For a regular-month day <= 29 the next birthday is the first day whose lunar date matches."""
    got = next_birthday(Birthday(month, day, lunar=True), today)
    d = today
    while True:
        ld = LunarDate.from_solar_date(d.year, d.month, d.day)
        if (ld.month, ld.day, ld.is_leap_month) == (month, day, False):
            break
        d += timedelta(days=1)
    assert got == d


# ---------------------------------------------------------------------------
# lunar labels and relative wording


@pytest.mark.parametrize(
    ("d", "label"),
    [
        (date(2026, 11, 24), "农历十月十六"),
        (date(2026, 2, 17), "农历正月初一"),
        (date(2026, 2, 16), "农历腊月廿九"),
        (date(2026, 1, 1), "农历冬月十三"),
        (date(2027, 1, 8), "农历腊月初一"),
        (date(2023, 3, 22), "农历闰二月初一"),
        (date(2023, 1, 21), "农历腊月三十"),
        (date(2025, 7, 25), "农历闰六月初一"),
        (date(1990, 3, 31), "农历三月初五"),
        (date(1900, 1, 31), "农历正月初一"),
        (date(2026, 3, 9), "农历正月廿一"),
        (date(2026, 3, 8), "农历正月二十"),
    ],
)
def test_lunar_label(d, label):
    assert lunar_label(d) == label


def test_lunar_label_out_of_range_is_empty():
    assert lunar_label(date(1900, 1, 30)) == ""
    assert lunar_label(date(2100, 1, 10)) == "农历腊月初一"
    assert lunar_label(date(2101, 1, 1)) == ""
    assert lunar_label(date(1, 1, 1)) == ""


def test_days_between():
    assert days_between(date(2026, 12, 31), date(2027, 1, 1)) == 1
    assert days_between(date(2027, 1, 1), date(2026, 12, 31)) == -1
    assert days_between(WED, WED) == 0
    assert days_between(date(2028, 2, 1), date(2028, 3, 1)) == 29


@pytest.mark.parametrize(
    ("offset", "zh", "en"),
    [
        (0, "今天", "today"),
        (1, "明天", "tomorrow"),
        (2, "后天", "in 2 days"),
        (3, "3天后", "in 3 days"),
        (30, "30天后", "in 30 days"),
        (-1, "逾期1天", "1 day overdue"),
        (-2, "逾期2天", "2 days overdue"),
    ],
)
def test_describe_relative(offset, zh, en):
    d = WED + timedelta(days=offset)
    assert describe_relative(d, WED, "zh") == zh
    assert describe_relative(d, WED, "en") == en
    assert describe_relative(d, WED) == en  # the tests run in English
    i18n.set_language("zh")
    assert describe_relative(d, WED) == zh


def test_relative_across_the_year_end():
    assert describe_relative(date(2027, 1, 1), date(2026, 12, 31), "zh") == "明天"
    assert describe_relative(date(2026, 12, 31), date(2027, 1, 2), "en") == "2 days overdue"


# ---------------------------------------------------------------------------
# anything typed: a value or a ValidationError, never a crash

TOKENS = [
    *"0123456789-/.+ :年月日号天周星期礼拜一二三四五六七八九十廿卅两初闰农历阴正冬腊下这本个后前",
    *"dwmyLlunartoesxfihkp",
    *["next ", "mon", "--", "\x00", "１", "ago", "in ", "lunar ", "leap "],
]
TYPED = st.lists(st.sampled_from(TOKENS), max_size=10).map("".join)


@settings(max_examples=500)
@given(TYPED, DATES)
def test_any_text_gives_a_date_or_a_validation_error(text, today):
    for parse in (
        lambda: parse_date_input(text, today),
        lambda: parse_date_value(text),
        lambda: parse_birthday(text),
    ):
        try:
            parse()
        except ValidationError as e:
            assert e.message
