"""Checking and converting user input. Every failure is a ValidationError naming the field."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from kamtui.errors import ValidationError
from kamtui.i18n import t

MAX_TEXT = 10_000
_MONEY = re.compile(r"^([+-]?)(\d+(?:\.\d{1,2})?|\.\d{1,2})$")


def label(field: str) -> str:
    key = f"field.{field}"
    text = t(key)
    return field if text == key else text


def text(value, field: str, *, required: bool = False, max_len: int = MAX_TEXT) -> str:
    """Trimmed text; NUL and other C0 controls (except tab/newline) are removed."""
    s = "" if value is None else str(value)
    s = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", s).strip()
    if required and not s:
        raise ValidationError(field, t("err.required", field=label(field)))
    if len(s) > max_len:
        raise ValidationError(field, t("err.too_long", field=label(field), max=max_len))
    return s


def parse_money(value, field: str = "amount", *, allow_negative: bool = False) -> int:
    """Integer fen from ``120``, ``120.5``, ``¥1,200.50``, ``120元``, ``-35`` (a return)."""
    if isinstance(value, int) and not isinstance(value, bool):
        fen = value * 100
    else:
        s = unicodedata.normalize("NFKC", str(value or "")).strip()
        s = s.replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
        s = s.replace("RMB", "").replace("CNY", "").strip()
        m = _MONEY.match(s)
        if not m:
            raise ValidationError(field, t("err.money_invalid", value=value))
        try:
            fen = int((Decimal(m.group(2)) * 100).to_integral_exact())
        except InvalidOperation:
            raise ValidationError(field, t("err.money_invalid", value=value)) from None
        if m.group(1) == "-":
            fen = -fen
    if fen < 0 and not allow_negative:
        raise ValidationError(field, t("err.money_negative", field=label(field)))
    return fen


def integer(value, field: str, *, low: int | None = None, high: int | None = None) -> int:
    if isinstance(value, bool):
        value = int(value)
    try:
        n = int(unicodedata.normalize("NFKC", str(value)).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            field, t("err.int_invalid", field=label(field), value=value)
        ) from None
    if (low is not None and n < low) or (high is not None and n > high):
        raise ValidationError(field, t("err.int_range", field=label(field), low=low, high=high))
    return n


def choice(value, field: str, choices) -> str:
    s = str(value or "").strip()
    if s not in choices:
        raise ValidationError(
            field, t("err.choice", field=label(field), value=s, choices=", ".join(choices))
        )
    return s


def boolean(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "on", "是", "√", "✓")
    return bool(value)


def iso_date(value, field: str = "date") -> date:
    """A calendar date from a ``date`` or stored/imported text (ISO, 2026/3/5, 2026年3月5日,
    Excel serials); see :mod:`kamtui.dates` for what a seller may type."""
    if isinstance(value, date):
        return value
    if value is None or not str(value).strip():
        raise ValidationError(field, t("err.required", field=label(field)))
    from kamtui.dates import parse_date_value

    return parse_date_value(value, field)
