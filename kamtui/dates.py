"""Dates as sellers type them, birthdays (solar and lunar), and relative wording.

Pure domain code: every function that depends on the current date takes
``today`` as an argument (never ``date.today()``). Bad input raises
:class:`kamtui.errors.ValidationError` with a message in the user's language
that quotes what was typed.

Decisions (see also the tests, which pin each one down):

* **Month-day without a year** (``12-01``, ``12/1``, ``12月1日``) is the next
  occurrence on or after ``today``: typed on Dec 15 it means next year's Dec 1.
  ``12/1`` is always month/day (the Chinese order), never day/month. A Feb 29
  that falls in a common year is reported as an impossible date.
* **Day of month** (``15号``, ``15日``) is the next 15th on or after today; a day
  a month lacks (``31号`` in November) moves on to the next month that has it.
* **Weekdays.** Weeks start on Monday, as in China. A bare weekday (``周五``,
  ``星期五``, ``fri``, ``friday``) is the next such day on or after today (today
  if today is Friday). ``下周五`` / ``下星期五`` / ``next fri`` is that day in the
  next calendar week, so on a Wednesday ``下周五`` is 9 days away, never this
  Friday, and on a Sunday ``下周一`` is tomorrow. ``下下周五`` adds another week;
  ``这周五`` / ``本周五`` / ``this fri`` is the day of the current week (it may be
  past, like ``昨天``).
* **Relative amounts**: ``+3d``, ``3d``, ``3天``, ``3天后``, ``三天后``, ``2w``, ``2周``,
  ``1m``, ``1个月``, ``1y``, ``in 3 days``; past with ``-3d``, ``3天前``, ``3 days ago``.
  Months and years are calendar ones (``dateutil.relativedelta``): Jan 31 + 1m
  is Feb 28 (29). A bare ``3月`` is March, not three months, so it is refused;
  ``3个月`` is three months. A bare ``+3`` is three days.
* **Solar Feb 29 birthdays** are kept on Feb 28 in common years (the birthday
  stays in February); :func:`age_on` counts the new year of age from that day.
* **Lunar birthdays**: day 30 in a 29-day month falls on day 29; a leap-month
  birthday (闰四月初八) falls in the leap month in years that have it and in the
  regular month otherwise. Lunar dates are supported for lunar years 1900–2099
  (the range of ``lunardate``).
"""

from __future__ import annotations

import calendar
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from lunardate import LunarDate

from kamtui.errors import ValidationError
from kamtui.fmt import safe
from kamtui.i18n import language, t

# ---------------------------------------------------------------------------
# shared vocabulary

#: Chinese weekday characters (and digits, 7 = Sunday) to Python weekday numbers.
ZH_WEEKDAYS = {
    "一": 0,
    "二": 1,
    "三": 2,
    "四": 3,
    "五": 4,
    "六": 5,
    "日": 6,
    "天": 6,
    "1": 0,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
}
#: English weekday names and abbreviations to Python weekday numbers.
EN_WEEKDAYS = {
    "mon": 0,
    "monday": 0,
    "tue": 1,
    "tues": 1,
    "tuesday": 1,
    "wed": 2,
    "weds": 2,
    "wednesday": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "thursday": 3,
    "fri": 4,
    "friday": 4,
    "sat": 5,
    "saturday": 5,
    "sun": 6,
    "sunday": 6,
}
_EN_WD_RE = "|".join(sorted(EN_WEEKDAYS, key=len, reverse=True))

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
#: A number as digits or Chinese numerals (一, 十五, 二十, 廿五, 卅...).
NUM = r"[0-9]+|[零〇一二两三四五六七八九十廿卅]+"

_EN_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "other": 2,
}


