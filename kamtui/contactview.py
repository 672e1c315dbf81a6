"""The contact book's domain helpers: a contact page in one call, the suggested remark
name, tag matching, and undo that says which contacts it touched.

Pure domain code (no Textual); the screens in ``kamtui/screens/contacts.py`` and
``kamtui/screens/contact_page.py`` call these.

* :func:`load_page` reads everything a contact page shows in one snapshot with a
  few queries (no ORM objects): profile, tags, snippets by kind, interactions,
  purchases with payments and totals, referrals both ways, open reminders,
  satisfaction, the classification (stage, tier, churn) and the suggested remark.
* :func:`render_remark` fills the ``remark.template`` setting
  (``{stage_code}{tier_code}-{name}-{city}-{job}``) so that WeChat's own search
  reflects kamtui's classification. Empty parts collapse: their separators go
  too (never ``--``, never a leading or trailing ``-``).
  :func:`suggest_remarks` does it for many contacts at once (exports).
* :func:`match_tags` ranks tag names for what the seller typed (exact, prefix,
  pinyin, inside, then typos).
* :func:`undo_last` undoes the newest action and returns the contacts it
  touched, so a screen refreshes only those.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from kamtui.errors import NotFound, ValidationError
from kamtui.fmt import display_name, safe
from kamtui.i18n import t
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.classify import Classification, ContactClass
    from kamtui.dates import Birthday
    from kamtui.interactions import InteractionRow
    from kamtui.purchases import PurchaseRow, Totals
    from kamtui.referrals import ReferralRow
    from kamtui.reminders import ReminderRow
    from kamtui.safety import UndoResult
    from kamtui.satisfaction import Rating
    from kamtui.snippets import SnippetRow
    from kamtui.store.db import Book

# ---- the suggested remark name (备注) --------------------------------------------------

#: Placeholders a ``remark.template`` may use.
TEMPLATE_FIELDS = (
    "stage_code",  # Z F Y Q H (转 复 已 潜 好)
    "tier_code",  # A B C D (platinum gold iron lead); empty for non-buyers
    "stage",  # 复购客户 / repeat buyer …
    "tier",  # 白金 / platinum …
    "name",  # the person's name: the first part of the remark name, else the nickname
    "remark",
    "nickname",
    "city",
    "province",
    "region",  # the city, else the province
    "job",  # occupation
    "account",  # which of the seller's WeChat accounts
    "tag",  # the first tag (by name)
    "tags",  # every tag, joined with /
    "phone4",  # last four digits of the phone
    "wechat_id",
    "source",
    "gender",
)
#: A value longer than this is cut (WeChat remark names are short).
PART_MAX = 20
#: Characters that separate the parts of a remark name as sellers write them.
_REMARK_SEP = re.compile(r"[-－—–_/|·、\s]+")
#: A first part made only of classification codes ("FB", "H"): a previous suggestion.
_CODES_ONLY = re.compile(r"^[ZFYQH]?[ABCD]?$")
#: A note in brackets after a name ("王飞(徐姐介绍)").
_BRACKETED = re.compile(r"\s*[(（【\[].*?([)）】\]]|$)")
#: A grade letter or two glued to a Chinese name ("A李姐"): the seller's own code.
_GRADE_PREFIX = re.compile(r"^[A-Z]{1,2}(?=[\u3400-\u9fff])")


def parse_template(template: str) -> list[tuple[str, str | None]]:
    """(literal text, field or None) pieces of a template; ValidationError if malformed."""
    try:
        pieces = list(string.Formatter().parse(template or ""))
    except ValueError:
        raise ValidationError(
            "remark.template", t("contacts.err.template_braces", template=template)
        ) from None
    out: list[tuple[str, str | None]] = []
    for literal, name, _spec, _conv in pieces:
        if name is not None and name not in TEMPLATE_FIELDS:
            raise ValidationError(
                "remark.template",
                t(
                    "contacts.err.template_field",
                    field=name or "{}",
                    fields=" ".join("{" + f + "}" for f in TEMPLATE_FIELDS),
                ),
            )
        out.append((literal, name))
    return out


def _clean_part(value: Any) -> str:
    text = " ".join(safe(value).split())
    return text[:PART_MAX].strip()


_PAIRS = {"(": ")", "（": "）", "【": "】", "[": "]", "<": ">", "《": "》", "「": "」", "“": "”"}


def render_remark(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``template`` with ``values``; empty parts and their separators collapse.

    Text before the first placeholder and after the last one is kept (when at
    least one value is there); text between two placeholders is a separator,
    written only between two values that are both present. When values are
    missing in between, the separator written is the last non-empty one before
    the next present value (``{stage_code}{tier_code}-{name}`` without a tier
    gives ``F-张三``). Brackets right around a placeholder (``({phone4})``,
    ``【{stage}】``) belong to it: they go when it is empty. Values are made safe
    (no control characters), single-spaced and cut to :data:`PART_MAX` characters.
    """
    pieces = parse_template(template)
    literals = [lit for lit, _ in pieces]  # literals[i]: the text before field i (or the tail)
    names = [name for _, name in pieces]
    wraps: list[tuple[str, str]] = []
    for i, name in enumerate(names):
        opener, closer = "", ""
        if name is not None and i + 1 < len(pieces):
            before, after = literals[i], literals[i + 1]
            if before and before[-1] in _PAIRS and after.startswith(_PAIRS[before[-1]]):
                opener, closer = before[-1], _PAIRS[before[-1]]
                literals[i], literals[i + 1] = before[:-1], after[1:]
        wraps.append((opener, closer))
    fields = [(literals[i], name, wraps[i]) for i, name in enumerate(names) if name is not None]
    tail = literals[-1] if names and names[-1] is None else ""
    if not fields:
        return _clean_part(tail)
    out: list[str] = []
    pending: list[str] = []  # separators since the last value written
    head = fields[0][0]
    for i, (literal, name, (opener, closer)) in enumerate(fields):
        if i:
            pending.append(literal)
        value = _clean_part(values.get(name, ""))
        if not value:
            continue
        value = opener + value + closer
        if not out:
            out.append(head + value)
        else:
            out.append(next((s for s in reversed(pending) if s), "") + value)
        pending = []
    if not out:
        return ""
    return ("".join(out) + tail).strip()


