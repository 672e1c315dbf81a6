"""A small date parser for imported cells.

Private stand-in for ``kamtui.dates`` (being written elsewhere): once it lands,
:func:`parse_date_value` and :func:`parse_birthday` can be replaced by
``kamtui.dates.parse_date_value`` / ``kamtui.dates.parse_birthday`` with the same
contract: take a cell (text, number, ``date`` or ``datetime``), return a ``date`` /
:class:`~kamtui.importing.model.Birthday`, raise ``ValidationError(field, message)``.

Forms: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, 20260305, with an optional
time (2026-03-05 14:22:01, 2026-03-05T14:22), Excel serials (45991, 45991.5),
and with ``order="mdy"``/``"dmy"`` the US/European 3/5/2026 that Outlook writes.
Birthdays also take --05-01, --0501, 05-01, 5月1日, 1604-05-01 (Apple's "no year"),
and lunar 农历三月初五, 农历1990年3月5日, 农历闰四月十二, 阴历 03-05.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from kamtui import clock
from kamtui.errors import ValidationError
from kamtui.i18n import t
from kamtui.importing.model import Birthday

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
_TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?)?"
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?" + _TIME + r"$")
_YMD8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_XYZ = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + r"$")
_MD = re.compile(r"^(?:--)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MD4 = re.compile(r"^--(\d{2})(\d{2})$")
_LUNAR_PREFIX = re.compile(r"^(?:农历|阴历|農曆|陰曆)\s*")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12, "臘": 12}
_LUNAR_CN = re.compile(
    r"^(?:(\d{4})年)?(闰|閏)?([正一二三四五六七八九十冬腊臘]{1,2}|十一|十二|\d{1,2})月"
    r"(初[一二三四五六七八九十]|十[一二三四五六七八九]?|二十|廿[一二三四五六七八九]?|三十|卅|\d{1,2})日?$"
)
#: Apple writes a birthday without a year as 1604-mm-dd (X-APPLE-OMIT-YEAR=1604).
NO_YEAR_MARKERS = (1604, 1900)


def _fail(field: str, key: str, value) -> ValidationError:
    err = ValidationError(field, t(key, value=value))
    err.key = key  # which problem, for callers that re-word it
    return err


def _make(y: int, m: int, d: int, field: str, raw, key: str = "import.date_impossible") -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise _fail(field, key, raw) from None


def _serial(value: float, field: str, raw, low: int = 10_000) -> date:
    if not (low <= value <= 80_000):
        raise _fail(field, "import.date_invalid", raw)
    days = int(value)
    return _EXCEL_EPOCH + timedelta(days=days)


def _text(value) -> str:
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if s.startswith("'"):
        s = s[1:].strip()
    return s


def parse_date_value(value, *, field: str = "date", order: str = "ymd") -> date:
    """A calendar day from a cell; ``order`` ("ymd", "mdy", "dmy") decides 3/5/2026."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise _fail(field, "import.date_invalid", value)
    if isinstance(value, int | float):
        return _serial(float(value), field, value)
    s = _text(value)
    m = _YMD.match(s)
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]), field, value)
    m = _YMD8.match(s)
    if m and 1900 <= int(m[1]) <= 2100:
        return _make(int(m[1]), int(m[2]), int(m[3]), field, value)
    if _SERIAL.match(s):
        return _serial(float(s), field, value)
    m = _XYZ.match(s)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if y < 100:
            y += 2000 if y <= (clock.today().year % 100) + 10 else 1900
        if order == "mdy" or (order == "ymd" and b > 12 >= a):
            month, day_ = a, b
        elif order == "dmy" or (order == "ymd" and a > 12 >= b):
            month, day_ = b, a
        else:
            raise _fail(field, "import.date_ambiguous", value)
        return _make(y, month, day_, field, value)
    raise _fail(field, "import.date_invalid", value)


def _cn_number(s: str) -> int:
    """一..三十 / 初五 / 廿三 / 12 -> int."""
    if s.isdigit():
        return int(s)
    s = s.removeprefix("初")
    if s in _LUNAR_MONTHS:
        return _LUNAR_MONTHS[s]
    s = s.replace("廿", "二十").replace("卅", "三十")
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[s]


def _lunar(s: str, field: str, raw) -> Birthday:
    s = s.replace(" ", "")
    m = _LUNAR_CN.match(s)
    if m:
        year = int(m[1]) if m[1] else None
        leap = bool(m[2])
        try:
            month, day_ = _cn_number(m[3]), _cn_number(m[4])
        except (KeyError, IndexError):
            raise _fail(field, "import.birthday_invalid", raw) from None
    else:
        m = _YMD.match(s) or _MD.match(s)
        if not m:
            raise _fail(field, "import.birthday_invalid", raw)
        groups = [int(g) for g in m.groups()]
        year = groups[0] if len(groups) == 3 else None
        month, day_ = groups[-2], groups[-1]
        leap = False
    if not (1 <= month <= 12 and 1 <= day_ <= 30):
        raise _fail(field, "import.birthday_impossible", raw)
    if year is not None and not (1900 <= year <= 2099):
        raise _fail(field, "import.birthday_impossible", raw)
    return Birthday(year, month, day_, lunar=True, leap=leap)


def _no_year(month: int, day_: int, field: str, raw) -> Birthday:
    _make(2000, month, day_, field, raw, "import.birthday_impossible")  # 2000: a leap year
    return Birthday(None, month, day_)


def parse_birthday(
    value, *, field: str = "birthday", order: str = "ymd", omit_year: int | None = None
) -> Birthday:
    """A birthday, with or without a year, Gregorian or lunar (农历)."""
    if isinstance(value, Birthday):
        return value
    if isinstance(value, date | datetime | int | float) and not isinstance(value, bool):
        d = parse_date_value(value, field=field, order=order)
        return _check_year(Birthday(d.year, d.month, d.day), field, value, omit_year)
    s = _text(value)
    if _LUNAR_PREFIX.match(s):
        return _lunar(_LUNAR_PREFIX.sub("", s), field, value)
    m = _MD4.match(s)
    if m:
        return _no_year(int(m[1]), int(m[2]), field, value)
    m = _MD.match(s)
    if m and not s.isdigit():
        return _no_year(int(m[1]), int(m[2]), field, value)
    if re.fullmatch(r"\d{1,2}/\d{1,2}", s):
        a, b = (int(x) for x in s.split("/"))
        month, day_ = (a, b) if order != "dmy" else (b, a)
        return _no_year(month, day_, field, value)
    try:
        d = parse_date_value(s, field=field, order=order)
    except ValidationError as err:
        key = getattr(err, "key", "")
        if key == "import.date_impossible":
            raise _fail(field, "import.birthday_impossible", value) from None
        if key == "import.date_ambiguous":
            raise
        raise _fail(field, "import.birthday_invalid", value) from None
    return _check_year(Birthday(d.year, d.month, d.day), field, value, omit_year)


def _check_year(b: Birthday, field: str, raw, omit_year: int | None) -> Birthday:
    if b.year is not None and (b.year == omit_year or b.year in NO_YEAR_MARKERS):
        return Birthday(None, b.month, b.day)
    if b.year is not None and not (1900 <= b.year <= clock.today().year):
        raise _fail(field, "import.birthday_impossible", raw)
    return b
