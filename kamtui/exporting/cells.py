"""Making contact text safe to put in a file, without losing the seller's real text.

Two separate jobs:

* :func:`clean_text` removes what must never reach a file a seller opens:
  terminal escape sequences (ANSI, 7-bit and 8-bit), NUL and the other C0
  controls except tab and line feed (CR and CRLF become LF), DEL and the C1
  controls, bidi embedding/override/isolate controls (U+202A-U+202E,
  U+2066-U+2069, the "Trojan Source" characters), invisible zero-width space,
  word joiner and invisible operators (U+200B, U+2060-U+2064), BOMs inside
  text (U+FEFF), the non-characters U+FFFE/U+FFFF and lone surrogates (not
  valid XML, not encodable). Everything else stays: Chinese, emoji and emoji
  sequences (ZWJ U+200D, ZWNJ U+200C and variation selectors are kept),
  LRM/RLM marks, tabs and newlines.
* :func:`neutralise` stops a spreadsheet from running a text cell as a
  formula: a text that starts with ``= + - @``, their full-width forms, a tab,
  CR or LF (also after leading spaces) gets a leading apostrophe. A text that
  already starts with an apostrophe gets one more, so :func:`restore` (the
  importer's side) is the exact inverse. Only *text* cells are neutralised:
  numbers (amounts, returns like ``-35.00``) are written as numbers.
"""

from __future__ import annotations

import re

#: Excel refuses (XLSX) or cuts (CSV) cells longer than this.
EXCEL_MAX_CHARS = 32_767

_ESCAPES = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]"
)
_DROP_BODY = (
    "\x01-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufffe\uffff\ud800-\udfff"
)
_DROP = re.compile(f"[\x00{_DROP_BODY}]")
#: First characters that make Excel, WPS or LibreOffice read a cell as a formula.
TRIGGERS = frozenset("=+-@\t\r\n＝＋－＠")
_SPACES = " \u3000"
#: A character :func:`clean_text` would change or remove (escapes start with one), NUL aside.
CLEANABLE_BUT_NUL = re.compile(f"[{_DROP_BODY}]")
#: In texts joined with NUL: a text (not the first) that starts like a formula, with an
#: apostrophe or with a space. (Two searches are several times faster than one with "|".)
RISKY_START_IN_JOINED = re.compile(f"\x00[=+\\-@\t\r\n＝＋－＠'{_SPACES}]")
RISKY_FIRST = frozenset(TRIGGERS | {"'", *_SPACES})


def clean_text(value: object, *, max_len: int | None = None) -> str:
    """The text without escapes and invisible controls (see the module doc)."""
    s = "" if value is None else str(value)
    if not s.isprintable():  # fast path: plain text has nothing to remove
        if "\x1b" in s or "\x9b" in s or "\x9d" in s:
            s = _ESCAPES.sub("", s)
        if "\r" in s:
            s = s.replace("\r\n", "\n").replace("\r", "\n")
        s = _DROP.sub("", s)
    if max_len is not None and len(s) > max_len:
        s = s[: max_len - 1] + "…"
    return s


def needs_guard(s: str) -> bool:
    """Would a spreadsheet read ``s`` as a formula (or is it already apostrophe-led)?"""
    if not s:
        return False
    first = s[0]
    if first in TRIGGERS or first == "'":
        return True
    if first in _SPACES:
        rest = s.lstrip(_SPACES)
        return bool(rest) and rest[0] in TRIGGERS
    return False


def neutralise(s: str) -> str:
    """``'=1+1`` for ``=1+1``; text that cannot run as a formula is unchanged."""
    return "'" + s if needs_guard(s) else s


def restore(s: str) -> str:
    """The inverse of :func:`neutralise` (for importers reading kamtui's CSV)."""
    if s.startswith("'") and needs_guard(s[1:]):
        return s[1:]
    return s


def spreadsheet_text(value: object) -> str:
    """Cleaned, length-capped and neutralised: what a CSV text cell holds."""
    s = value if type(value) is str else ("" if value is None else str(value))
    if not s:
        return s
    if not s.isprintable() or len(s) > EXCEL_MAX_CHARS:
        s = clean_text(s, max_len=EXCEL_MAX_CHARS - 1)
        if not s:
            return s
    if s[0] in TRIGGERS or s[0] == "'" or s[0] in _SPACES:
        return neutralise(s)
    return s