def person_name(remark: str, nickname: str) -> str:
    """The ``{name}`` of a remark template: the name part of a seller-style remark.

    ``张三-广州-宝妈`` gives 张三; a previous suggestion ``FB-张三-广州-宝妈`` gives 张三
    too (applying a suggestion and suggesting again changes nothing); a grade
    letter glued to the name (``A李姐-深圳``) and a note in brackets (``王飞(徐姐介绍)``)
    are dropped. Without a remark, the nickname.
    """
    remark = safe(remark).strip()
    if remark:
        parts = [p for p in _REMARK_SEP.split(remark) if p]
        if len(parts) > 1 and _CODES_ONLY.match(parts[0]):
            parts = parts[1:]
        if parts:
            name = _BRACKETED.sub("", parts[0]).strip() or parts[0]
            return _GRADE_PREFIX.sub("", name) or name
    return " ".join(safe(nickname).split())


def remark_values(
    contact: Mapping[str, Any], tags: Sequence[str], cls: ContactClass | None
) -> dict[str, str]:
    """Template values for one contact (``contact``: its columns and ``account`` name)."""
    phone = contact.get("phone") or ""
    digits = re.sub(r"\D", "", phone)
    gender = contact.get("gender") or ""
    city, province = contact.get("city") or "", contact.get("province") or ""
    names = sorted(tags)
    values = {
        "name": person_name(contact.get("remark") or "", contact.get("nickname") or ""),
        "remark": contact.get("remark") or "",
        "nickname": contact.get("nickname") or "",
        "city": city,
        "province": province,
        "region": city or province,
        "job": contact.get("occupation") or "",
        "account": contact.get("account") or "",
        "tag": names[0] if names else "",
        "tags": "/".join(names),
        "phone4": digits[-4:] if len(digits) >= 4 else "",
        "wechat_id": contact.get("wechat_id") or "",
        "source": contact.get("source") or "",
        "gender": t(f"gender.{gender}") if gender else "",
        "stage_code": "",
        "tier_code": "",
        "stage": "",
        "tier": "",
    }
    if cls is not None:
        values.update(cls.remark_fields())
    return values


