"""Repeat rules for manual reminders, stored as RFC 5545 RRULE text.

A seller types a rule in either language (``每3天``, ``每周一三五``, ``每月15号``,
``every 2 weeks``, ``monthly on 15``, ``2w``) or raw ``FREQ=...`` text;
:func:`parse_repeat` turns it into canonical RRULE text (``FREQ=WEEKLY;INTERVAL=2``,
``FREQ=WEEKLY;BYDAY=MO,WE,FR``, ``FREQ=MONTHLY;BYMONTHDAY=15``), which
:func:`describe_repeat` shows back and :func:`next_occurrence` follows
(``dateutil.rrule`` does the calendar work).

Decisions:

* **Day 29-31 of the month** means "that day, or the last day of shorter
  months": ``每月31号`` is stored as ``FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1``
  (plain RFC 5545, so any calendar reads it the same way): Jan 31, Feb 28,
  Mar 31, Apr 30. A raw ``FREQ=MONTHLY;BYMONTHDAY=31`` is normalized the same
  way. ``每年2月29日`` falls on Feb 28 in common years, like birthdays.
  ``每月最后一天`` is ``BYMONTHDAY=-1``.
* **Plain monthly/yearly rules** (``每月``, ``每年``) repeat on the anchor's day,
  with the same clamping (anchored on Jan 31: Feb 28, Mar 31...). Use
  :func:`pin_rule` when saving a reminder so the day is written into the rule
  and later due dates (possibly clamped) can serve as the anchor without drift.
* **The grid.** :func:`next_occurrence` returns the first date of the rule's
  grid, anchored on the reminder's first due date, strictly after ``after``.
  A reminder done late is not re-anchored on the day it was done: "every 3
  days" due Nov 4 (grid Nov 1, 4, 7, 10...) and done on Nov 9 comes back on
  Nov 10, not Nov 12. A reminder done early should pass ``after`` = its due
  date, so the next one is the following grid date.
* ``每隔N天`` is read literally, "skip N days": ``每隔一天`` is every other day
  (``INTERVAL=2``) and ``每隔3天`` every 4 days; ``每3天`` is every 3 days. The
  screen shows :func:`describe_repeat` (``每 4 天``) so the seller sees the reading.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from kamtui.dates import EN_WEEKDAYS, NUM, ZH_WEEKDAYS, cn_number, days_in_month
from kamtui.errors import ValidationError
from kamtui.fmt import safe
from kamtui.i18n import language, t

FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: The largest INTERVAL per frequency (ten years of days, weeks or months; a century of years).
MAX_INTERVAL = {"DAILY": 3650, "WEEKLY": 520, "MONTHLY": 120, "YEARLY": 100}
_ORDER = (
    "FREQ",
    "INTERVAL",
    "BYMONTH",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "WKST",
    "COUNT",
    "UNTIL",
)
_UNIT_FREQ = {
    "d": "DAILY",
    "day": "DAILY",
    "天": "DAILY",
    "日": "DAILY",
    "w": "WEEKLY",
    "week": "WEEKLY",
    "周": "WEEKLY",
    "星期": "WEEKLY",
    "礼拜": "WEEKLY",
    "m": "MONTHLY",
    "month": "MONTHLY",
    "月": "MONTHLY",
    "y": "YEARLY",
    "year": "YEARLY",
    "年": "YEARLY",
}
_FREQ_UNIT = {"DAILY": "days", "WEEKLY": "weeks", "MONTHLY": "months", "YEARLY": "years"}
_WORKDAYS = "MO,TU,WE,TH,FR"
_WEEKEND = "SA,SU"


def _shown(value) -> str:
    return safe("" if value is None else str(value), max_len=60).strip()


def _invalid(field: str, typed) -> ValidationError:
    return ValidationError(field, t("dates.err.repeat", value=_shown(typed)))


# ---------------------------------------------------------------------------
# RRULE text


def _split(text: str) -> dict[str, str] | None:
    """``FREQ=WEEKLY;BYDAY=MO`` -> {"FREQ": "WEEKLY", "BYDAY": "MO"}; None if malformed."""
    s = re.sub(r"\s+", "", text).upper()
    if s.startswith("RRULE:"):
        s = s[len("RRULE:") :]
    parts: dict[str, str] = {}
    for item in filter(None, s.split(";")):
        key, eq, value = item.partition("=")
        if not eq or not value or key not in _ORDER or key in parts:
            return None
        parts[key] = value
    return parts if "FREQ" in parts else None


def _join(parts: dict[str, str]) -> str:
    return ";".join(f"{k}={parts[k]}" for k in _ORDER if k in parts)


def _ints(value: str) -> list[int] | None:
    try:
        return [int(v) for v in value.split(",")]
    except ValueError:
        return None


def _month_days_exist(p: dict[str, str]) -> bool:
    """False when BYMONTH/BYMONTHDAY name no real day (``4/31``): such rules never come due."""
    months = _ints(p.get("BYMONTH", "")) or list(range(1, 13))
    days = _ints(p.get("BYMONTHDAY", ""))
    if not days:
        return True
    return any(abs(d) <= days_in_month(2000, m) for m in months for d in days)


def _normalized(parts: dict[str, str], field: str, typed) -> dict[str, str]:
    """Checked, canonical parts (raises ValidationError)."""
    p = dict(parts)
    freq = p["FREQ"]
    if freq not in FREQS:
        raise ValidationError(field, t("dates.err.repeat_freq", value=_shown(typed)))
    interval = _ints(p.pop("INTERVAL", "1"))
    if not interval or len(interval) != 1:
        raise _invalid(field, typed)
    if not 1 <= interval[0] <= MAX_INTERVAL[freq]:
        raise ValidationError(
            field,
            t("dates.err.repeat_interval", value=_shown(typed), high=MAX_INTERVAL[freq]),
        )
    if interval[0] != 1:
        p["INTERVAL"] = str(interval[0])
    if "BYDAY" in p:
        days = p["BYDAY"].split(",")
        if not all(re.fullmatch(r"[+-]?\d{0,2}(MO|TU|WE|TH|FR|SA|SU)", d) for d in days):
            raise _invalid(field, typed)
        if len(set(days)) != len(days):
            raise _invalid(field, typed)
        if all(d in WEEKDAY_CODES for d in days):
            days = sorted(days, key=WEEKDAY_CODES.index)
        elif freq not in ("MONTHLY", "YEARLY"):  # "1MO" (the first Monday) needs a month or year
            raise _invalid(field, typed)
        p["BYDAY"] = ",".join(days)
    for key in ("BYMONTH", "BYMONTHDAY", "BYSETPOS", "COUNT"):
        if key in p:
            values = _ints(p[key])
            if values is None:
                raise _invalid(field, typed)
            p[key] = ",".join(str(v) for v in values)
    if ("BYMONTH" in p or "BYMONTHDAY" in p) and freq not in ("MONTHLY", "YEARLY"):
        raise _invalid(field, typed)  # "every day in March": not a reminder rule
    ranges = {"BYMONTH": (1, 12), "BYMONTHDAY": (-31, 31), "BYSETPOS": (-366, 366)}
    for key, (low, high) in ranges.items():
        values = _ints(p[key]) if key in p else []
        if any(v == 0 or not low <= v <= high for v in values):
            raise _invalid(field, typed)
    if not _month_days_exist(p):
        raise ValidationError(field, t("dates.err.repeat_never", value=_shown(typed)))
    if "COUNT" in p and "UNTIL" in p:
        raise _invalid(field, typed)
    if "COUNT" in p and int(p["COUNT"].split(",")[0]) < 1:
        raise _invalid(field, typed)
    if "UNTIL" in p:
        m = re.fullmatch(r"(\d{8})(?:T\d{6}Z?)?", p["UNTIL"])
        if not m:
            raise _invalid(field, typed)
        p["UNTIL"] = m[1]
    if "WKST" in p and p["WKST"] not in WEEKDAY_CODES:
        raise _invalid(field, typed)
    if p.get("WKST") == "MO":
        del p["WKST"]  # the default
    # Day 29-31 on its own: that day or the month's last day (see the module doc).
    others = set(p) - {"FREQ", "INTERVAL", "BYMONTHDAY", "COUNT", "UNTIL", "WKST"}
    day = _ints(p.get("BYMONTHDAY", ""))
    if freq == "MONTHLY" and not others and day and len(day) == 1 and 29 <= day[0] <= 31:
        p["BYMONTHDAY"] = ",".join(str(d) for d in range(28, day[0] + 1))
        p["BYSETPOS"] = "-1"
    if (
        freq == "YEARLY"
        and p.get("BYMONTH") == "2"
        and p.get("BYMONTHDAY") == "29"
        and not others - {"BYMONTH"}
    ):
        p["BYMONTHDAY"] = "28,29"
        p["BYSETPOS"] = "-1"
    try:
        rrulestr(_join(p), dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError, KeyError, IndexError):
        raise _invalid(field, typed) from None
    return p


def _checked(rule: str, field: str = "repeat", typed=None) -> dict[str, str]:
    parts = _split(rule)
    if parts is None:
        raise _invalid(field, rule if typed is None else typed)
    return _normalized(parts, field, rule if typed is None else typed)


# ---------------------------------------------------------------------------
# what sellers type

_SEPARATORS = r"[、,，和及与/&]|and"
_RANGE = r"至|到|~|-|—|–|through|thru|to"


def _zh_days(s: str) -> list[int] | None:
    """``一三五``, ``一、三、五``, ``周一和周四``, ``一至五``, ``末``, ``工作日`` -> weekdays."""
    s = re.sub(r"周|星期|礼拜", "", s)
    if s in ("末", "末两天"):
        return [5, 6]
    if s in ("工作日", "一至五", "一到五"):
        return [0, 1, 2, 3, 4]
    s = re.sub(_SEPARATORS, "", s)
    days: list[int] = []
    i = 0
    while i < len(s):
        if s[i] not in ZH_WEEKDAYS:
            return None
        m = re.match(r"(" + _RANGE + r")", s[i + 1 :])
        if m and i + 1 + len(m[1]) < len(s):
            end = s[i + 1 + len(m[1])]
            if end not in ZH_WEEKDAYS:
                return None
            a, b = ZH_WEEKDAYS[s[i]], ZH_WEEKDAYS[end]
            if b < a:
                return None
            days.extend(range(a, b + 1))
            i += 2 + len(m[1])
        else:
            days.append(ZH_WEEKDAYS[s[i]])
            i += 1
    return days or None


def _en_days(s: str) -> list[int] | None:
    """``mon``, ``mondays``, ``mon, wed and fri``, ``mon-fri`` -> weekdays."""
    s = s.strip()
    if s in ("weekday", "weekdays"):
        return [0, 1, 2, 3, 4]
    if s in ("weekend", "weekends"):
        return [5, 6]
    tokens = [x for x in re.split(r"\s*(?:,|&|/|\band\b|\s)\s*", s) if x]
    days: list[int] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i].rstrip("s") if tokens[i] not in EN_WEEKDAYS else tokens[i]
        if "-" in tok or "–" in tok:
            m = re.fullmatch(r"([a-z]+)[-–]([a-z]+?)s?", tok)
            if not m or m[1] not in EN_WEEKDAYS or m[2] not in EN_WEEKDAYS:
                return None
            lo, hi = EN_WEEKDAYS[m[1]], EN_WEEKDAYS[m[2]]
            if hi < lo:
                return None
            days.extend(range(lo, hi + 1))
            i += 1
            continue
        if tok not in EN_WEEKDAYS:
            return None
        if i + 2 < len(tokens) and tokens[i + 1] in ("to", "through", "thru"):
            end = tokens[i + 2].rstrip("s") if tokens[i + 2] not in EN_WEEKDAYS else tokens[i + 2]
            if end not in EN_WEEKDAYS or EN_WEEKDAYS[end] < EN_WEEKDAYS[tok]:
                return None
            days.extend(range(EN_WEEKDAYS[tok], EN_WEEKDAYS[end] + 1))
            i += 3
            continue
        days.append(EN_WEEKDAYS[tok])
        i += 1
    return days or None


def _byday(days: list[int]) -> str:
    return ",".join(WEEKDAY_CODES[d] for d in sorted(set(days)))


_YEAR_DAY = re.compile(r"(?:(" + NUM + r")月(" + NUM + r")(?:号|日)?|(\d{1,2})[-/.](\d{1,2}))")


def _on_part(freq: str, on: str, english: bool) -> dict[str, str] | None:
    """The "on ..." part of a rule: weekdays, a day of the month, a day of the year."""
    if freq == "WEEKLY":
        days = _en_days(on) if english else _zh_days(on)
        return {"BYDAY": _byday(days)} if days else None
    if freq == "MONTHLY":
        if english:
            on = re.sub(r"^the\s+|\s+of\s+(?:the|each|every)\s+month$", "", on.strip())
            if on in ("last day", "last", "end", "month end", "the last day"):
                return {"BYMONTHDAY": "-1"}
            m = re.fullmatch(r"(?:the\s+)?(?:day\s+)?(\d{1,2})(?:st|nd|rd|th)?", on)
            day = int(m[1]) if m else None
        else:
            if on in ("最后一天", "最后1天", "月底", "底", "末", "月末"):
                return {"BYMONTHDAY": "-1"}
            m = re.fullmatch(r"第?(" + NUM + r")(?:号|日)?", on)
            day = cn_number(m[1]) if m else None
        if day is None or not 1 <= day <= 31:
            return None
        return {"BYMONTHDAY": str(day)}
    if freq == "YEARLY":
        m = _YEAR_DAY.fullmatch(on)
        if not m:
            return None
        month = cn_number(m[1]) if m[1] else int(m[3])
        day = cn_number(m[2]) if m[2] else int(m[4])
        if month is None or day is None or not 1 <= month <= 12 or not 1 <= day <= 31:
            return None
        return {"BYMONTH": str(month), "BYMONTHDAY": str(day)}
    return None


def _rule(freq: str, n: int | None, on: dict[str, str] | None = None) -> dict[str, str]:
    parts = {"FREQ": freq}
    if n is not None and n != 1:
        parts["INTERVAL"] = str(n)
    parts.update(on or {})
    return parts


_ZH_RULE = re.compile(
    r"(?P<every>每隔|每)?(?P<n>" + NUM + r")?(?P<ge>个)?"
    r"(?P<unit>天|日|周|星期|礼拜|月|年)的?(?P<on>.*)"
)
_EN_RULE = re.compile(
    r"(?:every|each)\s+(?:(?P<n>\d+|[a-z]+)\s+)?(?P<unit>day|week|month|year)s?"
    r"(?:\s+on\s+(?P<on>.+))?"
)
_EN_ADVERB = re.compile(
    r"(?P<adv>daily|weekly|monthly|yearly|annually|biweekly|fortnightly)(?:\s+on\s+(?P<on>.+))?"
)
_ADVERBS = {
    "daily": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "monthly": ("MONTHLY", 1),
    "yearly": ("YEARLY", 1),
    "annually": ("YEARLY", 1),
    "biweekly": ("WEEKLY", 2),
    "fortnightly": ("WEEKLY", 2),
}
_SHORT = re.compile(r"\+?(\d+)(d|w|m|y)")


def _parse_zh(c: str) -> dict[str, str] | None:
    if c in ("天天", "每天", "每日"):
        return _rule("DAILY", 1)
    if c in ("工作日", "每个工作日", "每工作日", "每周工作日"):
        return {"FREQ": "WEEKLY", "BYDAY": _WORKDAYS}
    if c in ("周末", "每周末", "每个周末"):
        return {"FREQ": "WEEKLY", "BYDAY": _WEEKEND}
    m = _ZH_RULE.fullmatch(c)
    if not m:
        return None
    n = cn_number(m["n"]) if m["n"] else None
    if m["n"] and not n:
        return None
    if m["every"] == "每隔":
        if n is None:
            return None
        n += 1  # 每隔一天: skip one day, i.e. every other day
    if not m["every"] and n is None:
        return None  # "月" alone is not a rule
    if not m["every"] and m["unit"] == "月" and not m["ge"] and not m["on"]:
        return None  # "3月" is March; "3个月" or "每3月" is a rule
    if m["ge"] and m["unit"] in ("天", "日", "年"):
        return None
    freq = _UNIT_FREQ[m["unit"]]
    on = None
    if m["on"]:
        if not m["every"]:
            return None
        on = _on_part(freq, m["on"], english=False)
        if on is None:
            return None
    return _rule(freq, n, on)


def _en_number(s: str | None) -> int | None:
    if s is None:
        return 1
    return cn_number(s)


def _parse_en(s: str) -> dict[str, str] | None:
    s = re.sub(r"^repeats?\s+", "", s)
    if m := _SHORT.fullmatch(s.replace(" ", "")):
        return _rule(_UNIT_FREQ[m[2]], int(m[1]))
    if m := _EN_ADVERB.fullmatch(s):
        freq, n = _ADVERBS[m["adv"]]
        on = _on_part(freq, m["on"], english=True) if m["on"] else None
        if m["on"] and on is None:
            return None
        return _rule(freq, n, on)
    if m := _EN_RULE.fullmatch(s):
        n = _en_number(m["n"])
        if n is None:
            return None
        freq = _UNIT_FREQ[m["unit"]]
        on = _on_part(freq, m["on"], english=True) if m["on"] else None
        if m["on"] and on is None:
            return None
        return _rule(freq, n, on)
    if m := re.fullmatch(r"(?:every|each|on)\s+(.+)|(weekdays?|weekends?)", s):
        days = _en_days(m[1] or m[2])
        return {"FREQ": "WEEKLY", "BYDAY": _byday(days)} if days else None
    return None


def parse_repeat(text, field: str = "repeat") -> str | None:
    """Canonical RRULE text for what a seller typed; None for empty input.

    Chinese: ``每天``, ``每3天``, ``每隔3天``, ``每周``, ``每2周``, ``每周一``, ``每周一三五``,
    ``每周一至周五``, ``每个工作日``, ``每周末``, ``每两周的周二``, ``每月``, ``每3个月``,
    ``每月15号``, ``每月最后一天``, ``每年``, ``每年3月5日``, ``每隔一天`` (every other day);
    short ``3天``, ``2周``, ``1个月``.
    English: ``daily``, ``every 3 days``, ``weekly``, ``every 2 weeks``, ``biweekly``,
    ``every monday``, ``every mon, wed and fri``, ``every weekday``, ``every other week on
    tue``, ``monthly``, ``every 3 months``, ``monthly on 15``, ``monthly on the 15th``,
    ``monthly on the last day``, ``yearly``, ``yearly on 3/5``; short ``3d``, ``2w``,
    ``1m``, ``1y``. Raw: ``FREQ=WEEKLY;INTERVAL=2`` (``RRULE:`` prefix allowed).
    Text in parentheses is ignored, so :func:`describe_repeat` output parses back.
    """
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", str(text)).lower()
    s = re.sub(r"[(（][^)）]*[)）]", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    if not s:
        return None
    if re.search(r"\bfreq\s*=", s):  # raw text, also as shown: "custom repeat: FREQ=..."
        raw = re.search(r"(?:rrule:\s*)?[a-z]+\s*=.*", s)
        canonical = _checked(raw[0] if raw else s, field, text)
    else:
        c = s.replace(" ", "")
        c = re.sub(r"(?:一次|1次|重复)$", "", c)
        c = re.sub(r"^重复", "", c)
        parts = _parse_zh(c) if re.search(r"[\u4e00-\u9fff]", c) else _parse_en(s)
        if parts is None:
            raise _invalid(field, text)
        canonical = _normalized(parts, field, text)
    if _next(canonical, date(1999, 12, 31), date(2000, 1, 1)) is None:
        raise ValidationError(field, t("dates.err.repeat_never", value=_shown(text)))
    return _join(canonical)


# ---------------------------------------------------------------------------
# describing a rule


def _days_text(byday: str, lang: str) -> str:
    codes = byday.split(",")
    if lang == "zh":
        return "、".join(t(f"dates.wd.short.{WEEKDAY_CODES.index(c)}", lang=lang) for c in codes)
    form = "long" if len(codes) == 1 else "short"
    return ", ".join(t(f"dates.wd.{form}.{WEEKDAY_CODES.index(c)}", lang=lang) for c in codes)


def describe_repeat(rule: str | None, lang: str | None = None) -> str:
    """``每 2 周``, ``每周一、三、五``, ``每月15号`` / ``every 2 weeks``, ``every Mon, Wed, Fri``.

    Empty for no rule; a rule of another shape is shown as it is stored.
    """
    if not rule:
        return ""
    lang = lang or language()
    try:
        p = _checked(rule)
    except ValidationError:
        return t("dates.repeat.custom", lang=lang, rule=_shown(rule))
    text = _describe_shape(p, lang)
    if text is None:
        text = t("dates.repeat.custom", lang=lang, rule=_join(p))
    if "COUNT" in p:
        text += t("dates.repeat.count", lang=lang, n=p["COUNT"])
    if "UNTIL" in p:
        u = p["UNTIL"]
        text += t("dates.repeat.until", lang=lang, date=f"{u[:4]}-{u[4:6]}-{u[6:]}")
    return text


def _describe_shape(p: dict[str, str], lang: str) -> str | None:
    freq = p["FREQ"]
    n = int(p.get("INTERVAL", "1"))
    keys = set(p) - {"FREQ", "INTERVAL", "COUNT", "UNTIL"}
    many = "" if n == 1 else "_n"
    if not keys:
        key = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly", "YEARLY": "yearly"}
        return t(f"dates.repeat.{key[freq]}{many}", lang=lang, n=n)
    if (
        freq == "WEEKLY"
        and keys == {"BYDAY"}
        and all(c in WEEKDAY_CODES for c in p["BYDAY"].split(","))
    ):
        if p["BYDAY"] == _WORKDAYS and n == 1:
            return t("dates.repeat.workdays", lang=lang)
        return t(f"dates.repeat.weekly_on{many}", lang=lang, n=n, days=_days_text(p["BYDAY"], lang))
    if freq == "MONTHLY" and keys == {"BYMONTHDAY"}:
        day = int(p["BYMONTHDAY"]) if "," not in p["BYMONTHDAY"] else 0
        if day == -1:
            return t(f"dates.repeat.monthly_last{many}", lang=lang, n=n)
        if 1 <= day <= 28:
            return t(f"dates.repeat.monthly_on{many}", lang=lang, n=n, day=day)
        return None
    if freq == "MONTHLY" and keys == {"BYMONTHDAY", "BYSETPOS"} and p["BYSETPOS"] == "-1":
        days = [int(d) for d in p["BYMONTHDAY"].split(",")]
        if days[0] == 28 and days == list(range(28, days[-1] + 1)) and days[-1] >= 29:
            return t(f"dates.repeat.monthly_clamped{many}", lang=lang, n=n, day=days[-1])
        return None
    if freq == "YEARLY" and keys == {"BYMONTH", "BYMONTHDAY"} and "," not in p["BYMONTHDAY"]:
        if "," in p["BYMONTH"] or int(p["BYMONTHDAY"]) < 1:
            return None
        month, day = int(p["BYMONTH"]), int(p["BYMONTHDAY"])
        return t(f"dates.repeat.yearly_on{many}", lang=lang, n=n, month=month, day=day)
    if (
        freq == "YEARLY"
        and keys == {"BYMONTH", "BYMONTHDAY", "BYSETPOS"}
        and (p["BYMONTH"], p["BYMONTHDAY"], p["BYSETPOS"]) == ("2", "28,29", "-1")
    ):
        return t(f"dates.repeat.yearly_feb29{many}", lang=lang, n=n)
    return None


# ---------------------------------------------------------------------------
# following a rule


def _anchored(p: dict[str, str], anchor: date) -> dict[str, str]:
    """Plain monthly/yearly rules clamped to short months from the anchor's day."""
    keys = set(p) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}
    if keys:
        return p
    if p["FREQ"] == "MONTHLY" and anchor.day > 28:
        return {
            **p,
            "BYMONTHDAY": ",".join(str(d) for d in range(28, anchor.day + 1)),
            "BYSETPOS": "-1",
        }
    if p["FREQ"] == "YEARLY" and (anchor.month, anchor.day) == (2, 29):
        return {**p, "BYMONTH": "2", "BYMONTHDAY": "28,29", "BYSETPOS": "-1"}
    return p