def cn_number(s: str) -> int | None:
    """``15``, ``十五``, ``二十``, ``廿五``, ``两`` -> int (0-99); None if not a number.

    English number words (``a``, ``one`` ... ``twelve``, ``other`` = 2) count too,
    for ``a week``, ``every other day``.
    """
    if not s:
        return None
    if re.fullmatch(r"[0-9]+", s):
        return int(s)
    if s in _EN_NUMBERS:
        return _EN_NUMBERS[s]
    if s[0] in "廿卅":
        rest = s[1:]
        tens = 20 if s[0] == "廿" else 30
        if not rest:
            return tens
        return tens + _CN_DIGITS[rest] if len(rest) == 1 and rest in _CN_DIGITS else None
    if "十" in s:
        head, _, tail = s.partition("十")
        if len(head) > 1 or len(tail) > 1:
            return None
        if head and head not in _CN_DIGITS:
            return None
        if tail and tail not in _CN_DIGITS:
            return None
        return (_CN_DIGITS[head] if head else 1) * 10 + (_CN_DIGITS[tail] if tail else 0)
    if len(s) == 1 and s in _CN_DIGITS:
        return _CN_DIGITS[s]
    return None


def _shown(value) -> str:
    """The typed value as quoted in a message: one line, no controls, not too long."""
    return safe("" if value is None else str(value), max_len=40).strip()


def _label(field: str) -> str:
    from kamtui.validate import label  # lazily: kamtui.validate may come to use this module

    return label(field)


def _normalize(text) -> str:
    """NFKC (full-width digits and letters), lower case, all whitespace removed."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text)).lower()
    return re.sub(r"\s+", "", s)


def _make_date(year: int, month: int, day: int, field: str, typed) -> date:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise ValidationError(field, t("err.date_impossible", value=_shown(typed))) from None


def monday_of(d: date) -> date:
    """The Monday starting the (Monday-first) week of ``d``."""
    return d - timedelta(days=d.weekday())


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


# ---------------------------------------------------------------------------
# date input

_WORDS = {
    "今天": 0,
    "今日": 0,
    "today": 0,
    "明天": 1,
    "明日": 1,
    "tomorrow": 1,
    "tmr": 1,
    "tmrw": 1,
    "后天": 2,
    "後天": 2,
    "大后天": 3,
    "大後天": 3,
    "昨天": -1,
    "昨日": -1,
    "yesterday": -1,
    "前天": -2,
}

_FULL = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})[-/.](\d{1,2})|(" + NUM + r")月(" + NUM + r")[日号]?")
_DAY_OF_MONTH = re.compile(r"(" + NUM + r")[日号]")
_NEXT_MONTH_DAY = re.compile(r"下个?月(" + NUM + r")[日号]")
_RELATIVE = re.compile(
    r"(?:in)?(?P<sign>[+-])?(?P<n>" + NUM + r"|a|an|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve)"
    r"(?P<unit>d|days?|天|日|w|wks?|weeks?|周|个?星期|个?礼拜|m|mos?|months?|个月|月|y|yrs?|years?|年)?"
    r"(?P<dir>后|以后|之后|later|前|以前|之前|ago)?"
)
_UNITS = {
    "d": "days",
    "day": "days",
    "days": "days",
    "天": "days",
    "日": "days",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "周": "weeks",
    "星期": "weeks",
    "个星期": "weeks",
    "礼拜": "weeks",
    "个礼拜": "weeks",
    "m": "months",
    "mo": "months",
    "mos": "months",
    "month": "months",
    "months": "months",
    "个月": "months",
    "月": "months",
    "y": "years",
    "yr": "years",
    "yrs": "years",
    "year": "years",
    "years": "years",
    "年": "years",
}
_ZH_WEEKDAY = re.compile(r"(下下个?|下个?|这个?|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_EN_WEEKDAY = re.compile(r"(next|this)?(" + _EN_WD_RE + r")")


def _weekday_date(today: date, weekday: int, which: str | None) -> date:
    if not which:  # the next such day, today included
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    weeks = {"this": 0, "这": 0, "这个": 0, "本": 0, "next": 1, "下": 1, "下个": 1}.get(which, 2)
    return monday_of(today) + timedelta(days=7 * weeks + weekday)


def _invalid_input(field: str, text) -> ValidationError:
    return ValidationError(field, t("dates.err.input", value=_shown(text)))


def parse_date_input(text, today: date, field: str = "date") -> date:
    """A date typed by a seller: absolute, month-day, relative or a word (see the module doc).

    ``2026-12-01``, ``2026/12/1``, ``2026.12.1``, ``2026年12月1日``, ``20261201``,
    ``12-01``, ``12/1``, ``12月1日``, ``15号``, ``下月15号``, ``+3d``, ``3天后``, ``2周``,
    ``1个月``, ``-2d``, ``今天``, ``明天``, ``后天``, ``大后天``, ``昨天``, ``周五``,
    ``下周一``, ``today``, ``tomorrow``, ``fri``, ``next monday``. A ``date`` passes through.
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    s = _normalize(text)
    if not s:
        raise ValidationError(field, t("err.required", field=_label(field)))

    if s in _WORDS:
        return today + timedelta(days=_WORDS[s])

    if m := _FULL.fullmatch(s) or _COMPACT.fullmatch(s):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), field, text)

    if m := _MONTH_DAY.fullmatch(s):
        month = int(m[1]) if m[1] else cn_number(m[3])
        day = int(m[2]) if m[2] else cn_number(m[4])
        if month is None or day is None:
            raise _invalid_input(field, text)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise ValidationError(field, t("err.date_impossible", value=_shown(text)))
        if day > days_in_month(2000, month):  # 2000 was a leap year: Feb 29 exists
            raise ValidationError(field, t("err.date_impossible", value=_shown(text)))
        year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
        if day > days_in_month(year, month):  # Feb 29 in a common year
            raise ValidationError(field, t("dates.err.not_in_year", value=_shown(text), year=year))
        return date(year, month, day)

    if m := _NEXT_MONTH_DAY.fullmatch(s):
        day = cn_number(m[1])
        if day is None:
            raise _invalid_input(field, text)
        nxt = today.replace(day=1) + relativedelta(months=1)
        return _make_date(nxt.year, nxt.month, day, field, text)

    if m := _DAY_OF_MONTH.fullmatch(s):
        day = cn_number(m[1])
        if day is None:
            raise _invalid_input(field, text)
        if not 1 <= day <= 31:
            raise ValidationError(field, t("err.date_impossible", value=_shown(text)))
        first = today.replace(day=1)
        for k in range(13):
            month_start = first + relativedelta(months=k)
            if day <= days_in_month(month_start.year, month_start.month):
                candidate = month_start.replace(day=day)
                if candidate >= today:
                    return candidate
        raise _invalid_input(field, text)  # pragma: no cover  (some month has every day)

    if m := _ZH_WEEKDAY.fullmatch(s):
        return _weekday_date(today, ZH_WEEKDAYS[m[2]], m[1])
    if m := _EN_WEEKDAY.fullmatch(s):
        return _weekday_date(today, EN_WEEKDAYS[m[2]], m[1])

    if m := _RELATIVE.fullmatch(s):
        return _relative(m, today, field, text)

    raise _invalid_input(field, text)


