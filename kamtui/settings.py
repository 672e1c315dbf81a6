"""Settings: every default from DOMAIN.md, stored per book in the ``setting`` table.

Each setting has a default, a kind used to check values typed by the user, and
a message key describing it (``setting.<key>`` in the catalogs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kamtui.errors import ValidationError
from kamtui.i18n import t

if TYPE_CHECKING:
    from kamtui.store.db import Book


@dataclass(frozen=True)
class Spec:
    default: Any
    kind: str = "int"  # int | float | str | bool | choice
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


SPECS: dict[str, Spec] = {
    # follow-up (DOMAIN.md "Follow-up")
    "agenda.days_ahead": Spec(7, low=1, high=60),
    "reminder.aftersale_days": Spec(3, low=0, high=60),
    "reminder.repurchase_default_cycle": Spec(30, low=1, high=3650),
    "reminder.birthday_days_before": Spec(3, low=0, high=30),
    "reminder.prospect_idle_days": Spec(7, low=1, high=365),
    "reminder.no_contact_days": Spec(30, low=1, high=3650),
    "reminder.lookback_days": Spec(30, low=0, high=3650),
    # classification (DOMAIN.md "Classification")
    "tier.top_share": Spec(0.2, kind="float", low=0.01, high=0.99),
    "tier.window_days": Spec(365, low=30, high=3650),
    "tier.high_potential": Spec(4, low=1, high=5),
    "tier.value_basis": Spec("auto", kind="choice", choices=("auto", "revenue", "profit")),
    "churn.at_risk_factor": Spec(1.5, kind="float", low=1.0, high=10.0),
    "churn.lost_factor": Spec(3.0, kind="float", low=1.0, high=20.0),
    "churn.default_interval": Spec(60, low=1, high=3650),
    # friend screening (DOMAIN.md "Friend screening")
    "cleanup.dead_days": Spec(60, low=7, high=3650),
    "cleanup.cold_days": Spec(180, low=7, high=3650),
    "cleanup.duplicate_score": Spec(90, low=50, high=100),
    "account.default_cap": Spec(5000, low=1, high=100000),
    # remark template (contact book)
    "remark.template": Spec("{stage_code}{tier_code}-{name}-{city}-{job}", kind="str"),
    # backups (data safety)
    "backup.keep_daily": Spec(7, low=0, high=365),
    "backup.keep_weekly": Spec(4, low=0, high=520),
    "backup.keep_monthly": Spec(6, low=0, high=120),
    # interface
    "ui.language": Spec("", kind="choice", choices=("", "zh", "en")),
    "ui.theme": Spec("", kind="str"),
    "ui.start_section": Spec(
        "today", kind="choice", choices=("today", "contacts", "cleanup", "insights")
    ),
}


def spec(key: str) -> Spec:
    try:
        return SPECS[key]
    except KeyError:
        raise ValidationError("key", t("err.setting_unknown", value=key)) from None


def coerce(key: str, value: Any) -> Any:
    """Check and convert ``value`` (often typed text) for setting ``key``."""
    s = spec(key)
    label = key
    if s.kind in ("int", "float"):
        try:
            number = int(str(value).strip()) if s.kind == "int" else float(str(value).strip())
        except ValueError:
            raise ValidationError(key, t("err.int_invalid", field=label, value=value)) from None
        if (s.low is not None and number < s.low) or (s.high is not None and number > s.high):
            raise ValidationError(key, t("err.int_range", field=label, low=s.low, high=s.high))
        return number
    if s.kind == "bool":
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes", "on", "是")
    if s.kind == "choice":
        v = str(value).strip()
        if v not in s.choices:
            raise ValidationError(
                key, t("err.choice", field=label, value=v, choices=", ".join(s.choices))
            )
        return v
    return str(value)


def get(book: Book, key: str) -> Any:
    s = spec(key)
    raw = book.scalar('SELECT value FROM setting WHERE "key" = ?', (key,))
    if raw is None:
        return s.default
    try:
        return json.loads(raw)
    except ValueError:
        return s.default


def get_all(book: Book) -> dict[str, Any]:
    stored = dict(book.query('SELECT "key", value FROM setting'))
    out = {}
    for key, s in SPECS.items():
        try:
            out[key] = json.loads(stored[key]) if key in stored else s.default
        except ValueError:
            out[key] = s.default
    return out


def put(book: Book, key: str, value: Any) -> Any:
    value = coerce(key, value)
    with book.transaction() as con:
        con.execute(
            'INSERT INTO setting ("key", value) VALUES (?, ?) '
            'ON CONFLICT ("key") DO UPDATE SET value = excluded.value',
            (key, json.dumps(value, ensure_ascii=False)),
        )
    return value


def reset(book: Book, key: str) -> None:
    spec(key)
    with book.transaction() as con:
        con.execute('DELETE FROM setting WHERE "key" = ?', (key,))
