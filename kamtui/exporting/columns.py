"""The columns of a CSV or XLSX export: ids, headers in Chinese and English, values.

Each column has an id (what ``--columns`` takes), a kind (how files store
it) and two headers. Headers are the names kamtui's importer recognises
(备注名, 昵称, 微信号, 手机, 标签, 省份, 城市 …; ``field`` says which import field a
header feeds, None for derived values such as spend or last contact).

Kinds:

* ``text``  — text; neutralised against formulas in spreadsheets.
* ``code``  — text that looks like a number to a spreadsheet (WeChat ID): text cell.
* ``phone`` — the number as sellers write it (``138 0013 8000``; other countries
  ``+1 650-253-0000``): a text cell.
* ``date``  — a day (ISO ``2026-11-24``; a real date in XLSX).
* ``birthday`` — a solar birthday with its year is a date; otherwise text
  (``05-01`` without a year, ``农历三月初五`` for a lunar one, in every language).
* ``money`` — yuan: ``120.50`` in CSV, a real number in XLSX; returns negative.
* ``int``   — a whole number.

More columns (the stage and tier of the classification module) plug in with
:func:`register_column`, or by a module listed in :data:`PROVIDERS` defining
``export_columns() -> [(Column, loader), ...]``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kamtui.errors import ValidationError
from kamtui.exporting import data
from kamtui.i18n import t

if TYPE_CHECKING:
    from kamtui.store.db import Book

KINDS = ("text", "code", "phone", "date", "birthday", "money", "int")


@dataclass(frozen=True)
class Column:
    id: str
    kind: str
    zh: str
    en: str
    field: str | None = None  # the import field this header feeds (None: derived, not imported)
    width: int = 12  # XLSX column width (characters)

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _c(id, kind, zh, en, field="", width=12) -> Column:
    return Column(id, kind, zh, en, id if field == "" else field, width)


#: Built-in columns, in their default order.
BUILTIN: tuple[Column, ...] = (
    _c("id", "int", "编号", "ID", None, 8),
    _c("remark", "text", "备注名", "Remark name", width=18),
    _c("nickname", "text", "昵称", "Nickname", width=18),
    _c("wechat_id", "code", "微信号", "WeChat ID", width=18),
    _c("phone", "phone", "手机", "Phone", width=16),
    _c("account", "text", "所属微信", "Account"),
    _c("tags", "text", "标签", "Tags", width=24),
    _c("country", "text", "国家", "Country", width=10),
    _c("province", "text", "省份", "Province", width=10),
    _c("city", "text", "城市", "City", width=10),
    _c("occupation", "text", "职业", "Occupation", width=14),
    _c("gender", "text", "性别", "Gender", width=8),
    _c("birthday", "birthday", "生日", "Birthday", width=14),
    _c("source", "text", "来源", "Source", width=14),
    _c("added_on", "date", "添加日期", "Date added"),
    _c("description", "text", "描述", "Description", width=40),
    _c("favourite", "text", "置顶", "Favourite", width=8),
    _c("intent", "text", "有购买意向", "Intent to buy", width=8),
    _c("potential", "int", "潜力评分", "Potential", width=8),
    _c("is_ad", "text", "广告号", "Ad account", width=8),
    _c("blocked_me", "text", "已拉黑我", "Blocked me", width=8),
    _c("last_moment_on", "date", "最近朋友圈", "Last Moments post"),
    _c("archived", "text", "已归档", "Archived", None, 8),
    _c("last_contact", "date", "最近联系", "Last contact", None),
    _c("last_purchase", "date", "最近购买", "Last purchase", "last_order_on"),
    _c("orders", "int", "订单数", "Purchases", None, 8),
    _c("lifetime_value", "money", "累计消费", "Lifetime value", "total_amount"),
    _c("value_365d", "money", "近一年消费", "Value (365 days)", None),
    _c("owed", "money", "欠款", "Owed", None, 10),
)

#: What an export holds when ``--columns`` is not given.
DEFAULT_COLUMNS: tuple[str, ...] = (
    "remark",
    "nickname",
    "wechat_id",
    "phone",
    "account",
    "tags",
    "province",
    "city",
    "occupation",
    "gender",
    "birthday",
    "source",
    "added_on",
    "description",
    "favourite",
    "last_contact",
    "lifetime_value",
    "value_365d",
    "last_purchase",
    "owed",
)

#: Modules that may contribute columns (``export_columns()``), imported when present.
PROVIDERS: tuple[str, ...] = ("kamtui.classify", "kamtui.cleanup", "kamtui.contactview")

#: loader(book, ordered contact ids, today) -> {contact id: value}
Loader = Callable[["Book", Sequence[int], date], Mapping[int, Any]]
_registered: dict[str, tuple[Column, Loader]] = {}
_discovered = False


def register_column(column: Column, loader: Loader) -> None:
    """Add a column (e.g. ``stage``, ``tier``) computed in bulk by ``loader``."""
    if column.kind not in KINDS:
        raise ValueError(f"unknown column kind {column.kind!r}")
    if any(c.id == column.id for c in BUILTIN):
        raise ValueError(f"column {column.id!r} is built in")
    _registered[column.id] = (column, loader)


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    _discovered = True
    for name in PROVIDERS:
        if importlib.util.find_spec(name) is None:
            continue
        provide = getattr(importlib.import_module(name), "export_columns", None)
        if provide is not None:
            for column, loader in provide():
                register_column(column, loader)


def all_columns() -> dict[str, Column]:
    """Every column id with its description: built-in ones, then registered ones."""
    _discover()
    out = {c.id: c for c in BUILTIN}
    out.update({cid: col for cid, (col, _) in _registered.items()})
    return out


def parse_columns(value: str | Iterable[str] | None) -> list[str]:
    """Column ids from ``"remark,phone,tags"`` (or a list); the default set for None/empty.

    Unknown ids raise a ValidationError listing the known ones.
    """
    if value is None:
        return list(DEFAULT_COLUMNS)
    parts = re.split(r"[,，\s]+", value) if isinstance(value, str) else list(value)
    ids = [p.strip() for p in parts if p and p.strip()]
    if not ids:
        return list(DEFAULT_COLUMNS)
    known = all_columns()
    out: list[str] = []
    for cid in ids:
        if cid not in known:
            raise ValidationError(
                "columns", t("export.unknown_column", value=cid, choices=", ".join(known))
            )
        if cid not in out:
            out.append(cid)
    return out


# ---- values --------------------------------------------------------------------------


def birthday_text(year, month, day, lunar=False, leap=False) -> str:
    """``1990-05-01``, ``05-01``; lunar ``农历三月初五``, ``农历1990年闰四月初八``.

    The lunar form is the Chinese one whatever the header language: every kamtui
    reader (``kamtui.dates.parse_birthday``, the importer) takes it back.
    """
    if not month or not day:
        return ""
    if not lunar:
        if year:
            return f"{year:04d}-{month:02d}-{day:02d}"
        return f"{month:02d}-{day:02d}"
    from kamtui.dates import lunar_day_name, lunar_month_name

    if not 1 <= month <= 12 or not 1 <= day <= 30:  # damaged data: say it plainly
        return f"农历{year or ''}{'年' if year else ''}{month}月{day}日"
    year_text = f"{year}年" if year else ""
    return f"农历{year_text}{lunar_month_name(month, bool(leap))}{lunar_day_name(day)}"


def birthday_value(year, month, day, lunar, leap) -> date | str | None:
    """A date for a solar birthday with its year, else the text form (None when unknown)."""
    if not month or not day:
        return None
    if year and not lunar:
        try:
            return date(year, month, day)
        except ValueError:
            pass
    return birthday_text(year, month, day, lunar, leap)


def phone_text(e164: str | None) -> str:
    """How a phone goes into a spreadsheet: ``138 0013 8000`` for mainland numbers (no ``+``:
    nothing for Excel to take as a formula, spaces keep it from becoming a number),
    ``+1 650-253-0000`` for others (neutralised like any text starting with ``+``)."""
    if not e164:
        return ""
    if len(e164) == 14 and e164.startswith("+861") and e164[1:].isdigit():
        return f"{e164[3:6]} {e164[6:10]} {e164[10:]}"
    from kamtui.phone import display_phone

    return display_phone(e164)


def yuan(fen: int | None) -> str:
    """``120.50`` from 12050, ``-35.00`` from -3500 (no symbol, no thousands separator)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