def remark_template(book: Book) -> str:
    from kamtui import settings

    return settings.get(book, "remark.template") or ""


_REMARK_COLUMNS = (
    "remark",
    "nickname",
    "city",
    "province",
    "occupation",
    "phone",
    "wechat_id",
    "source",
    "gender",
)


def suggest_remarks(
    book: Book,
    contact_ids: Iterable[int],
    today: date | None = None,
    *,
    template: str | None = None,
) -> dict[int, str]:
    """The suggested remark name of many contacts (a few queries, whatever their number)."""
    from kamtui import clock
    from kamtui.classify import classify_all

    ids = list(dict.fromkeys(contact_ids))
    template = remark_template(book) if template is None else template
    parse_template(template)  # a bad template fails once, before any work
    cls = classify_all(book, today or clock.today())
    cols = ", ".join(f"c.{c}" for c in _REMARK_COLUMNS)
    out: dict[int, str] = {}
    with book.snapshot() as con:
        for part in rows.chunks(ids):
            marks = rows.marks(len(part))
            tags: dict[int, list[str]] = {}
            for cid, name in con.execute(
                f"SELECT ct.contact_id, t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
                f"WHERE ct.contact_id IN ({marks})",
                part,
            ):
                tags.setdefault(cid, []).append(name)
            for r in con.execute(
                f"SELECT c.id, {cols}, coalesce(a.name, '') FROM contact c "
                f"LEFT JOIN account a ON a.id = c.account_id WHERE c.id IN ({marks})",
                part,
            ):
                contact = dict(zip((*_REMARK_COLUMNS, "account"), r[1:], strict=True))
                values = remark_values(contact, tags.get(r[0], ()), cls.contact(r[0]))
                out[r[0]] = render_remark(template, values)
    return out


def suggest_remark(book: Book, contact_id: int, today: date | None = None) -> str:
    """One contact's suggested remark name (see :func:`render_remark`)."""
    found = suggest_remarks(book, [contact_id], today)
    if contact_id not in found:
        raise NotFound(t("err.contact_unknown", value=contact_id))
    return found[contact_id]


def export_columns() -> list[tuple[Any, Any]]:
    """The ``remark_suggestion`` export column (a ``kamtui.exporting.columns`` provider)."""
    from kamtui.exporting.columns import Column

    def load(book: Book, ids, today: date) -> dict[int, str]:
        return suggest_remarks(book, ids, today)

    return [(Column("remark_suggestion", "text", "建议备注", "Suggested remark", None, 24), load)]


def ensure_export_columns() -> None:
    """Register :func:`export_columns` with the exporter (once)."""
    from kamtui.exporting import all_columns, register_column

    known = all_columns()
    for column, loader in export_columns():
        if column.id not in known:
            register_column(column, loader)


# ---- the contact page ---------------------------------------------------------------------


@dataclass
class PageReferral:
    row: ReferralRow
    name: str  # the other person's display name
    other_id: int


@dataclass
class ContactPage:
    """Everything a contact page shows, read in one snapshot."""

    id: int
    today: date
    fields: dict[str, Any]  # contact columns (dates as date), plus "account"
    tags: list[str]
    birthday: Birthday | None
    cls: ContactClass
    snippets: dict[str, list[SnippetRow]]
    interactions: list[InteractionRow]
    purchases: list[PurchaseRow]
    totals: Totals
    referred_by: PageReferral | None
    introduced: list[PageReferral]
    reminders: list[ReminderRow]
    reminder_reasons: dict[int, str]
    ratings: list[Rating]
    remark_suggestion: str = ""
    remark_problem: str = ""  # why there is no suggestion (a bad template)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return display_name(self.fields["remark"], self.fields["nickname"], self.id)

    @property
    def last_contact(self) -> date | None:
        return self.interactions[0].occurred_on if self.interactions else None

    @property
    def next_birthday(self) -> date | None:
        if self.birthday is None:
            return None
        from kamtui.dates import next_birthday

        try:
            return next_birthday(self.birthday, self.today)
        except (ValueError, ValidationError):
            return None

    @property
    def owed_purchases(self) -> list[PurchaseRow]:
        return [p for p in self.purchases if p.owed_fen > 0]


