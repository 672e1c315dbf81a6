"""Applying imported records to the book: plan first (nothing written), then one transaction.

    >>> result = read_file("contacts.csv")
    >>> plan = plan_import(book, result, account="主号")
    >>> plan.counts()            # new / updated / conflicting / unchanged / rejected / skipped
    >>> report = apply_import(book, plan, on_conflict="keep", resolutions={3: "take"})

Matching (each incoming record against the book, loaded once into dicts):

1. WeChat ID: the record's ``wxid`` and visible ``wechat_id`` against the stored
   ``wechat_id`` (case-insensitive);
2. phone: the record's phone and other phones against the stored phone (E.164);
3. name: the record's remark or nickname against a stored remark or nickname *on
   the same account* (no account = no account), only when the name is unique
   there and no WeChat ID or phone on either side contradicts it.

Archived contacts are matched too (they stay archived): an import never brings
back a duplicate of someone the seller archived.

Within the file, rows with the same WeChat ID or phone (or that match the same
stored contact) are one person: the later rows are merged into the first (empty
fields filled, tags added); a different value in a later row is kept out and
listed as a warning. Rows that only share a name stay separate contacts (two
张伟 are usually two people) and are listed as a warning.

An update only fills empty fields, adds tags and may mark a favourite. A
non-empty stored field that differs from the file is a :class:`Conflict`,
resolved per conflict or globally: ``keep`` (the default) or ``take``. Taking
a description adds the file's text under the stored one (notes are never
replaced); ``added_on`` silently becomes the earlier of the two dates.

Seller-sheet extras: ``total_amount`` with ``last_order_on`` becomes one purchase
"imported purchase history" on that day (the contact counts as a buyer); a last
order date alone records it with amount 0; a total without a date is kept as a
line of the description (a total of 0 is ignored); a negative total (more returned
than bought) is kept too. A contact that already has purchases gets none added
unless the seller takes that conflict.

Accounts: ``account=`` names one account for the whole file (it wins over the
file's own column); otherwise the file's account column is used when it names
an existing account. Unknown account names reject their rows (listed in
:attr:`ImportPlan.unknown_accounts`) unless ``create_accounts=True``.

Pictures are saved beside the book in ``<book stem>.pictures/`` (0700), one file
per contact (0600), and ``picture_path`` holds the absolute path.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kamtui import clock, searchkey
from kamtui.contacts import TEXT_FIELDS
from kamtui.dates import Birthday, format_birthday
from kamtui.errors import KamtuiError, ValidationError
from kamtui.i18n import t
from kamtui.importing.model import ImportRecord, ReadResult, RowProblem, gc_paused
from kamtui.store import rows

if TYPE_CHECKING:
    from kamtui.store.db import Book

KEEP, TAKE = "keep", "take"
CHOICES = (KEEP, TAKE)
#: Progress callback: ``progress(stage, done, total)`` with stage "plan" or "write".
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 5_000  # records between progress calls while planning
WRITE_BATCH = 2_500  # new contacts written (and progress told) at a time
_LINKS_STEP = 20_000  # tag links written between progress calls
PARALLEL_KEYS_FROM = 20_000  # new contacts from which a helper process builds search keys
KEY_CHUNK = 2_500  # search keys the helper process builds and sends at a time
# New contacts from which, if they are at least as many as the book holds, the
# written tables' secondary indexes are built once after the rows instead of row by row.
REBUILD_INDEXES_FROM = 20_000
_BULK_TABLES = ("contact", "contact_tag", "purchase")
WHOLE_TABLES_FROM = 5_000  # matched contacts from which the plan reads whole tables
_AMBIGUOUS = -1
_MAX_WECHAT = 100
_GENDERS = ("", "m", "f")
_EXT = re.compile(r"^[a-z0-9]{1,5}$")
# Contact columns compared field by field (text; "" means empty).
_TEXT_COLUMNS = (
    "remark",
    "nickname",
    "occupation",
    "source",
    "country",
    "province",
    "city",
    "gender",
)
# Record fields merged when two rows of the file are one person.
_MERGE_TEXT = ("remark", "nickname", "wechat_id", "wxid", *_TEXT_COLUMNS[2:], "account")
_STORED = (
    "id",
    "account_id",
    "remark",
    "nickname",
    "occupation",
    "source",
    "country",
    "province",
    "city",
    "gender",
    "wechat_id",
    "phone",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_lunar",
    "birth_leap",
    "added_on",
    "description",
    "picture_path",
    "favourite",
)
_INSERT = (
    "id",
    "account_id",
    "nickname",
    "remark",
    *rows.CONTACT_PROFILE,
    "favourite",
    "search_key",
    "created_at",
    "updated_at",
)
# The contact columns whose values differ from one imported row to the next. A contact
# index on none of them (only columns an import leaves at their default, its one time
# stamp, the few accounts) is kept while a big import writes: each new row's entry goes
# in at one of a few places, cheaper than building the index again, which reads the
# whole table (wide rows: ~30 ms per index at 100,000 contacts).
_VARYING_CONTACT = frozenset(_INSERT) - {"account_id", "created_at", "updated_at"}


class ImportStale(KamtuiError):
    """The book changed between the preview and the import: preview again."""


# --- what a plan holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A non-empty stored field that differs from the file."""

    id: int  # index in ImportPlan.conflicts: the key of a resolution
    row: int  # the file row
    contact_id: int
    contact: str  # the stored contact's name
    field: str  # remark, nickname, wechat_id, phone, gender, birthday, account, ...
    stored: str  # shown values
    incoming: str
    take: dict = field(default_factory=dict, repr=False, compare=False)  # columns if taken

    def to_dict(self, resolution: str | None = None) -> dict:
        out = {
            "id": self.id,
            "row": self.row,
            "contact_id": self.contact_id,
            "contact": self.contact,
            "field": self.field,
            "stored": self.stored,
            "file": self.incoming,
        }
        if resolution is not None:
            out["resolution"] = resolution
        return out


@dataclass(slots=True)
class Entry:
    """One contact the import creates or touches (several rows when merged)."""

    record: ImportRecord
    rows: list[int]
    account: int | str | None  # account id, a name to create, or None
    contact_id: int | None = None  # the stored contact; None: a new contact
    matched_by: str = ""  # "wechat_id", "phone", "name" or ""
    contact_name: str = ""
    fill: dict[str, Any] = field(default_factory=dict)  # empty stored columns -> values
    tags: list[str] = field(default_factory=list)  # tags to add (clean names)
    conflicts: list[Conflict] = field(default_factory=list)
    purchase: tuple[date, int] | None = None  # (bought_on, amount_fen) to record
    picture: bool = False  # save the record's picture (stored one is empty)
    description: str = ""  # a new contact's description (the record's, plus notes)
    own_copy: bool = False  # the record was copied before rows were merged into it
    index: int = -1  # the record's place in the ReadResult (its names' key, _NameKeys)

    @property
    def status(self) -> str:
        if self.contact_id is None:
            return "new"
        if self.conflicts:
            return "conflicting"
        if self.fill or self.tags or self.purchase or self.picture:
            return "updated"
        return "unchanged"