def pin_rule(rule: str, anchor: date) -> str:
    """The rule with the anchor's day written in where it matters (call when saving).

    ``FREQ=MONTHLY`` anchored on Jan 31 becomes ``FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;
    BYSETPOS=-1`` and ``FREQ=YEARLY`` anchored on Feb 29 becomes the Feb 28/29 rule,
    so a later (clamped) due date can be the anchor without the day drifting.
    Other rules come back canonical and otherwise unchanged.
    """
    return _join(_anchored(_checked(rule), anchor))


def _next(p: dict[str, str], after: date, anchor: date) -> date | None:
    p = dict(_anchored(p, anchor))
    count = int(p.pop("COUNT")) if "COUNT" in p else None
    until = p.pop("UNTIL", None)
    # Iterate with a bound: a rule that can never fall on this anchor's grid
    # (e.g. every 4 years on Feb 29 from a common year) must not loop to 9999.
    n = int(p.get("INTERVAL", "1"))
    start = max(after, anchor)
    try:
        limit = start + relativedelta(years=8) + relativedelta(**{_FREQ_UNIT[p["FREQ"]]: 2 * n})
    except (OverflowError, ValueError):
        limit = date.max
    if until:
        limit = min(limit, date(int(until[:4]), int(until[4:6]), int(until[6:])))
    if limit < anchor:
        return None
    p["UNTIL"] = limit.strftime("%Y%m%d")
    rule = rrulestr(_join(p), dtstart=datetime.combine(anchor, time()))
    for i, occurrence in enumerate(rule):
        if count is not None and i >= count:
            return None
        if occurrence.date() > after:
            return occurrence.date()
    return None


def next_occurrence(rule: str, after: date, anchor: date) -> date | None:
    """The first date of the rule's grid (anchored at ``anchor``) strictly after ``after``.

    ``anchor`` is the reminder's first due date (the grid starts there; it is
    itself a date of the grid only if it matches the rule, e.g. ``每周一``
    anchored on a Wednesday starts on the next Monday). None when the rule has
    ended (COUNT or UNTIL). An invalid rule raises ValidationError.
    """
    return _next(_checked(rule), after, anchor)