_CONTACT_COLUMNS = (
    "remark",
    "nickname",
    *rows.CONTACT_PROFILE,
    "favourite",
    "intent",
    "potential",
    "is_ad",
    "blocked_me",
    "last_moment_on",
    "archived",
    "merged_into_id",
    "account_id",
)
_BOOLS = {"favourite", "intent", "is_ad", "blocked_me", "archived", "birth_lunar", "birth_leap"}
_DATES = {"added_on", "last_moment_on"}


def load_page(
    book: Book, contact_id: int, today: date, *, classification: Classification | None = None
) -> ContactPage:
    """Everything the contact page shows (one snapshot; a query per section).

    ``classification``: the whole book's, when the caller holds a current one (the
    app's directory); otherwise :func:`kamtui.classify.classify_one` (cached, or
    this contact's facts and the book's value line).
    """
    from kamtui import followup
    from kamtui.classify import classify_one
    from kamtui.dates import Birthday
    from kamtui.purchases import Totals
    from kamtui.referrals import ReferralRow
    from kamtui.satisfaction import Rating
    from kamtui.snippets import KINDS, SnippetRow
    from kamtui.store.rows import to_date

    cid = contact_id
    cols = ", ".join(f"c.{c}" for c in _CONTACT_COLUMNS)
    with book.snapshot() as con:
        r = con.execute(
            f"SELECT {cols}, coalesce(a.name, '') FROM contact c "
            "LEFT JOIN account a ON a.id = c.account_id WHERE c.id = ?",
            (cid,),
        ).fetchone()
        if r is None:
            raise NotFound(t("err.contact_unknown", value=cid))
        fields: dict[str, Any] = dict(zip((*_CONTACT_COLUMNS, "account"), r, strict=True))
        for k in _BOOLS:
            fields[k] = bool(fields[k])
        for k in _DATES:
            fields[k] = to_date(fields[k])
        tags = [
            x[0]
            for x in con.execute(
                "SELECT t.name FROM contact_tag ct JOIN tag t ON t.id = ct.tag_id "
                "WHERE ct.contact_id = ? ORDER BY t.name",
                (cid,),
            )
        ]
        snippets: dict[str, list[SnippetRow]] = {k: [] for k in KINDS}
        for x in con.execute(
            "SELECT id, contact_id, kind, saved_on, text, closed FROM snippet "
            "WHERE contact_id = ? ORDER BY saved_on DESC, id DESC",
            (cid,),
        ):
            snippets.setdefault(x[2], []).append(
                SnippetRow(x[0], x[1], x[2], date.fromisoformat(x[3]), x[4], bool(x[5]))
            )
        interactions = [
            _interaction(x)
            for x in con.execute(
                "SELECT id, contact_id, kind, occurred_on, summary, is_open, resolved_on "
                "FROM interaction WHERE contact_id = ? ORDER BY occurred_on DESC, id DESC",
                (cid,),
            )
        ]
        purchases = [
            _purchase(x)
            for x in con.execute(
                """
                SELECT p.id, p.contact_id, p.product_id, p.item, p.quantity, p.amount_fen,
                       p.cost_fen, p.bought_on, p.credit, p.due_on, p.note, coalesce(y.paid, 0)
                FROM purchase p
                LEFT JOIN (SELECT purchase_id, sum(amount_fen) AS paid FROM payment
                           WHERE contact_id = ? GROUP BY purchase_id) y ON y.purchase_id = p.id
                WHERE p.contact_id = ? ORDER BY p.bought_on DESC, p.id DESC
                """,
                (cid, cid),
            )
        ]
        referrals = con.execute(
            """
            SELECT r.id, r.referrer_id, r.referred_id, r.referred_on, r.note,
                   EXISTS (SELECT 1 FROM purchase p
                           WHERE p.contact_id = r.referred_id AND p.amount_fen > 0),
                   o.remark, o.nickname
            FROM referral r JOIN contact o
                 ON o.id = CASE WHEN r.referred_id = ? THEN r.referrer_id ELSE r.referred_id END
            WHERE r.referred_id = ? OR r.referrer_id = ?
            ORDER BY r.referred_on DESC, r.id DESC
            """,
            (cid, cid, cid),
        ).fetchall()
        reminder_rows = con.execute(
            "SELECT id, contact_id, kind, due_on, note, rrule, status, snoozed_until, auto_key, "
            "data, done_at FROM reminder WHERE contact_id = ? AND status = 'open' "
            "ORDER BY coalesce(snoozed_until, due_on), id",
            (cid,),
        ).fetchall()
        ratings = [
            Rating(x[0], x[1], date.fromisoformat(x[2]), x[3], x[4])
            for x in con.execute(
                "SELECT id, contact_id, rated_on, level, note FROM satisfaction "
                "WHERE contact_id = ? ORDER BY rated_on DESC, id DESC",
                (cid,),
            )
        ]
    reminders_ = [_reminder(x) for x in reminder_rows]
    reasons = {}
    for rem in reminders_:
        try:
            reasons[rem.id] = followup.reason_text(rem, today)
        except (KeyError, ValueError):
            reasons[rem.id] = rem.note or t(f"kind.{rem.kind}")
    referred_by = None
    introduced = []
    for x in referrals:
        row = ReferralRow(x[0], x[1], x[2], date.fromisoformat(x[3]), x[4], bool(x[5]))
        if row.referred_id == cid:
            referred_by = PageReferral(
                row, display_name(x[6], x[7], row.referrer_id), row.referrer_id
            )
        else:
            introduced.append(
                PageReferral(row, display_name(x[6], x[7], row.referred_id), row.referred_id)
            )
    try:
        birthday = Birthday.from_row(
            fields["birth_year"], fields["birth_month"], fields["birth_day"],
            fields["birth_lunar"], fields["birth_leap"],
        )  # fmt: skip
    except ValidationError:
        birthday = None
    cls = (
        classification.contact(cid)
        if classification is not None
        else classify_one(book, cid, today)
    )
    since = today - timedelta(days=365)
    days = {p.bought_on for p in purchases if p.amount_fen > 0}
    totals = Totals(
        lifetime_fen=sum(p.amount_fen for p in purchases),
        last365_fen=sum(p.amount_fen for p in purchases if since < p.bought_on <= today),
        owed_fen=sum(p.owed_fen for p in purchases),
        orders=len(purchases),
        purchase_days=len(days),
        first_on=min((p.bought_on for p in purchases), default=None),
        last_on=max((p.bought_on for p in purchases), default=None),
    )
    page = ContactPage(
        id=cid,
        today=today,
        fields=fields,
        tags=tags,
        birthday=birthday,
        cls=cls,
        snippets=snippets,
        interactions=interactions,
        purchases=purchases,
        totals=totals,
        referred_by=referred_by,
        introduced=introduced,
        reminders=reminders_,
        reminder_reasons=reasons,
        ratings=ratings,
    )
    set_class(book, page, cls)
    return page