def _relative(m: re.Match, today: date, field: str, text) -> date:
    n = cn_number(m["n"])
    unit, direction, sign = m["unit"], m["dir"], m["sign"]
    if n is None:
        raise _invalid_input(field, text)
    if unit is None:
        # A bare number is only a relative day count with an explicit sign: "+3".
        if not sign or direction:
            raise _invalid_input(field, text)
        unit = "d"
    if unit in ("月", "日") and not direction:
        # "3月" is March and "3日" the 3rd; "3个月" / "3日后" are amounts.
        raise _invalid_input(field, text)
    if m["n"] in _EN_NUMBERS and len(unit) <= 2 and unit.isascii():
        raise _invalid_input(field, text)  # "ad", "am": not amounts
    past = sign == "-" or direction in ("前", "以前", "之前", "ago")
    if sign == "-" and direction in ("后", "以后", "之后", "later"):
        raise _invalid_input(field, text)
    if n > 36_500:
        raise _invalid_input(field, text)
    delta = relativedelta(**{_UNITS[unit]: -n if past else n})
    try:
        return today + delta
    except (OverflowError, ValueError):
        raise _invalid_input(field, text) from None


# ---------------------------------------------------------------------------
# stored and imported dates

_VALUE_ISO = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
)
_VALUE_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?")
_VALUE_SERIAL = re.compile(r"(\d{1,5})(?:\.\d+)?")
_EXCEL_EPOCH = date(1899, 12, 30)


