"""Formatting values for people: money, dates, names, and safe display of contact text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# ANSI escape sequences, C0/C1 controls, bidi overrides and isolates, zero-width characters.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: two for wide (Chinese) characters, else one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def safe(value, *, max_len: int | None = None, one_line: bool = True) -> str:
    """Contact text made safe to print: no escape sequences, controls or bidi tricks.

    It is still *text*: callers rendering it with Rich/Textual must not treat it
    as markup (use ``rich.text.Text`` or ``rich.markup.escape``).
    """
    s = "" if value is None else str(value)
    s = _ANSI.sub("", s)
    if one_line:
        s = s.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    s = _CONTROL.sub("", s)
    if max_len is not None and len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return s


def money(fen: int | None, *, symbol: bool = True) -> str:
    """¥1,234.50 from 123450; whole yuan drop the decimals (¥120)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    body = f"{yuan:,}" if cents == 0 else f"{yuan:,}.{cents:02d}"
    return f"{sign}{'¥' if symbol else ''}{body}"


def day(d: date | None) -> str:
    return d.isoformat() if d else ""


def display_name(remark: str, nickname: str, contact_id: int | None = None) -> str:
    """The remark name the seller gave, else the nickname, else #id."""
    name = (remark or "").strip() or (nickname or "").strip()
    if name:
        return name
    return f"#{contact_id}" if contact_id is not None else "?"