def set_class(book: Book, page: ContactPage, cls: ContactClass) -> None:
    """Give the page a (newer) classification; the suggested remark follows it."""
    page.cls = cls
    page.remark_suggestion = page.remark_problem = ""
    try:
        page.remark_suggestion = render_remark(
            remark_template(book), remark_values(page.fields, page.tags, cls)
        )
    except ValidationError as e:
        page.remark_problem = e.message


def _interaction(x) -> InteractionRow:
    from kamtui.interactions import InteractionRow
    from kamtui.store.rows import to_date

    return InteractionRow(
        x[0], x[1], x[2], date.fromisoformat(x[3]), x[4], bool(x[5]), to_date(x[6])
    )


def _purchase(x) -> PurchaseRow:
    from kamtui.purchases import PurchaseRow
    from kamtui.store.rows import to_date

    on, credit, due = date.fromisoformat(x[7]), bool(x[8]), to_date(x[9])
    return PurchaseRow(*x[:7], on, credit, due, x[10], x[11])


def _reminder(x) -> ReminderRow:
    import json

    from kamtui.reminders import ReminderRow
    from kamtui.store.rows import to_date, to_datetime

    due, snoozed, done = date.fromisoformat(x[3]), to_date(x[7]), to_datetime(x[10])
    data = json.loads(x[9]) if x[9] else {}
    return ReminderRow(*x[:3], due, *x[4:7], snoozed, x[8], data, done)


# ---- tags ---------------------------------------------------------------------------------