def excel_serial_to_date(serial: float, field: str = "date", typed=None) -> date:
    """Excel's 1900 date system: 1 = 1900-01-01, 61 = 1900-03-01.

    Excel (copying Lotus 1-2-3) counts a 1900-02-29 that never existed: serial
    60 is refused as impossible, serials before it are shifted by one day.
    The fraction (time of day) is dropped.
    """
    typed = serial if typed is None else typed
    if isinstance(serial, bool) or not math.isfinite(serial) or serial < 1:
        raise ValidationError(field, t("dates.err.value", value=_shown(typed)))
    n = int(serial)
    if n == 60:
        raise ValidationError(field, t("err.date_impossible", value=_shown(typed)))
    try:
        return _EXCEL_EPOCH + timedelta(days=n + (1 if n < 60 else 0))
    except OverflowError:
        raise ValidationError(field, t("err.date_impossible", value=_shown(typed))) from None


def parse_date_value(value, field: str = "date") -> date:
    """An absolute date from imports and stored data; nothing relative, nothing guessed.

    ``date`` / ``datetime`` objects, ``2026-03-05`` (a trailing time is ignored),
    ``2026/3/5``, ``2026.3.5``, ``2026年3月5日``, ``20260305`` and Excel serial
    numbers (``46000``, ``46000.5``; numbers of up to five digits, 1900 system).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValidationError(field, t("dates.err.value", value=_shown(value)))
    if isinstance(value, int | float):
        return excel_serial_to_date(value, field)
    s = unicodedata.normalize("NFKC", "" if value is None else str(value))
    s = re.sub(r"\s+", " ", s).strip().lower()
    if not s:
        raise ValidationError(field, t("err.required", field=_label(field)))
    if m := _VALUE_ISO.fullmatch(s) or _VALUE_ZH.fullmatch(s) or _COMPACT.fullmatch(s):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), field, value)
    if _VALUE_SERIAL.fullmatch(s):
        return excel_serial_to_date(float(s), field, value)
    raise ValidationError(field, t("dates.err.value", value=_shown(value)))


# ---------------------------------------------------------------------------
# relative wording


def days_between(a: date, b: date) -> int:
    """Days from ``a`` to ``b`` (negative when ``b`` is earlier)."""
    return (b - a).days


def describe_relative(d: date, today: date, lang: str | None = None) -> str:
    """``今天``, ``明天``, ``后天``, ``3天后``, ``逾期2天``.

    English: today, tomorrow, in 2 days, in 3 days, 1 day overdue, 2 days overdue.
    """
    n = days_between(today, d)
    if n == 0:
        return t("dates.rel.today", lang=lang)
    if n == 1:
        return t("dates.rel.tomorrow", lang=lang)
    if n == 2:
        return t("dates.rel.day_after", lang=lang)
    if n > 2:
        return t("dates.rel.in_days", lang=lang, n=n)
    if n == -1:
        return t("dates.rel.overdue_one", lang=lang)
    return t("dates.rel.overdue", lang=lang, n=-n)


# ---------------------------------------------------------------------------
# lunar calendar

LUNAR_MONTHS = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")
_LUNAR_MONTH_WORDS = {"正": 1, "冬": 11, "腊": 12, "臘": 12}
#: Months that are leap months in some year lunardate supports (1900-2099).
LEAP_MONTHS = frozenset(range(2, 12))
LUNAR_FIRST_YEAR, LUNAR_LAST_YEAR = 1900, 2099
LUNAR_MIN_SOLAR = date(1900, 1, 31)


@functools.cache
def _lunar_max_solar() -> date:
    last = LunarDate(LUNAR_LAST_YEAR, 12, 1).to_solar_date()
    return last + timedelta(days=lunar_month_days(LUNAR_LAST_YEAR, 12, False) - 1)


def lunar_month_days(year: int, month: int, leap: bool = False) -> int:
    """29 or 30: the length of a lunar month (ValueError if it does not exist)."""
    try:
        LunarDate(year, month, 30, leap).to_solar_date()
        return 30
    except ValueError:
        pass
    LunarDate(year, month, 29, leap).to_solar_date()  # raises if the month is missing
    return 29


def lunar_month_name(month: int, leap: bool = False) -> str:
    """``正月``, ``闰四月``, ``冬月``, ``腊月``."""
    return ("闰" if leap else "") + LUNAR_MONTHS[month - 1] + "月"


def lunar_day_name(day: int) -> str:
    """``初一`` ... ``初十``, ``十一`` ... ``二十``, ``廿一`` ... ``三十``."""
    digits = "一二三四五六七八九十"
    if day <= 10:
        return "初" + digits[day - 1]
    if day < 20:
        return "十" + digits[day - 11]
    if day == 20:
        return "二十"
    if day < 30:
        return "廿" + digits[day - 21]
    return "三十"


def lunar_label(d: date) -> str:
    """The lunar date of a solar day, the way Chinese calendars write it: ``农历十月十六``.

    Empty outside the supported range (lunar years 1900-2099).
    """
    if not LUNAR_MIN_SOLAR <= d <= _lunar_max_solar():
        return ""
    ld = LunarDate.from_solar_date(d.year, d.month, d.day)
    return "农历" + lunar_month_name(ld.month, ld.is_leap_month) + lunar_day_name(ld.day)


# ---------------------------------------------------------------------------
# birthdays


@dataclass(frozen=True)
class Birthday:
    """A birthday: solar or lunar (农历) month and day, with the year when known.

    Constructing one validates it (ValidationError on the ``birthday`` field).
    """

    month: int
    day: int
    year: int | None = None
    lunar: bool = False
    leap: bool = False  # lunar leap month (闰月)

    def __post_init__(self):
        problem = _birthday_problem(self.month, self.day, self.year, self.lunar, self.leap)
        if problem:
            raise ValidationError("birthday", problem)

    @classmethod
    def from_row(cls, year, month, day, lunar=False, leap=False) -> Birthday | None:
        """From the ``contact.birth_*`` columns; None when month or day is missing."""
        if not month or not day:
            return None
        return cls(int(month), int(day), int(year) if year else None, bool(lunar), bool(leap))

    def columns(self) -> dict:
        """The ``contact.birth_*`` column values."""
        return {
            "birth_year": self.year,
            "birth_month": self.month,
            "birth_day": self.day,
            "birth_lunar": self.lunar,
            "birth_leap": self.leap,
        }


def _birthday_problem(month, day, year, lunar, leap, shown: str | None = None) -> str | None:
    """Why these cannot be a birthday (a message quoting ``shown``), or None."""
    b = _Fields(month, day, year, lunar, leap)
    if shown is None:
        shown = _describe_for_error(b)
    if not isinstance(b.month, int) or not isinstance(b.day, int):
        return t("dates.err.birthday_impossible", value=shown)
    if not 1 <= b.month <= 12 or b.day < 1:
        return t("dates.err.birthday_impossible", value=shown)
    if not b.lunar:
        if b.leap:
            return t("dates.err.birthday_impossible", value=shown)
        if b.year is not None and not 1900 <= b.year <= 2100:
            return t("dates.err.birthday_year", value=shown)
        limit = days_in_month(b.year if b.year is not None else 2000, b.month)
        if b.day > limit:
            return t("dates.err.birthday_impossible", value=shown)
        return None
    if b.day > 30:
        return t("dates.err.birthday_impossible", value=shown)
    if b.year is None:
        if b.leap and b.month not in LEAP_MONTHS:
            return t("dates.err.leap_never", value=shown, month=lunar_month_name(b.month, True))
        return None
    if not LUNAR_FIRST_YEAR <= b.year <= LUNAR_LAST_YEAR:
        return t("dates.err.lunar_range", value=shown)
    if b.leap and LunarDate.leap_month_for_year(b.year) != b.month:
        month = lunar_month_name(b.month, True)
        return t("dates.err.leap_missing", value=shown, year=b.year, month=month)
    if b.day > lunar_month_days(b.year, b.month, b.leap):
        return t("dates.err.birthday_impossible", value=shown)
    return None


@dataclass(frozen=True)
class _Fields:
    month: int
    day: int
    year: int | None = None
    lunar: bool = False
    leap: bool = False


def _describe_for_error(b: _Fields) -> str:
    try:
        if b.lunar:
            year = f"{b.year}年" if b.year else ""
            return f"农历{year}{'闰' if b.leap else ''}{b.month}月{b.day}日"
        if b.year is not None:
            return f"{b.year}-{b.month:02d}-{b.day:02d}"
        return f"{b.month:02d}-{b.day:02d}"
    except (TypeError, ValueError):
        return repr((b.year, b.month, b.day))


_LUNAR_PREFIX = re.compile(r"(?:农历|阴历|陰曆|農曆|旧历|lunar:?|l)(.+)")
_SOLAR_PREFIX = re.compile(r"(?:公历|阳历|新历|國曆|陽曆|solar:?)(.+)")
_BD_FULL = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?")
_BD_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_BD_VCARD = re.compile(r"--(\d{2})-?(\d{2})")
_BD_MONTH_DAY = re.compile(r"(\d{1,2})[-/.月](\d{1,2})[日号]?")
_LUNAR_ZH = re.compile(
    r"(?:(\d{4})年)?(闰|閏)?(正|冬|腊|臘|" + NUM + r")月(初(?:" + NUM + r")|" + NUM + r")[日号]?"
)
_LUNAR_DIGITS = re.compile(
    r"(leap|闰|閏|r)?(?:(\d{4})[-/.年])?(leap|闰|閏|r)?(\d{1,2})[-/.月](\d{1,2})[日号]?"
)
#: Years exports write for "year unknown" (Apple: 1604; some tools: 0000).
_NO_YEAR = {0, 1604}


def _lunar_month_value(s: str) -> int | None:
    return _LUNAR_MONTH_WORDS.get(s) or cn_number(s)


def _lunar_day_value(s: str) -> int | None:
    if s.startswith("初"):
        n = cn_number(s[1:])
        return n if n is not None and 1 <= n <= 10 else None
    return cn_number(s)


def _parse_birthday_text(s: str) -> _Fields | None:
    """The birthday fields in normalized text (not yet checked), or None if not understood."""
    s = re.sub(r"[(（][^)）]*[)）]$", "", s)  # "lunar 3/5 (农历三月初五)"
    if m := _LUNAR_PREFIX.fullmatch(s):
        body = m[1]
        if z := _LUNAR_ZH.fullmatch(body):
            month, day = _lunar_month_value(z[3]), _lunar_day_value(z[4])
            if month is None or day is None:
                return None
            year = int(z[1]) if z[1] else None
            return _Fields(month, day, year, lunar=True, leap=bool(z[2]))
        if d := _LUNAR_DIGITS.fullmatch(body):
            if d[1] and d[3]:
                return None
            year = int(d[2]) if d[2] else None
            return _Fields(int(d[4]), int(d[5]), year, lunar=True, leap=bool(d[1] or d[3]))
        return None
    if (z := _LUNAR_ZH.fullmatch(s)) and (
        z[2] or z[3] in _LUNAR_MONTH_WORDS or z[4].startswith(("初", "廿", "卅"))
    ):
        return _parse_birthday_text("农历" + s)  # 三月初五, 腊月廿三: only the lunar calendar
    if m := _SOLAR_PREFIX.fullmatch(s):
        s = m[1]
    if m := _BD_FULL.fullmatch(s) or _BD_COMPACT.fullmatch(s):
        year = int(m[1])
        return _Fields(int(m[2]), int(m[3]), None if year in _NO_YEAR else year)
    if m := _BD_VCARD.fullmatch(s) or _BD_MONTH_DAY.fullmatch(s):
        return _Fields(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(" + NUM + r")月(" + NUM + r")[日号]?", s):
        month, day = cn_number(m[1]), cn_number(m[2])
        if month is None or day is None:
            return None
        return _Fields(month, day)
    return None


def parse_birthday(text, field: str = "birthday") -> Birthday | None:
    """A birthday as typed or imported; None for empty input.

    Solar: ``1990-05-01``, ``1990/5/1``, ``1990年5月1日``, ``19900501``, ``05-01``,
    ``5/1``, ``5月1日``, ``--05-01``, ``--0501`` (vCard without a year; the years
    1604 and 0000 that exports write for "unknown" also mean no year).
    Lunar: ``农历三月初五``, ``农历1990年三月初五``, ``阴历3月5日``, ``农历闰四月初八``,
    ``农历正月十五``, ``L3-5``, ``L1990-3-5``, ``L闰4-8``, ``lunar 3/5``, ``lunar leap 4/8``;
    without the prefix when the words are lunar-only (``三月初五``, ``腊月廿三``,
    ``闰四月初八``). ``公历``/``阳历`` may prefix a solar date. A ``date`` or a
    Birthday passes through.
    """
    if text is None:
        return None
    if isinstance(text, Birthday):
        return text
    if isinstance(text, datetime):
        text = text.date()
    if isinstance(text, date):
        fields = _Fields(text.month, text.day, text.year)
    else:
        s = _normalize(text)
        if not s:
            return None
        fields = _parse_birthday_text(s)
        if fields is None:
            raise ValidationError(field, t("dates.err.birthday", value=_shown(text)))
    f = fields
    problem = _birthday_problem(f.month, f.day, f.year, f.lunar, f.leap, _shown(text))
    if problem:
        raise ValidationError(field, problem)
    return Birthday(f.month, f.day, f.year, f.lunar, f.leap)


def format_birthday(b: Birthday | None, lang: str | None = None) -> str:
    """``1990-05-01``, ``05-01``; lunar ``农历三月初五``, ``农历1990年闰四月初八``.

    In English a lunar birthday reads ``lunar 3/5 (农历三月初五)``, ``lunar leap
    4/8 (农历闰四月初八)``, ``lunar 1990/3/5 (农历1990年三月初五)``. Every form parses
    back with :func:`parse_birthday`.
    """
    if b is None:
        return ""
    if not b.lunar:
        if b.year is not None:
            return f"{b.year:04d}-{b.month:02d}-{b.day:02d}"
        return f"{b.month:02d}-{b.day:02d}"
    year = f"{b.year}年" if b.year is not None else ""
    name = year + lunar_month_name(b.month, b.leap) + lunar_day_name(b.day)
    if (lang or language()) == "zh":
        return "农历" + name
    md = ("leap " if b.leap else "") + (f"{b.year}/" if b.year is not None else "")
    md += f"{b.month}/{b.day}"
    return t("dates.lunar_birthday", lang="en", md=md, name=name)


def _solar_in_year(month: int, day: int, year: int) -> date:
    """month/day in ``year``; Feb 29 falls on Feb 28 in common years."""
    return date(year, month, min(day, days_in_month(year, month)))


def _lunar_in_year(b: Birthday, lunar_year: int) -> date | None:
    """The solar date of ``b`` in ``lunar_year``; None outside lunardate's range."""
    if not LUNAR_FIRST_YEAR <= lunar_year <= LUNAR_LAST_YEAR:
        return None
    leap = b.leap and LunarDate.leap_month_for_year(lunar_year) == b.month
    day = min(b.day, lunar_month_days(lunar_year, b.month, leap))
    return LunarDate(lunar_year, b.month, day, leap).to_solar_date()


