"""Phone numbers as sellers type them, stored as E.164 (CN is the default region)."""

from __future__ import annotations

import re
import unicodedata

from kamtui.errors import ValidationError
from kamtui.i18n import t

DEFAULT_REGION = "CN"
_SCIENTIFIC = re.compile(r"^\s*\d(?:\.\d+)?[eE][+-]?\d+\s*$")
_KEEP = re.compile(r"[^\d+]")


def _clean(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    if text.startswith("'"):  # spreadsheets' text marker
        text = text[1:]
    return text


def looks_damaged(raw: str) -> bool:
    """True for numbers a spreadsheet has mangled: scientific notation, a lost leading zero."""
    text = _clean(raw)
    if _SCIENTIFIC.match(text):
        return True
    # A mainland mobile is 11 digits starting with 1; a bare run of 10 digits starting
    # with 2-9 is what Excel leaves of a landline like 0xx-xxxxxxxx after dropping the 0.
    # Typed numbers with brackets, dashes or spaces ("(650) 253-0000") were not damaged.
    return bool(re.fullmatch(r"[2-9]\d{9}", text))


def normalize_phone(
    raw: str | None, *, field: str = "phone", region: str = DEFAULT_REGION
) -> str | None:
    """E.164 text for ``raw`` (None for empty); raises ValidationError for bad numbers.

    Accepts +86, 0086 and 86 prefixes, spaces, dashes, dots, brackets and
    full-width digits.
    """
    if raw is None:
        return None
    text = _clean(str(raw))
    if not text:
        return None
    if looks_damaged(text):
        raise ValidationError(field, t("err.phone_damaged", value=raw))
    import phonenumbers

    candidate = text
    digits = _KEEP.sub("", text)
    if not digits.startswith("+") and re.fullmatch(r"86(1\d{10})", digits):
        candidate = "+" + digits
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(field, t("err.phone_invalid", value=raw)) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(field, t("err.phone_invalid", value=raw))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    """A readable form: mainland mobiles as 138 0013 8000, others in international format."""
    if not e164:
        return ""
    m = re.fullmatch(r"\+86(1\d{2})(\d{4})(\d{4})", e164)
    if m:
        return " ".join(m.groups())
    try:
        import phonenumbers

        n = phonenumbers.parse(e164, None)
        fmt = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if n.country_code == 86
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(n, fmt)
    except Exception:
        return e164
