"""Repeat rules: parsing what sellers type, describing, and following the grid.

November 2026            December 2026            January 2027
Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su     Mo Tu We Th Fr Sa Su
                   1         1  2  3  4  5  6                  1  2  3
 2  3  4  5  6  7  8      7  8  9 10 11 12 13      4  5  6  7  8  9 10
 9 10 11 12 13 14 15     14 15 16 17 18 19 20     11 12 13 14 15 16 17
16 17 18 19 20 21 22     21 22 23 24 25 26 27     18 19 20 21 22 23 24
23 24 25 26 27 28 29     28 29 30 31              25 26 27 28 29 30 31
30
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamtui import i18n
from kamtui.errors import ValidationError
from kamtui.repeat import describe_repeat, next_occurrence, parse_repeat, pin_rule

DAILY3 = "FREQ=DAILY;INTERVAL=3"
CLAMP31 = "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
FEB29 = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"
WORKDAYS = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


# ---------------------------------------------------------------------------
# parsing


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # Chinese
        ("每天", "FREQ=DAILY"),
        ("每日", "FREQ=DAILY"),
        ("天天", "FREQ=DAILY"),
        ("每天一次", "FREQ=DAILY"),
        ("每3天", DAILY3),
        ("每 3 天", DAILY3),
        ("每三天", DAILY3),
        ("每隔一天", "FREQ=DAILY;INTERVAL=2"),  # skip one day: every other day
        ("每隔2天", DAILY3),
        ("每周", "FREQ=WEEKLY"),
        ("每星期", "FREQ=WEEKLY"),
        ("每个礼拜", "FREQ=WEEKLY"),
        ("每2周", "FREQ=WEEKLY;INTERVAL=2"),
        ("每两周", "FREQ=WEEKLY;INTERVAL=2"),
        ("每两个星期", "FREQ=WEEKLY;INTERVAL=2"),
        ("每隔一周", "FREQ=WEEKLY;INTERVAL=2"),
        ("每周一", "FREQ=WEEKLY;BYDAY=MO"),
        ("每星期五", "FREQ=WEEKLY;BYDAY=FR"),
        ("每个礼拜天", "FREQ=WEEKLY;BYDAY=SU"),
        ("每周日", "FREQ=WEEKLY;BYDAY=SU"),
        ("每周一三五", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("每周五三一", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("每周一、三、五", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("每周一和周四", "FREQ=WEEKLY;BYDAY=MO,TH"),
        ("每周二,周四", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("每周一至周五", WORKDAYS),
        ("每周一到五", WORKDAYS),
        ("每个工作日", WORKDAYS),
        ("工作日", WORKDAYS),
        ("每周末", "FREQ=WEEKLY;BYDAY=SA,SU"),
        ("每周六日", "FREQ=WEEKLY;BYDAY=SA,SU"),
        ("每2周的周一", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
        ("每两周周二、四", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"),
        ("每月", "FREQ=MONTHLY"),
        ("每个月", "FREQ=MONTHLY"),
        ("每3个月", "FREQ=MONTHLY;INTERVAL=3"),
        ("每三个月", "FREQ=MONTHLY;INTERVAL=3"),
        ("每3月", "FREQ=MONTHLY;INTERVAL=3"),
        ("每月15号", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("每月15日", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("每个月的十五号", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("每月1号", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("每2个月的10号", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=10"),
        ("每月31号", CLAMP31),
        ("每月30号", "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1"),
        ("每月最后一天", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("每月月底", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("每年", "FREQ=YEARLY"),
        ("每2年", "FREQ=YEARLY;INTERVAL=2"),
        ("每年3月5日", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5"),
        ("每年三月五号", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5"),
        ("每年2月29日", FEB29),
        ("3天", DAILY3),
        ("2周", "FREQ=WEEKLY;INTERVAL=2"),
        ("1个月", "FREQ=MONTHLY"),
        ("２周", "FREQ=WEEKLY;INTERVAL=2"),  # full-width
        # English
        ("daily", "FREQ=DAILY"),
        ("every day", "FREQ=DAILY"),
        ("every 3 days", DAILY3),
        ("Every Three Days", DAILY3),
        ("every other day", "FREQ=DAILY;INTERVAL=2"),
        ("weekly", "FREQ=WEEKLY"),
        ("every week", "FREQ=WEEKLY"),
        ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
        ("biweekly", "FREQ=WEEKLY;INTERVAL=2"),
        ("fortnightly", "FREQ=WEEKLY;INTERVAL=2"),
        ("every monday", "FREQ=WEEKLY;BYDAY=MO"),
        ("every Monday", "FREQ=WEEKLY;BYDAY=MO"),
        ("on mondays", "FREQ=WEEKLY;BYDAY=MO"),
        ("weekly on fri", "FREQ=WEEKLY;BYDAY=FR"),
        ("every mon, wed and fri", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("every mon/wed/fri", "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        ("every tue & thu", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("every weekday", WORKDAYS),
        ("weekdays", WORKDAYS),
        ("every mon-fri", WORKDAYS),
        ("every monday to friday", WORKDAYS),
        ("every weekend", "FREQ=WEEKLY;BYDAY=SA,SU"),
        ("every other week on tue", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
        ("every 2 weeks on mon, wed", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"),
        ("monthly", "FREQ=MONTHLY"),
        ("every month", "FREQ=MONTHLY"),
        ("every 3 months", "FREQ=MONTHLY;INTERVAL=3"),
        ("monthly on 15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("monthly on the 15th", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("monthly on day 15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("every month on the 1st", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("monthly on the 31st", CLAMP31),
        ("monthly on the last day", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("every 2 months on the 10th", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=10"),
        ("yearly", "FREQ=YEARLY"),
        ("annually", "FREQ=YEARLY"),
        ("every year", "FREQ=YEARLY"),
        ("every 2 years", "FREQ=YEARLY;INTERVAL=2"),
        ("yearly on 3/5", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5"),
        ("3d", DAILY3),
        ("+3d", DAILY3),
        ("2w", "FREQ=WEEKLY;INTERVAL=2"),
        ("1m", "FREQ=MONTHLY"),
        ("1y", "FREQ=YEARLY"),
        ("1 m", "FREQ=MONTHLY"),
        # raw RRULE text, canonicalized
        ("FREQ=WEEKLY;INTERVAL=2", "FREQ=WEEKLY;INTERVAL=2"),
        ("FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("RRULE:FREQ=WEEKLY;BYDAY=FR,MO", "FREQ=WEEKLY;BYDAY=MO,FR"),
        ("freq=daily; interval=1", "FREQ=DAILY"),
        ("INTERVAL=2;FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2"),
        ("FREQ=WEEKLY;WKST=MO;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
        ("FREQ=MONTHLY;BYMONTHDAY=31", CLAMP31),
        ("FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("FREQ=DAILY;COUNT=5", "FREQ=DAILY;COUNT=5"),
        ("FREQ=DAILY;UNTIL=20261231T000000Z", "FREQ=DAILY;UNTIL=20261231"),
    ],
)
def test_parse_repeat(text, rule):
    assert parse_repeat(text) == rule


@pytest.mark.parametrize("text", [None, "", "  "])
def test_empty_is_none(text):
    assert parse_repeat(text) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("abc", "not understood"),
        ("3月", "not understood"),  # March, not "every 3 months"
        ("每周八", "not understood"),
        ("每月32号", "not understood"),
        ("每隔天", "not understood"),
        ("每0天", "not understood"),
        ("every 0 days", "between 1 and 3650"),
        ("every monday and someday", "not understood"),
        ("every fri-mon", "not understood"),
        ("FREQ=HOURLY", "days, weeks, months or years"),
        ("FREQ=DAILY;INTERVAL=0", "between 1 and 3650"),
        ("FREQ=WEEKLY;INTERVAL=9999", "between 1 and 520"),
        ("FREQ=DAILY;BYHOUR=9", "not understood"),
        ("FREQ=WEEKLY;BYDAY=XX", "not understood"),
        ("FREQ=WEEKLY;BYDAY=1MO", "not understood"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20261231", "not understood"),
        ("FREQ=YEARLY;BYMONTH=13", "not understood"),
        ("BYDAY=MO", "not understood"),
        ("每年4月31日", "never comes due"),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31", "never comes due"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "never comes due"),
    ],
)
def test_bad_rules_quote_the_typed_value(text, fragment):
    with pytest.raises(ValidationError) as e:
        parse_repeat(text, field="rrule")
    assert e.value.field == "rrule"
    assert f"“{text}”" in e.value.message
    assert fragment in e.value.message


def test_bad_rule_in_chinese():
    i18n.set_language("zh")
    with pytest.raises(ValidationError) as e:
        parse_repeat("每周八")
    assert e.value.message.startswith("重复规则 “每周八” 无法识别")
    assert "每周一三五" in e.value.message
    with pytest.raises(ValidationError) as e:
        parse_repeat("每年4月31日")
    assert e.value.message == "重复规则 “每年4月31日” 永远不会到期"


# ---------------------------------------------------------------------------
# describing


@pytest.mark.parametrize(
    ("rule", "zh", "en"),
    [
        ("FREQ=DAILY", "每天", "every day"),
        (DAILY3, "每 3 天", "every 3 days"),
        ("FREQ=WEEKLY", "每周", "every week"),
        ("FREQ=WEEKLY;INTERVAL=2", "每 2 周", "every 2 weeks"),
        ("FREQ=WEEKLY;BYDAY=MO", "每周一", "every Monday"),
        ("FREQ=WEEKLY;BYDAY=SU", "每周日", "every Sunday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "每周一、三、五", "every Mon, Wed, Fri"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "每 2 周的周二", "every 2 weeks on Tuesday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", "每 2 周的周一、三", "every 2 weeks on Mon, Wed"),
        (WORKDAYS, "每个工作日", "every weekday"),
        ("FREQ=WEEKLY;BYDAY=SA,SU", "每周六、日", "every Sat, Sun"),
        ("FREQ=MONTHLY", "每月", "every month"),
        ("FREQ=MONTHLY;INTERVAL=3", "每 3 个月", "every 3 months"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "每月15号", "monthly on day 15"),
        (
            "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=10",
            "每 2 个月的10号",
            "every 2 months on day 10",
        ),
        (
            CLAMP31,
            "每月31号 (小月为当月最后一天)",
            "monthly on day 31 (or the last day of shorter months)",
        ),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "每月最后一天", "monthly on the last day"),
        ("FREQ=YEARLY", "每年", "every year"),
        ("FREQ=YEARLY;INTERVAL=2", "每 2 年", "every 2 years"),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=5", "每年3月5日", "every year on 3/5"),
        (FEB29, "每年2月29日 (平年为2月28日)", "every year on 2/29 (2/28 in common years)"),
        ("FREQ=DAILY;COUNT=5", "每天, 共 5 次", "every day, 5 times"),
        ("FREQ=DAILY;UNTIL=20261231", "每天, 到 2026-12-31 为止", "every day, until 2026-12-31"),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            "自定义重复: FREQ=MONTHLY;BYDAY=-1FR",
            "custom repeat: FREQ=MONTHLY;BYDAY=-1FR",
        ),
    ],
)
def test_describe_repeat(rule, zh, en):
    assert describe_repeat(rule, "zh") == zh
    assert describe_repeat(rule, "en") == en
    assert describe_repeat(rule) == en
    i18n.set_language("zh")
    assert describe_repeat(rule) == zh


def test_describe_nothing_or_garbage():
    assert describe_repeat(None) == ""
    assert describe_repeat("") == ""
    assert describe_repeat("nonsense") == "custom repeat: nonsense"


@st.composite
def rules(draw):
    shape = draw(st.sampled_from(["plain", "weekdays", "monthday", "yearday"]))
    n = draw(st.integers(1, 12))
    if shape == "plain":
        freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
        return f"FREQ={freq};INTERVAL={n}"
    if shape == "weekdays":
        days = draw(
            st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1)
        )
        return f"FREQ=WEEKLY;INTERVAL={n};BYDAY={','.join(days)}"
    if shape == "monthday":
        day = draw(st.sampled_from([*range(1, 32), -1]))
        return f"FREQ=MONTHLY;INTERVAL={n};BYMONTHDAY={day}"
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]))
    return f"FREQ=YEARLY;INTERVAL={n};BYMONTH={month};BYMONTHDAY={day}"


@given(rules(), st.sampled_from(["zh", "en"]))
def test_describe_parse_round_trip(raw, lang):
    rule = parse_repeat(raw)
    assert parse_repeat(rule) == rule  # canonical text is stable
    assert parse_repeat(describe_repeat(rule, lang)) == rule


# ---------------------------------------------------------------------------
# following the grid


def test_every_3_days_done_late_stays_on_the_grid():
    anchor = date(2026, 11, 1)  # grid: Nov 1, 4, 7, 10, 13...
    assert next_occurrence(DAILY3, date(2026, 11, 1), anchor) == date(2026, 11, 4)
    assert next_occurrence(DAILY3, date(2026, 11, 4), anchor) == date(2026, 11, 7)  # on time
    assert next_occurrence(DAILY3, date(2026, 11, 9), anchor) == date(2026, 11, 10)  # 5 days late
    assert next_occurrence(DAILY3, date(2026, 11, 10), anchor) == date(2026, 11, 13)
    # a later due date as the anchor gives the same grid
    assert next_occurrence(DAILY3, date(2026, 11, 9), date(2026, 11, 7)) == date(2026, 11, 10)


def test_before_the_anchor():
    anchor = date(2026, 11, 10)
    assert next_occurrence(DAILY3, date(2026, 11, 1), anchor) == anchor
    # 每周一 anchored on a Wednesday starts on the next Monday
    assert next_occurrence("FREQ=WEEKLY;BYDAY=MO", date(2026, 11, 20), WED) == date(2026, 11, 30)


WED = date(2026, 11, 25)


def test_daily_across_the_year_end():
    assert next_occurrence("FREQ=DAILY", date(2026, 12, 31), date(2026, 12, 1)) == date(2027, 1, 1)


def test_weekly_rules():
    tue = date(2026, 11, 24)
    every2 = "FREQ=WEEKLY;INTERVAL=2"
    assert next_occurrence(every2, tue, tue) == date(2026, 12, 8)
    assert next_occurrence(every2, date(2026, 12, 10), tue) == date(2026, 12, 22)
    assert next_occurrence(every2, date(2026, 12, 22), tue) == date(2027, 1, 5)
    monday = "FREQ=WEEKLY;BYDAY=MO"
    assert next_occurrence(monday, WED, WED) == date(2026, 11, 30)
    assert next_occurrence(monday, date(2026, 11, 30), WED) == date(2026, 12, 7)
    mwf = "FREQ=WEEKLY;BYDAY=MO,WE,FR"
    mon = date(2026, 11, 23)
    assert next_occurrence(mwf, mon, mon) == date(2026, 11, 25)
    assert next_occurrence(mwf, date(2026, 11, 25), mon) == date(2026, 11, 27)
    assert next_occurrence(mwf, date(2026, 11, 27), mon) == date(2026, 11, 30)
    assert next_occurrence(mwf, date(2026, 11, 28), mon) == date(2026, 11, 30)  # done late
    # every other week on Mon and Wed: the weeks of Nov 23, Dec 7, Dec 21
    biweekly = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"
    assert next_occurrence(biweekly, mon, mon) == date(2026, 11, 25)
    assert next_occurrence(biweekly, date(2026, 11, 25), mon) == date(2026, 12, 7)
    assert next_occurrence(biweekly, date(2026, 12, 7), mon) == date(2026, 12, 9)
    assert next_occurrence(WORKDAYS, date(2026, 11, 27), mon) == date(2026, 11, 30)  # Fri->Mon


def test_monthly_on_a_day():
    rule = "FREQ=MONTHLY;BYMONTHDAY=15"
    anchor = date(2026, 11, 24)
    assert next_occurrence(rule, anchor, anchor) == date(2026, 12, 15)
    assert next_occurrence(rule, date(2026, 12, 15), anchor) == date(2027, 1, 15)
    assert next_occurrence(rule, date(2027, 2, 20), anchor) == date(2027, 3, 15)  # done late


def test_monthly_on_the_31st_falls_on_the_last_day_of_short_months():
    rule = parse_repeat("每月31号")
    anchor = date(2026, 1, 31)
    dates = [anchor]
    for _ in range(5):
        dates.append(next_occurrence(rule, dates[-1], anchor))
    assert dates == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
    ]
    assert next_occurrence(rule, date(2028, 1, 31), anchor) == date(2028, 2, 29)
    # the rule does not depend on the anchor's day: a clamped due date works as anchor
    assert next_occurrence(rule, date(2026, 2, 28), date(2026, 2, 28)) == date(2026, 3, 31)
    thirtieth = parse_repeat("每月30号")
    assert next_occurrence(thirtieth, date(2026, 1, 30), anchor) == date(2026, 2, 28)
    assert next_occurrence(thirtieth, date(2026, 2, 28), anchor) == date(2026, 3, 30)


def test_monthly_last_day():
    rule = parse_repeat("每月最后一天")
    anchor = date(2026, 1, 31)
    assert next_occurrence(rule, anchor, anchor) == date(2026, 2, 28)
    assert next_occurrence(rule, date(2026, 2, 28), anchor) == date(2026, 3, 31)
    assert next_occurrence(rule, date(2027, 12, 31), anchor) == date(2028, 1, 31)


def test_plain_monthly_follows_the_anchor_day_and_clamps():
    anchor = date(2026, 1, 31)
    assert next_occurrence("FREQ=MONTHLY", anchor, anchor) == date(2026, 2, 28)
    assert next_occurrence("FREQ=MONTHLY", date(2026, 2, 28), anchor) == date(2026, 3, 31)
    assert next_occurrence("FREQ=MONTHLY", date(2026, 3, 31), anchor) == date(2026, 4, 30)
    every2 = "FREQ=MONTHLY;INTERVAL=2"
    assert next_occurrence(every2, anchor, anchor) == date(2026, 3, 31)
    assert next_occurrence(every2, date(2026, 3, 31), anchor) == date(2026, 5, 31)
    every3 = "FREQ=MONTHLY;INTERVAL=3"
    nov30 = date(2026, 11, 30)
    assert next_occurrence(every3, nov30, nov30) == date(2027, 2, 28)
    assert next_occurrence(every3, date(2027, 2, 28), nov30) == date(2027, 5, 30)
    # done late: the next grid date after the done day, not a month after it
    anchor = date(2026, 11, 24)
    assert next_occurrence("FREQ=MONTHLY", date(2027, 1, 3), anchor) == date(2027, 1, 24)


def test_pin_rule_writes_the_day_in():
    assert pin_rule("FREQ=MONTHLY", date(2026, 1, 31)) == CLAMP31
    assert pin_rule("FREQ=MONTHLY", date(2026, 1, 29)) == (
        "FREQ=MONTHLY;BYMONTHDAY=28,29;BYSETPOS=-1"
    )
    assert pin_rule("FREQ=MONTHLY;INTERVAL=2", date(2026, 1, 30)) == (
        "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=28,29,30;BYSETPOS=-1"
    )
    assert pin_rule("FREQ=MONTHLY", date(2026, 1, 28)) == "FREQ=MONTHLY"
    assert pin_rule("FREQ=YEARLY", date(2028, 2, 29)) == FEB29
    assert pin_rule("FREQ=YEARLY", date(2028, 3, 1)) == "FREQ=YEARLY"
    assert pin_rule("FREQ=WEEKLY;INTERVAL=2", date(2026, 1, 31)) == "FREQ=WEEKLY;INTERVAL=2"
    assert pin_rule("FREQ=MONTHLY;BYMONTHDAY=15", date(2026, 1, 31)) == (
        "FREQ=MONTHLY;BYMONTHDAY=15"
    )
    # unpinned, a clamped due date used as the anchor drifts; pinned it does not
    feb28 = date(2026, 2, 28)
    assert next_occurrence("FREQ=MONTHLY", feb28, feb28) == date(2026, 3, 28)
    pinned = pin_rule("FREQ=MONTHLY", date(2026, 1, 31))
    assert next_occurrence(pinned, feb28, feb28) == date(2026, 3, 31)
    assert describe_repeat(pinned, "zh") == "每月31号 (小月为当月最后一天)"


def test_yearly():
    leap_day = date(2024, 2, 29)
    assert next_occurrence("FREQ=YEARLY", leap_day, leap_day) == date(2025, 2, 28)
    assert next_occurrence("FREQ=YEARLY", date(2027, 2, 28), leap_day) == date(2028, 2, 29)
    assert next_occurrence(FEB29, date(2026, 11, 24), date(2026, 11, 24)) == date(2027, 2, 28)
    rule = parse_repeat("每年3月5日")
    assert next_occurrence(rule, date(2026, 11, 24), date(2026, 11, 24)) == date(2027, 3, 5)
    every2 = "FREQ=YEARLY;INTERVAL=2"
    assert next_occurrence(every2, date(2026, 11, 24), date(2025, 12, 31)) == date(2027, 12, 31)


def test_count_and_until_end_the_rule():
    jan1 = date(2026, 1, 1)
    assert next_occurrence("FREQ=DAILY;COUNT=3", jan1, jan1) == date(2026, 1, 2)
    assert next_occurrence("FREQ=DAILY;COUNT=3", date(2026, 1, 2), jan1) == date(2026, 1, 3)
    assert next_occurrence("FREQ=DAILY;COUNT=3", date(2026, 1, 3), jan1) is None
    until = "FREQ=WEEKLY;UNTIL=20260115"
    assert next_occurrence(until, date(2026, 1, 8), jan1) == date(2026, 1, 15)
    assert next_occurrence(until, date(2026, 1, 15), jan1) is None


def test_rules_that_miss_the_anchor_grid_do_not_hang():
    # every 4 years on Feb 29 only (no clamping, BYSETPOS=1) from a common year: never
    rule = "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29;BYSETPOS=1"
    assert next_occurrence(rule, date(2025, 3, 1), date(2025, 2, 1)) is None


def test_invalid_rule_raises():
    with pytest.raises(ValidationError):
        next_occurrence("FREQ=SOMETIMES", WED, WED)


@given(
    rules(),
    st.dates(date(2000, 1, 1), date(2090, 12, 31)),
    st.integers(0, 2000),
)
def test_next_occurrence_properties(raw, anchor, late):
    rule = parse_repeat(raw)
    after = anchor + timedelta(days=late)
    got = next_occurrence(rule, after, anchor)
    assert got is not None and got > after
    parts = dict(p.split("=") for p in rule.split(";"))
    n = int(parts.get("INTERVAL", "1"))
    if rule.startswith("FREQ=DAILY"):
        assert (got - anchor).days % n == 0 and (got - after).days <= n
    if rule.startswith("FREQ=WEEKLY") and "BYDAY" not in parts:
        assert (got - anchor).days % (7 * n) == 0 and (got - after).days <= 7 * n
    if "BYDAY" in parts:
        codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        assert codes[got.weekday()] in parts["BYDAY"].split(",")
        assert (got - after).days <= 7 * n
    if parts.get("BYMONTHDAY", "").lstrip("-").isdigit():
        day = int(parts["BYMONTHDAY"])
        assert got.day == day or (day == -1 and (got + timedelta(days=1)).day == 1)
    # the next one after it is later still, and it is stable from any day before it
    assert next_occurrence(rule, got, anchor) > got
    assert next_occurrence(rule, got - timedelta(days=1), anchor) == got


TOKENS = [
    *"0123456789-/.+ ,;=每隔天日周星期礼拜月年号一二三四五六七八九十两个的和至到最后末工作",
    *["every ", "other ", "on ", "mon", "day", "week", "month", "s", "FREQ=", "BYDAY=", "1MO"],
    *["WEEKLY", "MONTHLY", "INTERVAL=", "BYMONTHDAY=", "BYSETPOS=", "COUNT=", "UNTIL="],
]
TYPED = st.lists(st.sampled_from(TOKENS), max_size=10).map("".join)


@settings(max_examples=500)
@given(TYPED)
def test_any_text_gives_a_rule_or_a_validation_error(text):
    try:
        rule = parse_repeat(text)
    except ValidationError as e:
        assert e.message
        return
    if rule is not None:
        assert parse_repeat(rule) == rule
        assert describe_repeat(rule)
        got = next_occurrence(rule, date(2026, 11, 24), date(2026, 11, 1))
        assert got is None or got > date(2026, 11, 24)  # None: COUNT/UNTIL ran out
