"""What the readers produce: records, per-row problems, the whole-file error and the result.

Nothing here touches the book: an :class:`ImportRecord` is a cleaned, normalised
row waiting for the apply step (matching, conflicts, one transaction).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kamtui.dates import Birthday as _Birthday
from kamtui.errors import KamtuiError
from kamtui.i18n import t

if TYPE_CHECKING:
    from kamtui.importing.layouts import Mapping

#: The fields a column can be mapped to (``Mapping``). Several columns may feed one
#: field (phones, e-mails, descriptions, tags are joined or collected).
MAPPABLE_FIELDS: tuple[str, ...] = (
    "nickname",  # 昵称: the name the friend chose
    "remark",  # 备注名: the name the seller gave (display name in phone address books)
    "first_name",  # composed into the remark when there is no display name
    "middle_name",
    "last_name",
    "wechat_id",  # user-visible WeChat ID (微信号 / Alias)
    "wxid",  # WeChat's internal id (wxid_..., UserName)
    "phone",
    "email",  # no contact column: kept as a line of the description
    "country",
    "province",
    "city",
    "region",  # 地区 like "广东 深圳": split into country/province/city
    "address",  # a full address: region guessed from it, kept in the description
    "occupation",
    "company",  # with title, composed into the occupation
    "title",
    "gender",
    "birthday",
    "birth_year",  # Thunderbird splits the birthday over three columns
    "birth_month",
    "birth_day",
    "source",
    "added_on",
    "description",
    "signature",  # 个性签名: goes into the description
    "tags",
    "picture_url",
    "last_order_on",
    "total_amount",
    "account",  # which of the seller's own WeChat accounts the friend is on
    "favourite",  # 置顶 / starred: yes-like values pin the contact
)


@dataclass(slots=True)
class ImportRecord:
    """One contact read from a file, cleaned and normalised.

    Empty text is ``""``; unknown dates, phones and amounts are ``None``.
    """

    row: int  # where it came from: spreadsheet row (header = 1), JSON entry, vCard line
    nickname: str = ""
    remark: str = ""
    wechat_id: str = ""  # the user-visible WeChat ID, else the wxid
    wxid: str = ""  # WeChat's internal id when the file has it (matching key)
    phone: str | None = None  # E.164, the first valid mobile of the row
    other_phones: list[str] = field(default_factory=list)  # further valid numbers (E.164)
    country: str = ""
    province: str = ""
    city: str = ""
    occupation: str = ""
    gender: str = ""  # "m", "f" or ""
    birthday: _Birthday | None = None  # kamtui.dates.Birthday
    source: str = ""
    added_on: date | None = None
    description: str = ""  # description, signature, notes, extra phones, e-mails, address
    tags: list[str] = field(default_factory=list)
    picture: bytes | None = None  # decoded image (vCard PHOTO)
    picture_ext: str = ""  # "jpg", "png", ... for ``picture``
    picture_url: str = ""  # a remote avatar URL (never fetched)
    last_order_on: date | None = None
    total_amount_fen: int | None = None
    account: str = ""  # the seller's own WeChat account named in the file
    favourite: bool = False  # starred in the source (Google "* starred")
    label_ids: list[str] = field(default_factory=list)  # WeChat label ids without names

    def display_name(self) -> str:
        return self.remark or self.nickname or self.wechat_id or (self.phone or "")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A problem with one row: ``rejected`` rows were not imported at all (a bad date or
    amount, no identity, a ragged row); otherwise the row was imported and ``field``
    (if any) was left empty or needs a look."""

    row: int
    field: str  # a MAPPABLE_FIELDS name, or "" for the whole row
    reason: str  # in the user's language
    rejected: bool = False


@dataclass(slots=True)
class ReadResult:
    """Everything read from one file."""

    path: Path
    format: str  # "csv", "xlsx", "json", "vcard"
    encoding: str | None  # text formats: "utf-8", "utf-8-sig", "gb18030", "utf-16"...
    layout: str  # layout name (see ``kamtui.importing.layouts.LAYOUTS``)
    mapping: Mapping | None  # None for vCard (no columns)
    records: list[ImportRecord]
    problems: list[RowProblem]
    skipped: Counter  # "chatroom", "official", "system", "empty" -> rows left out on purpose
    rows_read: int  # data rows (or cards, entries) seen, skipped and rejected included
    notices: list[str] = field(default_factory=list)  # file-level remarks for the user

    @property
    def rejected(self) -> int:
        """How many rows were left out (a row may have several reasons)."""
        return len({p.row for p in self.problems if p.rejected})


class ImportFileError(KamtuiError):
    """The whole file cannot be read. The message names the file (and row when relevant)."""

    def __init__(self, key: str, path: Path | str, *, row: int | None = None, **values):
        self.key = key
        self.path = Path(path)
        self.row = row
        message = t(key, file=self.path.name, row=row, **values)
        super().__init__(message)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection for the length of a bulk step.

    Reading, planning and writing 100,000 records keep millions of small objects
    alive; every few thousand allocations the collector would walk all of them
    (a full pass takes tens of milliseconds and they add up to seconds). These steps
    make no reference cycles worth collecting, so collection waits until the end.

    At the end the objects made meanwhile are handed to the oldest generation
    (``gc.freeze()`` then ``gc.unfreeze()``), so that the first young collection
    after the step does not walk all of them (~0.14 s after reading or planning
    100,000 rows); the next full collection still looks at them. Only when nothing
    is frozen: ``unfreeze`` would also thaw what the app froze on purpose.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