@dataclass
class ImportPlan:
    """What an import would do. Built by :func:`plan_import`; nothing is written."""

    result: ReadResult
    entries: list[Entry]
    conflicts: list[Conflict]
    rejected: list[RowProblem]  # every reason of every rejected row, by row
    warnings: list[RowProblem]  # values left out of imported rows, duplicate rows
    unknown_accounts: dict[str, int]  # account name -> rows rejected for it
    accounts_to_create: list[str]
    tags_to_create: list[str]
    merged_rows: int  # rows folded into an earlier row of the same person
    fingerprint: tuple
    today: date
    account_id: int | None = None  # the --account, if any
    # The names' search-key parts, built ahead by a helper process (see _NameKeys).
    names: Any = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> Path:
        return self.result.path

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.rejected})

    def counts(self) -> dict[str, int]:
        c = Counter(e.status for e in self.entries)
        return {
            "rows": self.result.rows_read,
            "new": c["new"],
            "updated": c["updated"],
            "conflicting": c["conflicting"],
            "unchanged": c["unchanged"],
            "conflicts": len(self.conflicts),
            "rejected": self.rejected_rows,
            "skipped": sum(self.result.skipped.values()),
            "merged_rows": self.merged_rows,
            "purchases": sum(1 for e in self.entries if e.purchase),
            "pictures": sum(1 for e in self.entries if e.picture),
            "tags_to_create": len(self.tags_to_create),
            "accounts_to_create": len(self.accounts_to_create),
        }

    def to_dict(self) -> dict:
        """The preview as plain data (the CLI's ``--json``)."""
        r = self.result
        return {
            "file": str(r.path),
            "format": r.format,
            "encoding": r.encoding,
            "layout": r.layout,
            "mapping": (
                [{"header": h, "field": f} for h, f in r.mapping.columns] if r.mapping else None
            ),
            "counts": self.counts(),
            "skipped": dict(sorted(r.skipped.items())),
            "rejected": [_problem_dict(p) for p in self.rejected],
            "warnings": [_problem_dict(p) for p in self.warnings],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "unknown_accounts": [
                {"name": n, "rows": k} for n, k in sorted(self.unknown_accounts.items())
            ],
            "accounts_to_create": list(self.accounts_to_create),
            "tags_to_create": list(self.tags_to_create),
            "notices": list(r.notices),
        }


@dataclass
class ImportReport:
    """What :func:`apply_import` did."""

    file: Path
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts_kept: int = 0
    conflicts_taken: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    tags_created: int = 0
    accounts_created: list[str] = field(default_factory=list)
    purchases: int = 0
    pictures: int = 0
    backup: Path | None = None
    undo_label: str | None = None  # None when nothing was written
    created_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)

    def summary(self) -> list[str]:
        """What was written, in words (the command line and the Import screen say the
        same): the counts, then what came with the contacts, then the backup."""
        from kamtui.fmt import safe

        lines = [
            t(
                "cmd.import.done",
                created=self.created,
                updated=self.updated,
                unchanged=self.unchanged,
                kept=self.conflicts_kept,
                taken=self.conflicts_taken,
            )
        ]
        if self.purchases or self.pictures or self.tags_created or self.accounts_created:
            lines.append(
                t(
                    "cmd.import.done_extras",
                    purchases=self.purchases,
                    pictures=self.pictures,
                    tags=self.tags_created,
                    accounts=", ".join(safe(a) for a in self.accounts_created) or "-",
                )
            )
        if self.backup:
            lines.append(t("cmd.import.backup", path=self.backup))
        return lines

    def to_dict(self) -> dict:
        return {
            "file": str(self.file),
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts_kept": self.conflicts_kept,
            "conflicts_taken": self.conflicts_taken,
            "rejected": len({p.row for p in self.rejected}),
            "skipped": sum(self.skipped.values()),
            "tags_created": self.tags_created,
            "accounts_created": list(self.accounts_created),
            "purchases": self.purchases,
            "pictures": self.pictures,
            "backup": str(self.backup) if self.backup else None,
            "undo": self.undo_label,
        }


def _problem_dict(p: RowProblem) -> dict:
    return {"row": p.row, "field": p.field, "reason": p.reason}


# --- small helpers ----------------------------------------------------------------------


def history_items() -> tuple[str, str]:
    """The item name of an imported purchase history, in both languages (for matching)."""
    return t("import.history_item", lang="zh"), t("import.history_item", lang="en")


def pictures_dir(book_path: Path) -> Path:
    """Where imported pictures go: ``<book stem>.pictures/`` beside the book."""
    return book_path.with_name(book_path.stem + ".pictures")


def fingerprint(con) -> tuple:
    """Changes whenever anything a plan depends on changes (checked before applying)."""
    return con.execute(
        """SELECT (SELECT count(*) FROM contact), (SELECT max(id) FROM contact),
                  (SELECT max(updated_at) FROM contact),
                  (SELECT count(*) FROM account), (SELECT max(id) FROM account),
                  (SELECT count(*) FROM purchase), (SELECT max(id) FROM purchase),
                  (SELECT max(id) FROM undo_action WHERE id IS NOT
                      (SELECT action_id FROM undo_control WHERE id = 1)),
                  (SELECT count(undone_at) FROM undo_action)"""
    ).fetchone()


def _display(remark: str, nickname: str, cid: int) -> str:
    from kamtui.fmt import display_name

    return display_name(remark, nickname, cid)


def _money(fen: int) -> str:
    from kamtui.fmt import money

    return money(fen)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    return str(value)


def _check_values(values: Mapping[str, Any]) -> None:
    """The contact rules an import must meet (the reader already cleaned the text).

    Raises ValidationError naming the field, like :func:`kamtui.contacts.clean_fields`.
    """
    if values.get("gender", "") in _GENDERS:
        try:
            if max(map(len, values.values()), default=0) <= 100:
                return  # every limit is at least 100 characters
        except TypeError:  # a value that is not text (a date, an id): look at each
            if not any(v.__class__ is str and len(v) > 100 for v in values.values()):
                return
    from kamtui.validate import label

    for name, value in values.items():
        limit = TEXT_FIELDS.get(name)
        if name == "wechat_id":
            limit = _MAX_WECHAT
        if limit is not None and value and len(value) > limit:
            raise ValidationError(name, t("err.too_long", field=label(name), max=limit))
        if name == "gender" and value not in ("", "m", "f"):
            raise ValidationError(name, t("import.gender_unknown", value=value))


class _Tags:
    """Tag names, cleaned once, matched case-insensitively to the book's tags."""

    def __init__(self, stored: Iterable[tuple[int, str]]):
        self.ids = {name.lower(): tid for tid, name in stored}
        self.clean: dict[str, str | None] = {}
        self.new: dict[str, str] = {}  # lower -> name
        self.lists: dict[tuple[str, ...], tuple[str, ...]] = {}  # a row's raw tags -> names

    def names(self, raw: list[str], row: int, warnings: list[RowProblem]) -> list[str]:
        key = tuple(raw)
        got = self.lists.get(key)
        if got is not None:  # files repeat their tag lists: the same names again
            return list(got)
        out = self._names(raw, row, warnings)
        if len(self.lists) < 100_000:
            self.lists[key] = tuple(out)
        return out

    def _names(self, raw: list[str], row: int, warnings: list[RowProblem]) -> list[str]:
        from kamtui.tags import clean_tag_name

        out: list[str] = []
        seen: set[str] = set()
        for tag in raw:
            got = self.clean.get(tag, False)
            if got is False:
                try:
                    got = clean_tag_name(tag)
                except ValidationError as err:
                    got = None
                    warnings.append(RowProblem(row, "tags", err.message))
                self.clean[tag] = got
            if got is None:
                continue
            low = got.lower()
            if low in seen:
                continue
            seen.add(low)
            out.append(got)
            if low not in self.ids and low not in self.new:
                self.new[low] = got
        return out


# --- planning ---------------------------------------------------------------------------