def rank_tags(names: Iterable[str], text: str, limit: int = 50) -> list[tuple[float, str]]:
    """(score, name) for tag names matching ``text``, best first: 0 exact, 1 prefix,
    2 pinyin (full or initials), 3 inside, 4+ a close spelling (typos).
    Empty text: every name (score 0) as given (most used first)."""
    from kamtui.searchkey import fold, name_pinyin

    names = list(names)
    typed = fold(text).lstrip("#").strip()
    if not typed:
        return [(0.0, n) for n in names[:limit]]
    scored: list[tuple[float, int, str]] = []
    for order, name in enumerate(names):
        folded = fold(name)
        if folded == typed:
            score = 0.0
        elif folded.startswith(typed):
            score = 1.0
        else:
            fulls, inits = name_pinyin(name) if not folded.isascii() else ([], [])
            if any(p.startswith(typed) for p in (*fulls, *inits)):
                score = 2.0
            elif typed in folded:
                score = 3.0
            else:
                score = _typo_score(folded, typed)
                if score is None:
                    continue
        scored.append((score, order, name))
    scored.sort()
    return [(score, name) for score, _, name in scored[:limit]]


def match_tags(names: Iterable[str], text: str, limit: int = 50) -> list[str]:
    """Tag names ranked for ``text`` (see :func:`rank_tags`)."""
    return [name for _, name in rank_tags(names, text, limit)]


def _typo_score(folded: str, typed: str) -> float | None:
    if len(typed) < 3:
        return None
    from rapidfuzz import fuzz

    ratio = fuzz.ratio(folded, typed)
    return 4.0 + (100 - ratio) / 100 if ratio >= 70 else None


# ---- undo ---------------------------------------------------------------------------------

#: More contacts than this touched by an undo: reload the whole directory instead.
UNDO_REFRESH_LIMIT = 20_000


def touched_contacts(book: Book, action_id: int) -> set[int] | None:
    """The contacts an undoable action changed; None when that cannot be told row by row
    (a renamed tag, an inserted purchase...): the caller then reloads everything."""
    found: set[int] = set()
    for tbl, key_id, contact_id, referrer, referred in book.query(
        """
        SELECT tbl, json_extract(row_key, '$.id'),
               coalesce(json_extract(old, '$.contact_id'), json_extract(new, '$.contact_id'),
                        json_extract(row_key, '$.contact_id')),
               json_extract(coalesce(old, new), '$.referrer_id'),
               json_extract(coalesce(old, new), '$.referred_id')
        FROM undo_row WHERE action_id = ?
        """,
        (action_id,),
    ):
        if tbl == "contact":
            found.add(key_id)
        elif tbl == "referral" and referrer is not None:
            found.update((referrer, referred))
        elif contact_id is not None:
            found.add(contact_id)
        else:
            return None
        if len(found) > UNDO_REFRESH_LIMIT:
            return None
    return found


def undo_last(book: Book) -> tuple[UndoResult, set[int] | None]:
    """Undo the newest action (:func:`kamtui.safety.undo_last`); also returns the
    contacts it touched (None: unknown, refresh everything)."""
    from kamtui import safety

    pending = safety.undoable_actions(book, 1)
    touched = touched_contacts(book, pending[0].id) if pending else None
    result = safety.undo_last(book)
    if not pending or result.action.id != pending[0].id:
        touched = None
    return result, touched


# ---- lists for the shell ------------------------------------------------------------------