@dataclass
class Table:
    """What a CSV or XLSX export holds: columns, headers and one list of values per column."""

    columns: list[Column]
    headers: list[str]
    ids: list[int]  # the contacts, in order (those that exist)
    values: list[list[Any]]  # values[i][j]: column i of the j-th contact

    def rows(self) -> Iterable[tuple]:
        return zip(*self.values, strict=True)


_BIRTH = ("birth_year", "birth_month", "birth_day", "birth_lunar", "birth_leap")
_FLAGS = ("favourite", "intent", "is_ad", "blocked_me", "archived")
_PLAIN = (
    "remark", "nickname", "wechat_id", "country", "province", "city", "occupation", "source",
    "description",
)  # fmt: skip


def _base_fields(column_ids: Iterable[str]) -> list[str]:
    """The contact fields the built-in columns need."""
    fields: list[str] = []
    for cid in column_ids:
        if cid == "birthday":
            need: Iterable[str] = _BIRTH
        elif cid == "account":
            need = ("account_id",)
        elif cid in data.F and cid != "id":
            need = (cid,)
        else:
            continue
        fields.extend(f for f in need if f not in fields)
    return fields


class _Reader:
    """The selection's contact fields, with aggregates fetched when a column needs them."""

    def __init__(
        self,
        con: sqlite3.Connection,
        ids: Sequence[int] | None,
        fields: list[str],
        today: date,
        include_archived: bool = False,
    ):
        self.con, self.today = con, today
        if ids is None:  # the default selection, read in order in one query
            self.rows = data.fetch_default_rows(con, fields, include_archived=include_archived)
            self.ids = [r[0] for r in self.rows]
            self.scope = data.Scope(self.ids, full=True)
        else:
            self.scope = data.Scope(ids)
            base = data.fetch_base(con, self.scope, fields)
            self.ids = [i for i in ids if i in base]
            self.rows = [base[i] for i in self.ids]
        self.index = {f: i for i, f in enumerate(fields, start=1)}
        self._totals: dict[int, tuple] | None = None

    def field(self, name: str) -> list:
        i = self.index[name]
        return [r[i] for r in self.rows]

    def totals(self) -> dict[int, tuple]:
        if self._totals is None:
            self._totals = data.fetch_purchase_totals(self.con, self.scope, self.today)
        return self._totals

    def per_contact(self, mapping: Mapping[int, Any], default=None) -> list:
        get = mapping.get
        return [get(i, default) for i in self.ids]