def next_birthday(b: Birthday, today: date) -> date:
    """The next solar date (today or later) on which the birthday falls.

    Raises ValidationError for a lunar birthday when ``today`` is outside the
    range of the lunar calendar (1900-2099).
    """
    if not b.lunar:
        this_year = _solar_in_year(b.month, b.day, today.year)
        return this_year if this_year >= today else _solar_in_year(b.month, b.day, today.year + 1)
    # A lunar year starts in late January or February, so the birthday in
    # lunar year Y falls in solar year Y or Y+1: look at the years around today.
    candidates = []
    for lunar_year in (today.year - 1, today.year, today.year + 1):
        d = _lunar_in_year(b, lunar_year)
        if d is not None and d >= today:
            candidates.append(d)
    if not candidates:
        raise ValidationError("birthday", t("dates.err.lunar_range", value=format_birthday(b)))
    return min(candidates)


def age_on(b: Birthday, day: date) -> int | None:
    """Age in whole years on ``day``; None without a birth year or before birth.

    Solar: a Feb 29 birthday turns a year older on Feb 28 in common years.
    Lunar with a year: the lunar years completed (the birthday counted as in
    :func:`next_birthday`). None outside the lunar calendar's range.
    """
    if b.year is None:
        return None
    if not b.lunar:
        birth = date(b.year, b.month, b.day)
        if day < birth:
            return None
        return day.year - b.year - (day < _solar_in_year(b.month, b.day, day.year))
    birth = _lunar_in_year(b, b.year)
    if birth is None or day < birth or not LUNAR_MIN_SOLAR <= day <= _lunar_max_solar():
        return None
    lunar_year = LunarDate.from_solar_date(day.year, day.month, day.day).year
    this_year = _lunar_in_year(b, lunar_year)
    return lunar_year - b.year - (this_year is not None and day < this_year)