def contact_records(book: Book, contact_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Phone, WeChat ID and names of some contacts (``kamtui find --json``)."""

    out: dict[int, dict[str, Any]] = {}
    for part in rows.chunks(list(contact_ids)):
        for cid, remark, nickname, phone, wechat in book.query(
            "SELECT id, remark, nickname, phone, wechat_id FROM contact "
            f"WHERE id IN ({rows.marks(len(part))})",
            part,
        ):
            out[cid] = {"remark": remark, "nickname": nickname, "phone": phone, "wechat_id": wechat}
    return out


# ---- editing ------------------------------------------------------------------------------


def form_values(book: Book, contact_id: int) -> dict[str, str]:
    """A contact's editable fields as the contact form shows them (text that parses back)."""
    from kamtui.dates import Birthday, format_birthday
    from kamtui.phone import display_phone

    found = book.query(
        "SELECT c.remark, c.nickname, c.wechat_id, c.phone, coalesce(a.name, ''), c.province, "
        "c.city, c.occupation, c.gender, c.birth_year, c.birth_month, c.birth_day, "
        "c.birth_lunar, c.birth_leap, c.source, c.potential, c.intent, c.description "
        "FROM contact c LEFT JOIN account a ON a.id = c.account_id WHERE c.id = ?",
        (contact_id,),
    )
    if not found:
        raise NotFound(t("err.contact_unknown", value=contact_id))
    r = found[0]
    try:
        birthday = Birthday.from_row(r[9], r[10], r[11], r[12], r[13])
    except ValidationError:
        birthday = None
    return {
        "remark": r[0] or "",
        "nickname": r[1] or "",
        "wechat_id": r[2] or "",
        "phone": display_phone(r[3]),
        "account": r[4],
        "province": r[5] or "",
        "city": r[6] or "",
        "occupation": r[7] or "",
        "gender": t(f"gender.{r[8]}") if r[8] else "",
        "birthday": format_birthday(birthday),
        "source": r[14] or "",
        "potential": str(r[15]),
        "intent": t("yes") if r[16] else t("no"),
        "description": r[17] or "",
    }


def save_contact_form(
    book: Book, contact_id: int | None, values: Mapping[str, str], before: Mapping[str, str]
) -> int:
    """Create a contact from the form (``contact_id`` None) or save what changed.

    Only fields whose text differs from ``before`` are written (an unchanged
    phone shown as ``138 0013 8000`` is not parsed again). Everything is
    validated before anything is saved (ValidationError names the field).
    """
    from kamtui.contacts import create_contact, update_contact

    if contact_id is None:
        data = {k: v for k, v in values.items() if str(v).strip()}
        return create_contact(book, **data)
    changed = {k: v for k, v in values.items() if v != before.get(k, "")}
    if changed:
        update_contact(book, contact_id, **changed)
    return contact_id


def set_account(book: Book, contact_ids: Iterable[int], account: str | int | None) -> int:
    """Move contacts to one of the seller's WeChat accounts (None: no account).

    One undo step for several contacts (after a safety backup); returns how
    many changed.
    """
    from kamtui.accounts import resolve_account

    ids = list(contact_ids)
    account_id = resolve_account(book, account)
    if len(ids) > 1:
        from kamtui.store.backup import safety_backup

        safety_backup(book, "bulk")
    changed = 0
    with book.transaction(undo=t("undo.bulk", n=len(ids)) if len(ids) > 1 else None) as con:
        stamp = rows.now_text()
        for part in rows.chunks(ids):
            changed += con.execute(
                f"UPDATE contact SET account_id = ?, updated_at = ? "
                f"WHERE id IN ({rows.marks(len(part))}) AND account_id IS NOT ?",
                (account_id, stamp, *part, account_id),
            ).rowcount
    return changed


def default_export_path(now=None):
    """Where "export the selection" writes by default: the data folder's ``exports``."""
    from datetime import datetime

    from kamtui.paths import data_dir

    now = now or datetime.now()
    return data_dir() / "exports" / f"contacts-{now:%Y%m%d-%H%M%S}.csv"


def export_selection(book: Book, contact_ids: Sequence[int], path) -> Any:
    """Write the contacts to a CSV file, in the order given (problems name the ``path``):
    the usual columns, then stage, tier and the suggested remark name (to act on in WeChat).

    The default folder (:func:`default_export_path`) is created, private, if missing.
    """
    from pathlib import Path

    from kamtui.errors import KamtuiError
    from kamtui.exporting import DEFAULT_COLUMNS, export_contacts
    from kamtui.paths import ensure_private_dir

    if not str(path).strip():
        raise ValidationError("path", t("err.required", field=t("contacts.field.path")))
    target = Path(str(path).strip()).expanduser()
    if target.parent == default_export_path().parent:
        ensure_private_dir(target.parent)
    ensure_export_columns()
    columns = [*DEFAULT_COLUMNS, "stage", "tier", "remark_suggestion"]
    try:
        return export_contacts(book, "csv", target, ids=list(contact_ids), columns=columns)
    except ValidationError:
        raise
    except KamtuiError as e:
        raise ValidationError("path", e.message) from None