class _Planner:
    def __init__(self, book: Book, result: ReadResult, *, account, create_accounts: bool):
        self.book = book
        self.result = result
        self.create_accounts = create_accounts
        self.today = clock.today()
        self.entries: list[Entry] = []
        self.conflicts: list[Conflict] = []
        self.rejected: list[RowProblem] = [p for p in result.problems if p.rejected]
        self.warnings: list[RowProblem] = [p for p in result.problems if not p.rejected]
        self.unknown_accounts: Counter = Counter()
        self.accounts_to_create: dict[str, str] = {}  # lower -> name
        self.merged_rows = 0
        self.fixed_new = ""
        with book.snapshot() as con:
            self.fingerprint = fingerprint(con)
            self._load(con)
        self.account_id = self._fixed_account(account)

    # -- the book, once ------------------------------------------------------------------
    def _load(self, con) -> None:
        self.accounts = {}
        self.account_names = {}
        for aid, name in con.execute("SELECT id, name FROM account ORDER BY id"):
            self.accounts.setdefault(name.lower(), aid)
            self.account_names[aid] = name
        self.by_wechat: dict[str, int] = {}
        self.by_phone: dict[str, int] = {}
        self.by_name: dict[tuple, int] = {}
        self.keys: dict[int, tuple[str, str]] = {}
        for cid, acct, wechat, phone, remark, nickname in con.execute(
            "SELECT id, account_id, wechat_id, phone, remark, nickname FROM contact "
            "ORDER BY archived, id"
        ):
            w = wechat.lower() if wechat else ""
            if w:
                self.by_wechat.setdefault(w, cid)
            if phone:
                self.by_phone.setdefault(phone, cid)
            self.keys[cid] = (w, phone or "")
            for name in {remark, nickname}:
                if name:
                    key = (acct, name)
                    got = self.by_name.get(key)
                    if got is None:
                        self.by_name[key] = cid
                    elif got != cid:
                        self.by_name[key] = _AMBIGUOUS
        self.tags = _Tags(con.execute("SELECT id, name FROM tag"))

    def _fixed_account(self, account) -> int | None:
        if account is None or account == "":
            return None
        if isinstance(account, int) and not isinstance(account, bool):
            if account not in self.account_names:
                raise ValidationError("account", t("err.account_unknown", value=account))
            return account
        name = str(account).strip()
        found = self.accounts.get(name.lower())
        if found is not None:
            return found
        if self.create_accounts:
            self.accounts_to_create[name.lower()] = name
            self.fixed_new = name
            return None
        raise ValidationError("account", t("import.account_unknown_option", value=name))

    def _account_for(self, rec: ImportRecord) -> tuple[bool, int | str | None]:
        """(ok, account) for a record: an id, a name to create, or None."""
        if self.account_id is not None:
            return True, self.account_id
        if self.fixed_new:  # --account NAME, to be created
            return True, self.fixed_new
        if not rec.account:
            return True, None
        low = rec.account.lower()
        found = self.accounts.get(low)
        if found is not None:
            return True, found
        if self.create_accounts:
            self.accounts_to_create.setdefault(low, rec.account)
            return True, self.accounts_to_create[low]
        self.unknown_accounts[rec.account] += 1
        return False, None

    # -- matching ------------------------------------------------------------------------
    def _contradicts(self, cid: int, rec: ImportRecord) -> bool:
        w, phone = self.keys[cid]
        ids = {x.lower() for x in (rec.wechat_id, rec.wxid) if x}
        if w and ids and w not in ids:
            return True
        return bool(phone and rec.phone and phone != rec.phone and phone not in rec.other_phones)

    def _match(self, rec: ImportRecord, account) -> tuple[int | None, str]:
        for ident in (rec.wxid, rec.wechat_id):
            if ident:
                cid = self.by_wechat.get(ident.lower())
                if cid is not None:
                    return cid, "wechat_id"
        if rec.phone:
            for phone in (rec.phone, *rec.other_phones):
                cid = self.by_phone.get(phone)
                if cid is not None:
                    return cid, "phone"
        if isinstance(account, str):  # an account still to be created holds nobody
            return None, ""
        for name in (rec.remark, rec.nickname):
            if not name:
                continue
            cid = self.by_name.get((account, name))
            if cid is None:
                continue
            if cid == _AMBIGUOUS:
                self.warnings.append(RowProblem(rec.row, "", t("import.name_ambiguous", name=name)))
                continue
            if not self._contradicts(cid, rec):
                return cid, "name"
        return None, ""

    def _file_keys(self, rec: ImportRecord) -> list[str]:
        keys = []
        if rec.wxid:
            keys.append("w:" + rec.wxid.lower())
        if rec.wechat_id:
            keys.append("w:" + rec.wechat_id.lower())
        if rec.phone:
            keys.append("p:" + rec.phone)
            if rec.other_phones:
                keys.extend(["p:" + p for p in rec.other_phones])
        return keys

    def run(self, progress: Progress | None) -> ImportPlan:
        records = self.result.records
        n = len(records)
        total = 2 * n  # matching, then settling (validation, the diff against the book)
        by_key: dict[str, Entry] = {}
        by_contact: dict[int, Entry] = {}
        new_names: dict[tuple, int] = {}
        for i, rec in enumerate(records):
            if progress is not None and i % PROGRESS_EVERY == 0:
                progress("plan", i, total)
            ok, account = self._account_for(rec)
            if not ok:
                self.rejected.append(
                    RowProblem(
                        rec.row, "account", t("import.account_unknown", value=rec.account), True
                    )
                )
                continue
            keys = self._file_keys(rec)
            entry = None
            for k in keys:
                entry = by_key.get(k)
                if entry is not None:
                    break
            if entry is not None or not self.keys:  # (an empty book matches nobody)
                cid, how = None, ""
            else:
                cid, how = self._match(rec, account)
            if entry is None and cid is not None:
                entry = by_contact.get(cid)
            if entry is not None:
                self._merge(entry, rec)
                self.merged_rows += 1
                for k in self._file_keys(entry.record):
                    by_key.setdefault(k, entry)
                continue
            entry = Entry(rec, [rec.row], account, cid, how, index=i)
            self.entries.append(entry)
            for k in keys:
                by_key.setdefault(k, entry)
            if cid is not None:
                by_contact[cid] = entry
            else:
                # the shown name (nicknames alone repeat too often to be worth a word)
                name = rec.remark or rec.nickname
                if name:
                    first = new_names.setdefault((account, name), rec.row)
                    if first != rec.row:
                        self.warnings.append(
                            RowProblem(rec.row, "", t("import.same_name_row", name=name, row=first))
                        )
        self._settle(progress, n, total)
        if progress is not None:
            progress("plan", total, total)
        self.rejected.sort(key=lambda p: p.row)
        self.warnings.sort(key=lambda p: p.row)
        return ImportPlan(
            result=self.result,
            entries=self.entries,
            conflicts=self.conflicts,
            rejected=self.rejected,
            warnings=self.warnings,
            unknown_accounts=dict(self.unknown_accounts),
            accounts_to_create=list(self.accounts_to_create.values()),
            tags_to_create=sorted(self.tags.new.values()),
            merged_rows=self.merged_rows,
            fingerprint=self.fingerprint,
            today=self.today,
            account_id=self.account_id,
        )

    # -- two rows, one person --------------------------------------------------------------
    def _merge(self, entry: Entry, rec: ImportRecord) -> None:
        if not entry.own_copy:  # never change the ReadResult: it may be planned again
            entry.record = replace(
                entry.record,
                tags=list(entry.record.tags),
                other_phones=list(entry.record.other_phones),
            )
            entry.own_copy = True
        base = entry.record
        first = entry.rows[0]
        entry.rows.append(rec.row)

        def differs(fld: str, kept, dropped) -> None:
            self.warnings.append(
                RowProblem(
                    rec.row,
                    fld,
                    t(
                        "import.dup_row_differs",
                        row=first,
                        kept=_shown(kept),
                        value=_shown(dropped),
                    ),
                )
            )

        for fld in _MERGE_TEXT:
            new = getattr(rec, fld)
            if not new:
                continue
            old = getattr(base, fld)
            if not old:
                setattr(base, fld, new)
            elif old != new and not (fld in ("wechat_id", "wxid") and old.lower() == new.lower()):
                differs(fld, old, new)
        phones = [p for p in (rec.phone, *rec.other_phones) if p]
        known = {base.phone, *base.other_phones}
        added = [p for p in phones if p not in known]
        if added:
            if base.phone is None:
                base.phone = added.pop(0)
            if added:
                base.other_phones.extend(added)
                note = t("import.note_other_phones", value=", ".join(added))
                base.description = f"{base.description}\n{note}".strip()
        for fld in ("birthday", "last_order_on", "total_amount_fen"):
            new, old = getattr(rec, fld), getattr(base, fld)
            if new is None:
                continue
            if old is None:
                setattr(base, fld, new)
            elif old != new:
                differs(fld, old, new)
        if rec.added_on and (base.added_on is None or rec.added_on < base.added_on):
            base.added_on = rec.added_on
        if rec.description and rec.description not in base.description:
            base.description = f"{base.description}\n{rec.description}".strip()
        for tag in rec.tags:
            if tag not in base.tags:
                base.tags.append(tag)
        base.favourite = base.favourite or rec.favourite
        if base.picture is None and rec.picture is not None:
            base.picture, base.picture_ext = rec.picture, rec.picture_ext

    # -- the diff against the book -------------------------------------------------------
    def _settle(self, progress: Progress | None = None, start: int = 0, total: int = 0) -> None:
        """Tags, validation, extras for every entry; fills and conflicts for matched ones."""
        matched = [e.contact_id for e in self.entries if e.contact_id is not None]
        stored: dict[int, dict] = {}
        stored_tags: dict[int, set[str]] = {}
        purchases: dict[int, list[tuple]] = {}
        if matched:
            # Many matches (a re-import): read whole tables once; few: by id.
            parts = [None] if len(matched) > WHOLE_TABLES_FROM else list(rows.chunks(matched))
            wanted = set(matched)
            with self.book.snapshot() as con:
                for part in parts:
                    where, params = (
                        ("", ()) if part is None else (f" IN ({rows.marks(len(part))})", part)
                    )
                    for r in con.execute(
                        f"SELECT {', '.join(_STORED)} FROM contact"
                        + (f" WHERE id{where}" if where else ""),
                        params,
                    ):
                        if r[0] in wanted:
                            stored[r[0]] = dict(zip(_STORED, r, strict=True))
                    for cid, name in con.execute(
                        "SELECT ct.contact_id, t.name FROM contact_tag ct "
                        "JOIN tag t ON t.id = ct.tag_id"
                        + (f" WHERE ct.contact_id{where}" if where else ""),
                        params,
                    ):
                        if cid in wanted:
                            stored_tags.setdefault(cid, set()).add(name.lower())
                    for r in con.execute(
                        "SELECT contact_id, id, item, bought_on, amount_fen FROM purchase"
                        + (f" WHERE contact_id{where}" if where else "")
                        + " ORDER BY bought_on",
                        params,
                    ):
                        if r[0] in wanted:
                            purchases.setdefault(r[0], []).append(r[1:])
        kept: list[Entry] = []
        for i, entry in enumerate(self.entries):
            if progress is not None and i % PROGRESS_EVERY == 0:
                progress("plan", start + i, total)
            rec = entry.record
            entry.tags = self.tags.names(rec.tags, rec.row, self.warnings) if rec.tags else []
            try:
                if entry.contact_id is None:
                    self._new(entry)
                else:
                    self._diff(
                        entry,
                        stored[entry.contact_id],
                        stored_tags.get(entry.contact_id, set()),
                        purchases.get(entry.contact_id, []),
                    )
            except ValidationError as err:
                for row in entry.rows:
                    self.rejected.append(RowProblem(row, err.field, err.message, True))
                continue
            kept.append(entry)
        self.entries = kept
        # conflicts of rejected entries were never registered: number them now
        for entry in kept:
            if not entry.conflicts:
                continue
            for i, c in enumerate(entry.conflicts):
                c2 = Conflict(len(self.conflicts), *_conflict_fields(c))
                entry.conflicts[i] = c2
                self.conflicts.append(c2)
        # tags only rejected entries wanted are not created
        if self.tags.new:
            names: set[str] = set()
            for e in kept:
                if e.tags:
                    names.update(e.tags)
            wanted = {tg.lower() for tg in names}
            self.tags.new = {k: v for k, v in self.tags.new.items() if k in wanted}
        if self.create_accounts:
            used = {e.account.lower() for e in kept if isinstance(e.account, str)}
            self.accounts_to_create = {
                k: v for k, v in self.accounts_to_create.items() if k in used
            }

    def _extras(self, rec: ImportRecord) -> tuple[tuple[date, int] | None, str]:
        """(purchase to record, description note) for the seller-sheet extras."""
        if rec.last_order_on is not None:
            return (rec.last_order_on, rec.total_amount_fen or 0), ""
        if rec.total_amount_fen:  # a total of 0 without a date says nothing
            return None, t("import.note_total", value=_money(rec.total_amount_fen))
        return None, ""

    def _new(self, entry: Entry) -> None:
        rec = entry.record
        if not (rec.remark or rec.nickname):
            raise ValidationError("nickname", t("import.row_no_name"))
        entry.purchase, note = self._extras(rec)
        if note:
            entry.description = f"{rec.description}\n{note}".strip()
        else:
            entry.description = rec.description
        try:  # (what _check_values checks first, without a dict: most rows pass)
            plain = rec.gender in _GENDERS and (
                max(
                    len(rec.remark),
                    len(rec.nickname),
                    len(rec.wechat_id),
                    len(rec.occupation),
                    len(rec.source),
                    len(rec.country),
                    len(rec.province),
                    len(rec.city),
                    len(entry.description),
                )
                <= 100
            )
        except TypeError:
            plain = False
        if not plain:
            _check_values(
                {
                    "remark": rec.remark,
                    "nickname": rec.nickname,
                    "wechat_id": rec.wechat_id,
                    "occupation": rec.occupation,
                    "source": rec.source,
                    "country": rec.country,
                    "province": rec.province,
                    "city": rec.city,
                    "gender": rec.gender,
                    "description": entry.description,
                }
            )
        entry.picture = rec.picture is not None

    def _diff(self, entry: Entry, s: dict, tags: set[str], purchases: list[tuple]) -> None:
        rec = entry.record
        cid = entry.contact_id
        entry.contact_name = _display(s["remark"], s["nickname"], cid)
        fill: dict[str, Any] = {}
        found: list[Conflict] = []

        def conflict(fld: str, stored: str, incoming: str, take: dict) -> None:
            found.append(
                Conflict(-1, rec.row, cid, entry.contact_name, fld, stored, incoming, take)
            )

        for col in _TEXT_COLUMNS:
            new = getattr(rec, col)
            if not new:
                continue
            old = s[col] or ""
            if not old:
                fill[col] = new
            elif old != new:
                conflict(col, old, new, {col: new})
        new = rec.wechat_id
        old = s["wechat_id"] or ""
        if new:
            ids = {x.lower() for x in (rec.wechat_id, rec.wxid) if x}
            if not old:
                fill["wechat_id"] = new
            elif old.lower() not in ids:
                conflict("wechat_id", old, new, {"wechat_id": new})
        if rec.phone:
            old = s["phone"]
            if not old:
                fill["phone"] = rec.phone
            elif old != rec.phone and old not in rec.other_phones:
                conflict("phone", old, rec.phone, {"phone": rec.phone})
        if rec.birthday is not None:
            try:
                old_b = Birthday.from_row(
                    s["birth_year"],
                    s["birth_month"],
                    s["birth_day"],
                    s["birth_lunar"],
                    s["birth_leap"],
                )
            except ValidationError:
                old_b = None
            if old_b is None:
                fill.update(rec.birthday.columns())
            elif old_b != rec.birthday:
                conflict(
                    "birthday",
                    format_birthday(old_b),
                    format_birthday(rec.birthday),
                    rec.birthday.columns(),
                )
        if rec.added_on is not None and rec.added_on.isoformat() < (s["added_on"] or "9999"):
            fill["added_on"] = rec.added_on
        entry.purchase, note = self._extras(rec)
        text = rec.description
        if note:
            text = f"{text}\n{note}".strip()
        if text:
            old = s["description"] or ""
            if not old:
                fill["description"] = text
            elif text not in old:
                conflict("description", old, text, {"description": f"{old}\n{text}"})
        if entry.account is not None:
            old = s["account_id"]
            if old is None:
                fill["account_id"] = entry.account
            elif old != entry.account:
                new_name = (
                    entry.account
                    if isinstance(entry.account, str)
                    else self.account_names.get(entry.account, "")
                )
                conflict(
                    "account",
                    self.account_names.get(old, str(old)),
                    new_name,
                    {"account_id": entry.account},
                )
        if rec.favourite and not s["favourite"]:
            fill["favourite"] = True
        entry.tags = [tg for tg in entry.tags if tg.lower() not in tags]
        if rec.picture is not None:
            if not s["picture_path"]:
                entry.picture = True
            else:
                size = max(1, len(rec.picture) // 1024)
                conflict(
                    "picture",
                    s["picture_path"],
                    t("import.picture_in_file", ext=rec.picture_ext or "?", size=size),
                    {"_picture": True},
                )
        if entry.purchase is not None:
            entry.purchase = self._purchase_diff(entry.purchase, purchases, conflict)
        _check_values(fill)
        for c in found:
            _check_values({k: v for k, v in c.take.items() if not k.startswith("_")})
        entry.fill = fill
        entry.conflicts = found

    def _purchase_diff(self, wanted: tuple[date, int], purchases: list[tuple], conflict):
        """The imported purchase to record, or None (a conflict when the contact has some)."""
        if not purchases:
            return wanted
        on, fen = wanted
        items = history_items()
        imported = [p for p in purchases if p[1] in items]
        if any(p[2] == on.isoformat() and p[3] == fen for p in imported):
            return None  # already there (the same file imported again)
        total = sum(p[3] for p in purchases)
        stored = t(
            "import.purchases_stored", n=len(purchases), total=_money(total), last=purchases[-1][2]
        )
        incoming = t("import.purchase_incoming", amount=_money(fen), date=on.isoformat())
        take: dict[str, Any] = {"_purchase": (on, fen)}
        if imported:
            take["_purchase_id"] = imported[-1][0]  # replace the earlier imported history
        conflict("purchases", stored, incoming, take)
        return None


def _conflict_fields(c: Conflict) -> tuple:
    return (c.row, c.contact_id, c.contact, c.field, c.stored, c.incoming, c.take)


def plan_import(
    book: Book,
    result: ReadResult,
    *,
    account: str | int | None = None,
    create_accounts: bool = False,
    progress: Progress | None = None,
) -> ImportPlan:
    """Match every record of ``result`` to the book and say what an import would do.

    Nothing is written. ``account``: one of the seller's accounts for the whole file
    (a name or id; unknown raises ValidationError unless ``create_accounts``).
    ``create_accounts``: unknown account names (option or file column) are created
    by :func:`apply_import` instead of rejecting their rows.
    """
    names = _NameKeys.start(result.records)
    try:
        with gc_paused():
            planner = _Planner(book, result, account=account, create_accounts=create_accounts)
            plan = planner.run(progress)
    except BaseException:
        if names is not None:
            names.close()
        raise
    if names is not None:
        plan.names = names
        import weakref

        weakref.finalize(plan, names.close)  # a plan never applied: reap the helper
    return plan


# --- applying ---------------------------------------------------------------------------


def _backup(book: Book) -> Path | None:
    from kamtui.store import backup

    safety = getattr(backup, "safety_backup", None)
    if safety is not None:
        return safety(book, "import")
    return backup.backup_book(book, reason="before-import")


def _write_picture(folder: Path, cid: int, data: bytes, ext: str, written: list[Path]) -> str:
    from kamtui.paths import ensure_private_dir

    ext = ext.lower() if _EXT.match(ext.lower() or "") else "jpg"
    ensure_private_dir(folder)
    n = 1
    while True:
        name = f"{cid}.{ext}" if n == 1 else f"{cid}-{n}.{ext}"
        path = folder / name
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            n += 1
            continue
        written.append(path)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(path, 0o600)
        return str(path.resolve())


def apply_import(
    book: Book,
    plan: ImportPlan,
    *,
    on_conflict: str = KEEP,
    resolutions: Mapping[int, str] | None = None,
    progress: Progress | None = None,
    backup: bool = True,
) -> ImportReport:
    """Write ``plan`` to the book: a backup, then one transaction (all or nothing),
    recorded for undo as one step labelled "import <file>".

    ``on_conflict``: ``keep`` (default) or ``take`` for every conflict;
    ``resolutions``: conflict id -> ``keep``/``take`` for single conflicts.
    Raises :class:`ImportStale` if the book changed since the plan (nothing written).
    """
    try:
        report = _apply(book, plan, on_conflict, resolutions, progress, backup)
    finally:
        names, plan.names = plan.names, None
        if names is not None:  # not used (nothing new to write, an error): stop it now
            names.close()
    if report.created or report.updated:
        _prepare_cleanup(book, progress)
    return report


def _prepare_cleanup(book: Book, progress: Progress | None) -> None:
    """The clean-up's duplicate analysis made now, if the import changed more contacts
    than a review can bring it up to date with (:func:`kamtui.cleanup.prepare`):
    stage "check". The import is committed already: should this fail, the clean-up
    makes the analysis itself when opened (and says what went wrong, if anything
    still does)."""
    from kamtui import cleanup

    told = None if progress is None else partial(progress, "check")
    # (Ctrl-C too: it stops the analysis, not the report of the import it follows)
    with suppress(Exception, KeyboardInterrupt):
        cleanup.prepare(book, progress=told)


def _apply(
    book: Book,
    plan: ImportPlan,
    on_conflict: str,
    resolutions: Mapping[int, str] | None,
    progress: Progress | None,
    backup: bool,
) -> ImportReport:
    if on_conflict not in CHOICES:
        raise ValidationError("on_conflict", t("import.choice_invalid", value=on_conflict))
    resolutions = dict(resolutions or {})
    for cid, choice in resolutions.items():
        if choice not in CHOICES:
            raise ValidationError("on_conflict", t("import.choice_invalid", value=choice))
        if not (isinstance(cid, int) and 0 <= cid < len(plan.conflicts)):
            raise ValidationError("conflict", t("import.conflict_unknown", value=cid))
    report = ImportReport(
        file=plan.path, rejected=list(plan.rejected), skipped=Counter(plan.result.skipped)
    )
    taken: dict[int, dict] = {}
    for c in plan.conflicts:
        if resolutions.get(c.id, on_conflict) == TAKE:
            taken[c.id] = c.take
            report.conflicts_taken += 1
        else:
            report.conflicts_kept += 1
    new = [e for e in plan.entries if e.contact_id is None]
    changes: list[tuple[Entry, dict]] = []
    for e in plan.entries:
        if e.contact_id is None:
            continue
        data = dict(e.fill)
        for c in e.conflicts:
            data.update(taken.get(c.id, {}))
        if data or e.tags or e.purchase or e.picture:
            changes.append((e, data))
        else:
            report.unchanged += 1
    if not new and not changes and not plan.accounts_to_create:
        return report  # nothing to write: no backup, no transaction
    with book.snapshot() as con:  # checked again inside the transaction
        if fingerprint(con) != plan.fingerprint:
            raise ImportStale(t("import.stale"))
    if backup:
        report.backup = _backup(book)
    with gc_paused():
        return _write(book, plan, report, new, changes, progress)


def _write(
    book: Book,
    plan: ImportPlan,
    report: ImportReport,
    new: list[Entry],
    changes: list[tuple[Entry, dict]],
    progress: Progress | None,
) -> ImportReport:
    from contextlib import nullcontext

    from kamtui.contacts import refresh_search_keys
    from kamtui.store.derived import derived_at_end
    from kamtui.store.undo import inserts_recorded_at_end

    label = t("import.undo_label", file=plan.path.name)
    written: list[Path] = []
    folder = pictures_dir(book.path)
    done = 0
    keys = _Keys(new, plan.names)
    plan.names = None  # (used once)
    try:
        with _roomy(book.conn) as checkpoint:
            with book.transaction(undo=label) as con:
                if fingerprint(con) != plan.fingerprint:
                    raise ImportStale(t("import.stale"))
                stamp = rows.now_text()
                accounts = _create_accounts(con, plan, report, stamp)
                tag_ids = _create_tags(con, plan, report, stamp)

                def account_id(value):
                    return accounts[value.lower()] if isinstance(value, str) else value

                next_id = (con.execute("SELECT max(id) FROM contact").fetchone()[0] or 0) + 1
                had = con.execute("SELECT count(*) FROM contact").fetchone()[0]
                rebuild = _drop_indexes(con) if len(new) >= max(REBUILD_INDEXES_FROM, had) else []
                steps = _Steps(progress, new, changes, len(rebuild))
                steps.tell(0)
                today = plan.today
                batch: list[tuple] = []
                links: list[tuple[int, int]] = []
                purchases: list[tuple] = []
                item = t("import.history_item")
                note = t("import.history_note", file=plan.path.name)
                first_new = next_id
                new_contacts = ("contact", "id >= ?", (first_new,))
                with (
                    inserts_recorded_at_end(con, *new_contacts),
                    derived_at_end(con, *new_contacts),
                ):
                    for index, e in enumerate(new):
                        rec = e.record
                        cid = next_id
                        next_id += 1
                        b = rec.birthday
                        picture = (
                            _write_picture(folder, cid, rec.picture, rec.picture_ext, written)
                            if e.picture
                            else None
                        )
                        account = e.account
                        if isinstance(account, str):
                            account = accounts[account.lower()]
                        batch.append(
                            (
                                cid,
                                account,
                                rec.nickname,
                                rec.remark,
                                rec.wechat_id or None,
                                rec.phone,
                                rec.country,
                                rec.province,
                                rec.city,
                                rec.occupation,
                                rec.gender,
                                b.year if b else None,
                                b.month if b else None,
                                b.day if b else None,
                                int(b.lunar) if b else 0,
                                int(b.leap) if b else 0,
                                rec.source,
                                (rec.added_on or today).isoformat(),
                                e.description,
                                picture,
                                int(rec.favourite),
                                keys.key(index, e),
                                stamp,
                                stamp,
                            )
                        )
                        for tg in e.tags:
                            links.append((cid, tag_ids[tg.lower()]))
                        if e.purchase:
                            on, fen = e.purchase
                            purchases.append((cid, item, fen, on.isoformat(), note, stamp))
                        if e.picture:
                            report.pictures += 1
                        if len(batch) >= WRITE_BATCH:
                            done += len(batch)
                            _insert_contacts(con, batch)
                            batch = []
                            steps.tell(done)
                    if batch:
                        done += len(batch)
                        _insert_contacts(con, batch)
                        steps.tell(done)
                new_links = len(links)
                report.created_ids.extend(range(first_new, next_id))
                report.created = len(new)
                purchase_updates: list[tuple] = []
                for e, data in changes:
                    cid = e.contact_id
                    rec = e.record
                    if data.pop("_picture", False) or e.picture:
                        data["picture_path"] = _write_picture(
                            folder, cid, rec.picture, rec.picture_ext, written
                        )
                        report.pictures += 1
                    taken_purchase = data.pop("_purchase", None)
                    replace_id = data.pop("_purchase_id", None)
                    if "account_id" in data:
                        data["account_id"] = account_id(data["account_id"])
                    if data:
                        data["updated_at"] = stamp
                        rows.update(con, "contact", {"id": cid}, data)
                    links.extend((cid, tag_ids[tg.lower()]) for tg in e.tags)
                    wanted = e.purchase or taken_purchase
                    if wanted:
                        on, fen = wanted
                        if replace_id is not None:
                            purchase_updates.append((fen, on.isoformat(), note, replace_id))
                        else:
                            purchases.append((cid, item, fen, on.isoformat(), note, stamp))
                    report.updated_ids.append(cid)
                    done += 1
                    if done % WRITE_BATCH == 0:
                        steps.tell(done)
                report.updated = len(changes)
                steps.tell(done)
                # the new contacts' links (all new rows), then the matched ones' (some may exist)
                for first, start, end in ((True, 0, new_links), (False, new_links, len(links))):
                    recorded = (
                        inserts_recorded_at_end(con, "contact_tag", "contact_id >= ?", (first_new,))
                        if first
                        else nullcontext()
                    )
                    with recorded:
                        for i in range(start, max(start + 1, end), _LINKS_STEP):
                            _bulk(
                                con,
                                "INSERT OR IGNORE INTO contact_tag (contact_id, tag_id)",
                                ("contact_id", "tag_id"),
                                links[i : min(end, i + _LINKS_STEP)],
                            )
                            steps.tell_links(min(end, i + _LINKS_STEP))
                last_purchase = con.execute("SELECT max(id) FROM purchase").fetchone()[0] or 0
                new_sales = ("purchase", "id > ?", (last_purchase,))
                with inserts_recorded_at_end(con, *new_sales), derived_at_end(con, *new_sales):
                    _bulk(
                        con,
                        "INSERT INTO purchase (contact_id, item, amount_fen, bought_on, note, "
                        "created_at)",
                        ("contact_id", "item", "amount_fen", "bought_on", "note", "created_at"),
                        purchases,
                    )
                con.executemany(
                    "UPDATE purchase SET amount_fen = ?, bought_on = ?, note = ? WHERE id = ?",
                    purchase_updates,
                )
                steps.tell_step()
                report.purchases = len(purchases) + len(purchase_updates)
                for sql in rebuild:  # the schema ends exactly as it was
                    con.execute(sql)
                    steps.tell_step()
                if report.updated_ids:
                    refresh_search_keys(con, report.updated_ids)
                steps.tell_step()
            steps.tell_step()  # committed
            if checkpoint:  # the new pages into the book file, after the commit's progress
                _checkpoint(book.conn)
            steps.tell_step()
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    finally:
        keys.close()
    report.undo_label = label
    return report


class _Steps:
    """The write stage's progress: rows first, then the steps after them (tag links,
    purchases, each rebuilt index, the search keys of updated contacts, the commit, the
    checkpoint),
    each weighed roughly by its time, so that the bar keeps moving to the end."""

    def __init__(self, progress: Progress | None, new: list[Entry], changes: list, indexes: int):
        self.progress = progress
        rows_ = len(new) + len(changes)
        links = sum(len(e.tags) for e in new) + sum(len(e.tags) for e, _ in changes)
        self.link_weight = 8  # links per row-equivalent of time
        self.step = max(1, rows_ // 50)  # purchases, an index, the refresh, the commit
        self.rows = rows_
        self.links = links // self.link_weight
        self.total = rows_ + self.links + self.step * (indexes + 4)
        self.done_steps = 0

    def tell(self, done: int) -> None:
        if self.progress is not None:
            self.progress("write", min(done, self.rows), self.total)

    def tell_links(self, done_links: int) -> None:
        if self.progress is not None:
            done = self.rows + min(self.links, done_links // self.link_weight)
            self.progress("write", done, self.total)

    def tell_step(self) -> None:
        self.done_steps += 1
        if self.progress is not None:
            done = self.rows + self.links + self.step * self.done_steps
            self.progress("write", min(done, self.total), self.total)


#: The page cache of the import's connection while it writes (KiB; SQLite's default is
#: 2 MB). The rows, their indexes built afterwards and the undo rows of a big import
#: fit in it: pages are written to the WAL once, at the commit, instead of being
#: spilled and written again (100,000 rows: ~0.2 s less).
IMPORT_CACHE_KIB = 65_536


@contextmanager
def _roomy(con) -> Iterator[bool]:
    """The import's connection with a big page cache (:data:`IMPORT_CACHE_KIB`) and no
    automatic checkpoint at the commit; both as they were afterwards, whatever happens.

    Yields whether the caller should checkpoint after the commit: the commit of a big
    import writes tens of megabytes to the WAL, and the automatic checkpoint inside
    the commit copied them all into the book file at once, the longest stretch without
    progress of the import (~0.25 s at 100,000 rows); apart, each is told. Inside an
    outer transaction (not ours to commit) nothing is changed.
    """
    if con.in_transaction:
        yield False
        return
    cache = con.execute("PRAGMA cache_size").fetchone()[0]
    auto = con.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    con.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    con.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield True
    finally:
        con.execute(f"PRAGMA cache_size = {int(cache)}")
        con.execute(f"PRAGMA wal_autocheckpoint = {int(auto)}")


def _checkpoint(con) -> None:
    """A passive checkpoint (as the automatic one): never waits for readers; what it
    cannot copy now, a later checkpoint does. The import is committed either way."""
    import sqlite3

    try:
        con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.Error:
        pass


def _drop_indexes(con) -> list[str]:
    """Drop the plain (not unique) indexes of the tables an import writes; returns the
    SQL that makes them again. Inside the import's transaction: building an index once
    over 100,000 new rows is much faster than updating it row by row (contacts at 100k:
    2.0 s -> 1.2 s), and readers never see the book without them. A contact index on
    columns that do not vary from row to row (none of :data:`_VARYING_CONTACT`) is
    kept: updating it costs less than a pass over the whole table (100,000 contacts:
    six indexes, ~0.1 s less, the bigger commit included). Such an index ends with
    more free room in its pages than one built at once (100,000 contacts: ~300 pages,
    1.2 MB of a 78 MB book), as after any inserts; the rows are the same."""
    marks = ", ".join("?" * len(_BULK_TABLES))
    found = con.execute(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'"
        f" AND tbl_name IN ({marks}) AND sql IS NOT NULL ORDER BY name",
        _BULK_TABLES,
    ).fetchall()
    plain = []
    for name, table, sql in found:
        if sql.lstrip().upper().startswith("CREATE UNIQUE"):
            continue
        if table == "contact":
            columns = [r[2] for r in con.execute(f'PRAGMA index_info("{name}")')]
            if all(c is not None and c not in _VARYING_CONTACT for c in columns):
                continue  # (None: an expression)
        plain.append((name, sql))
    for name, _sql in plain:
        con.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in plain]


def _plain_search_key(e: Entry) -> str:
    rec = e.record
    return searchkey.build_search_key(
        remark=rec.remark,
        nickname=rec.nickname,
        wechat_id=rec.wechat_id,
        phone=rec.phone,
        tags=e.tags,
        country=rec.country,
        province=rec.province,
        city=rec.city,
        occupation=rec.occupation,
        description=e.description,
    )


class _KeyParts:
    """``build_search_key`` for many contacts, with the parts that repeat built once.

    The parts of a search key each depend on their own fields (see
    :mod:`kamtui.searchkey`): tags, region, occupation and description are the
    same for many contacts of a file, so their parts (5-8) are built once per
    distinct value (``build_search_key`` on that field alone) and put in place of
    the empty ones of the key built from the names, WeChat ID and phone. The
    same keys, ~20% less time (100k contacts: 1.6 s -> 1.3 s).
    """

    MAX = 50_000  # distinct values kept per field

    def __init__(self) -> None:
        self.tags: dict[tuple[str, ...], str] = {}
        self.regions: dict[tuple[str, str, str], str] = {}
        self.jobs: dict[str, str] = {}
        self.texts: dict[str, str] = {}

    def __call__(self, e: Entry, names: tuple[str, str] | None = None) -> str:
        """The key of ``e``; ``names``: :func:`_names_key` of its record, if known."""
        return self.many([e], [names])[0]

    def many(self, entries: list[Entry], names: list[tuple[str, str] | None]) -> list[str]:
        """The keys of ``entries``; ``names``: :func:`_names_key` of each one's record,
        or None where it is not known (then it is built here). One loop for many
        keys: a big import's write takes them a chunk at a time."""
        sep = searchkey.SEP
        build = searchkey.build_search_key
        keep = self._keep
        tags_parts, regions, jobs, texts = self.tags, self.regions, self.jobs, self.texts
        out: list[str] = []
        for e, got in zip(entries, names, strict=True):
            rec = e.record
            head, tail = got if got is not None else _names_key(rec)
            tags = tuple(e.tags)
            tags_part = tags_parts.get(tags)
            if tags_part is None:
                tags_part = keep(tags_parts, tags, build(tags=tags).split(sep)[5])
            where = (rec.country, rec.province, rec.city)
            region = regions.get(where)
            if region is None:
                key = build(country=where[0], province=where[1], city=where[2])
                region = keep(regions, where, key.split(sep)[6])
            job = jobs.get(rec.occupation)
            if job is None:
                job = keep(jobs, rec.occupation, build(occupation=rec.occupation).split(sep)[7])
            text = texts.get(e.description)
            if text is None:
                key = build(description=e.description)
                text = keep(texts, e.description, key.split(sep)[8])
            out.append(sep.join((head, tags_part, region, job, text, tail)))
        return out

    def _keep(self, cache: dict, value, part: str) -> str:
        if len(cache) < self.MAX:
            cache[value] = part
        return part


_key_parts = _KeyParts()  # (caches of plain text only; cleared after each import)


def _names_key(rec: ImportRecord) -> tuple[str, str]:
    """The key of the record's names, WeChat ID and phone alone (most of the cost of a
    search key: pinyin), as the text before its parts 5-8 (all empty) and the text
    after them; :class:`_KeyParts` puts the other parts in between."""
    sep = searchkey.SEP
    key = searchkey.build_search_key(
        remark=rec.remark, nickname=rec.nickname, wechat_id=rec.wechat_id, phone=rec.phone
    )
    parts = key.split(sep)
    return sep.join(parts[:5]), sep.join(parts[9:])


class _NameKeys:
    """:func:`_names_key` of every record of a big file, built ahead by a helper process.

    Started by :func:`plan_import` (from :data:`PARALLEL_KEYS_FROM` records, where
    :func:`_can_fork`): the keys are needed only once the plan is made, so the helper
    works from the first record on (``ahead``) while this process plans, and goes on
    while it writes; :class:`_Keys` takes the keys of the records it reaches from the
    helper. Where the second core is free the helper stays ahead of the write and this
    process builds none (100,000 records: ~0.4 s less than the helper going from the
    last record backwards, which left this process the first quarter); should this
    process catch up with it, it builds the keys it reached and the helper goes on
    from the last record backwards until they meet
    (:class:`~kamtui.importing.parallel.FromBothEnds`). The names' part only depends
    on the record, so it is the same whenever it is built; a record merged with
    later rows of the file (its own copy in the plan) has its key built when written.
    """

    def __init__(self, records: list[ImportRecord]):
        from kamtui.importing.parallel import FromBothEnds

        self.records = records
        self.chunk = -1
        self.current: list[tuple[str, str]] | None = None
        self.helper = FromBothEnds(-(-len(records) // KEY_CHUNK), self._chunk, ahead=True)

    @classmethod
    def start(cls, records: list[ImportRecord]) -> _NameKeys | None:
        if len(records) < PARALLEL_KEYS_FROM or not _can_fork():
            return None
        return cls(records)

    def _chunk(self, chunk: int) -> list[tuple[str, str]]:
        """In the helper process: the names' keys of one chunk of records."""
        start = chunk * KEY_CHUNK
        return [_names_key(r) for r in self.records[start : start + KEY_CHUNK]]

    def many(self, entries: list[Entry]) -> list[tuple[str, str] | None]:
        """The names' key of each entry's record where the helper built it, else None
        (ask for entries in file order)."""
        records = self.records
        n = len(records)
        out: list[tuple[str, str] | None] = []
        for e in entries:
            i = e.index
            if e.own_copy or not 0 <= i < n or records[i] is not e.record:
                out.append(None)  # (a merged record: its own copy)
                continue
            chunk = i // KEY_CHUNK
            if chunk != self.chunk:
                if chunk < self.chunk:
                    out.append(None)
                    continue
                self.chunk = chunk
                keys = self.helper.theirs(chunk)
                size = len(records[chunk * KEY_CHUNK : (chunk + 1) * KEY_CHUNK])
                ok = isinstance(keys, list) and len(keys) == size
                self.current = keys if ok else None
            current = self.current
            out.append(None if current is None else current[i - chunk * KEY_CHUNK])
        return out

    def close(self) -> None:
        self.helper.close()


def _can_fork() -> bool:
    """A helper process is used only where forking is plain and safe: Linux, one thread
    (the command line; an app with worker threads builds every key itself)."""
    from kamtui.importing.parallel import can_fork

    return can_fork()


class _Keys:
    """The search keys of the new contacts, in order, a chunk (:data:`KEY_CHUNK`
    contacts) at a time.

    Pinyin makes search keys the costliest part of a big import. With the plan's
    helper (:class:`_NameKeys`), a chunk's keys are put together from the names'
    keys it built (:meth:`_KeyParts.many`). Without one, from
    :data:`PARALLEL_KEYS_FROM` new contacts on (and where :func:`_can_fork`), a
    forked child builds keys too, chunk by chunk from the last chunk backwards,
    while this process builds them from the first chunk on and writes the rows,
    until the two meet (:class:`~kamtui.importing.parallel.FromBothEnds`: the two
    cores share the work whatever each one's speed; if anything goes wrong with the
    child, this process simply builds the missing chunks itself).
    """

    def __init__(self, entries: list[Entry], names: _NameKeys | None = None):
        self.entries = entries
        self.names = names  # the plan's helper, if it has one (then no other)
        self.helper: Any = None
        self.start = 0  # the chunk being used: its first entry and its keys
        self.current: list[str] = []
        if names is None and len(entries) >= PARALLEL_KEYS_FROM and _can_fork():
            from kamtui.importing.parallel import FromBothEnds

            self.helper = FromBothEnds(-(-len(entries) // KEY_CHUNK), self._chunk_keys)

    def _chunk_keys(self, chunk: int) -> list[str]:
        """In the helper process: the keys of one chunk."""
        entries = self.entries[chunk * KEY_CHUNK : (chunk + 1) * KEY_CHUNK]
        return _key_parts.many(entries, [None] * len(entries))

    def key(self, index: int, e: Entry) -> str:
        """The key of ``e``, the entry at ``index`` (ask in order; a chunk's keys are
        made when its first entry is asked for)."""
        i = index - self.start
        if not 0 <= i < len(self.current):
            self._chunk(index // KEY_CHUNK)
            i = index - self.start
        return self.current[i]

    def _chunk(self, chunk: int) -> None:
        """The keys of one chunk of entries, all at once: the child's, or built here
        (from the names' keys the plan's helper built, where it did)."""
        start = chunk * KEY_CHUNK
        entries = self.entries[start : start + KEY_CHUNK]
        keys = self.helper.theirs(chunk) if self.helper is not None else None
        if not (isinstance(keys, list) and len(keys) == len(entries)):
            names = self.names.many(entries) if self.names is not None else [None] * len(entries)
            keys = _key_parts.many(entries, names)
        self.start, self.current = start, keys

    def close(self) -> None:
        """Stop and reap the child(ren); forget the parts kept for this import."""
        _key_parts.__init__()
        if self.helper is not None:
            self.helper.close()
            self.helper = None
        if self.names is not None:
            self.names.close()
            self.names = None


def _insert_contacts(con, batch: list[tuple]) -> None:
    _insert_many(con, f"INSERT INTO contact ({', '.join(_INSERT)})", len(_INSERT), batch)


def _insert_many(con, head: str, width: int, values: list[tuple]) -> None:
    """``head`` (``INSERT INTO t (cols)``) for many rows, a thousand or so per statement.

    One multi-row statement instead of one per row: the undo triggers still record
    every row, but SQLite opens one statement journal per statement, which is what
    makes row-by-row ``executemany`` slow on a table with triggers and indexes.
    """
    per = max(1, min(2000, 30_000 // width))
    one = "(" + ",".join("?" * width) + ")"
    for i in range(0, len(values), per):
        part = values[i : i + per]
        con.execute(f"{head} VALUES {','.join([one] * len(part))}", list(chain(*part)))


def _bulk(con, insert: str, cols: tuple[str, ...], values: list[tuple]) -> None:
    _insert_many(con, insert, len(cols), values)


def _create_accounts(con, plan: ImportPlan, report: ImportReport, stamp: str) -> dict[str, int]:
    from kamtui import settings

    out: dict[str, int] = {}
    if not plan.accounts_to_create:
        return out
    cap = _default_cap(con, settings)
    for name in plan.accounts_to_create:
        aid = rows.insert(con, "account", {"name": name, "friend_cap": cap, "created_at": stamp})
        out[name.lower()] = aid
        report.accounts_created.append(name)
    return out


def _default_cap(con, settings) -> int:
    import json

    raw = con.execute("SELECT value FROM setting WHERE \"key\" = 'account.default_cap'").fetchone()
    try:
        return int(json.loads(raw[0])) if raw else settings.SPECS["account.default_cap"].default
    except (ValueError, TypeError):
        return settings.SPECS["account.default_cap"].default


def _create_tags(con, plan: ImportPlan, report: ImportReport, stamp: str) -> dict[str, int]:
    ids = {name.lower(): tid for tid, name in con.execute("SELECT id, name FROM tag")}
    for name in plan.tags_to_create:
        if name.lower() not in ids:
            ids[name.lower()] = rows.insert(con, "tag", {"name": name, "created_at": stamp})
            report.tags_created += 1
    return ids


__all__ = [
    "CHOICES",
    "KEEP",
    "TAKE",
    "Conflict",
    "Entry",
    "ImportPlan",
    "ImportReport",
    "ImportStale",
    "apply_import",
    "fingerprint",
    "history_items",
    "pictures_dir",
    "plan_import",
]