def _values(reader: _Reader, cid: str, lang: str) -> list:
    """The values of built-in column ``cid`` for the reader's contacts."""
    if cid == "id":
        return list(reader.ids)
    if cid == "account":
        names = dict(reader.con.execute("SELECT id, name FROM account").fetchall())
        return [names.get(a, "") for a in reader.field("account_id")]
    if cid in _PLAIN:
        i = reader.index[cid]
        return [r[i] or "" for r in reader.rows]
    if cid == "phone":
        return [phone_text(p) if p else "" for p in reader.field("phone")]
    if cid == "tags":
        return reader.per_contact(data.fetch_tag_text(reader.con, reader.scope), "")
    if cid == "gender":
        words = {"m": t("gender.m", lang=lang), "f": t("gender.f", lang=lang)}
        return [words.get(g, "") for g in reader.field("gender")]
    if cid == "birthday":
        y, m, d, lu, le = (reader.index[k] for k in _BIRTH)
        return [
            birthday_value(r[y], r[m], r[d], r[lu], r[le]) if r[m] else None for r in reader.rows
        ]
    if cid in ("added_on", "last_moment_on", "potential"):
        return reader.field(cid)
    if cid in _FLAGS:
        yes, no = t("yes", lang=lang), t("no", lang=lang)
        return [yes if v else no for v in reader.field(cid)]
    if cid == "last_contact":
        return reader.per_contact(data.fetch_last_contact(reader.con, reader.scope))
    if cid in ("lifetime_value", "value_365d", "orders", "last_purchase"):
        index = {"lifetime_value": 0, "value_365d": 1, "orders": 2, "last_purchase": 3}[cid]
        default = None if cid == "last_purchase" else 0
        totals = reader.totals()
        return [(totals[i][index] if i in totals else default) for i in reader.ids]
    if cid == "owed":
        return reader.per_contact(data.fetch_owed(reader.con, reader.scope), 0)
    raise KeyError(cid)


def load_table(
    book: Book,
    ids: Sequence[int] | None,
    columns: Sequence[str],
    *,
    today: date,
    lang: str,
    include_archived: bool = False,
) -> Table:
    """The values of ``columns`` for the contacts ``ids`` (in that order), in bulk.

    ``ids`` None: the default selection (every contact, archived ones only with
    ``include_archived``, pinned first).
    """
    known = all_columns()
    cols = [known[c] for c in columns]
    with book.snapshot() as con:
        reader = _Reader(con, ids, _base_fields(columns), today, include_archived)
        values = []
        for col in cols:
            if col.id in _registered:
                found = _registered[col.id][1](book, reader.ids, today)
                values.append(reader.per_contact(found))
            else:
                values.append(_values(reader, col.id, lang))
    return Table(cols, [c.header(lang) for c in cols], reader.ids, values)
