"""SQLModel tables: the schema of a kamtui book.

These classes are the one description of every table. The migration steps in
``kamtui/store/migrations`` hold the same schema as frozen SQL (a test checks
that the two agree), so that opening a book never needs this module: the fast
read paths use plain ``sqlite3`` and import SQLModel only when an ORM write
happens.

Conventions
- Money is integer fen (分), never float: ``amount_fen``, ``cost_fen``.
- Calendar days are ``date``; moments in time are timezone-aware ``datetime``
  stored as UTC ISO-8601 text (see :class:`AwareDateTime`).
- Nothing is hard-deleted except by an explicit purge: contacts are archived,
  reminders get a status.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class AwareDateTime(TypeDecorator):
    """A timezone-aware timestamp stored as UTC ISO-8601 text.

    Naive datetimes are refused: a timestamp without a zone is a bug.
    UTC text sorts in time order, so indexes on these columns work.
    """

    impl = sa.String
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        return value.astimezone(UTC).isoformat(timespec="microseconds")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return datetime.fromisoformat(value)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(nullable: bool = False, **kw):
    """A timestamp column; defaults to now (UTC) unless nullable."""
    if nullable:
        return Field(default=None, sa_type=AwareDateTime, nullable=True, **kw)
    return Field(default_factory=_utcnow, sa_type=AwareDateTime, nullable=False, **kw)


class Account(SQLModel, table=True):
    """One of the seller's own WeChat accounts (WeChat caps friends per account)."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    wechat_id: str = ""
    friend_cap: int = 5000
    note: str = ""
    created_at: datetime = _ts()


class Contact(SQLModel, table=True):
    """A friend, prospect or customer (客户档案)."""

    __tablename__ = "contact"
    __table_args__ = (
        sa.Index("ix_contact_account", "account_id", "archived"),
        sa.Index("ix_contact_archived", "archived"),
        sa.Index("ix_contact_wechat_id", "wechat_id"),
        sa.Index("ix_contact_phone", "phone"),
        sa.Index("ix_contact_birthday", "birth_month", "birth_day"),
        sa.Index("ix_contact_merged_into", "merged_into_id"),
        sa.Index("ix_contact_updated", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    account_id: int | None = Field(default=None, foreign_key="account.id")
    nickname: str = ""  # 昵称, the name the friend chose
    remark: str = ""  # 备注, the name the seller gave
    wechat_id: str | None = None
    phone: str | None = None  # E.164, e.g. +8613800138000
    country: str = ""
    province: str = ""
    city: str = ""
    occupation: str = ""
    gender: str = ""  # "m", "f" or "" (unknown)
    birth_year: int | None = None  # None when the year is not known
    birth_month: int | None = None
    birth_day: int | None = None
    birth_lunar: bool = False  # month/day are 农历 when true
    birth_leap: bool = False  # lunar leap month (闰月)
    source: str = ""  # where the friend came from (channel)
    added_on: date
    description: str = ""
    picture_path: str | None = None
    favourite: bool = False  # 置顶: sorts first everywhere
    intent: bool = False  # shows intent to buy
    potential: int = 3  # the seller's 1-5 rating of potential value
    is_ad: bool = False  # 广告号
    blocked_me: bool = False  # 拉黑 (the friend blocked the seller)
    last_moment_on: date | None = None  # last Moments (朋友圈) post seen
    archived: bool = False
    archived_at: datetime | None = _ts(nullable=True)
    search_key: str = ""  # derived: names, pinyin, initials, IDs, phone digits, tags
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    merged_into_id: int | None = Field(default=None, foreign_key="contact.id")  # when merged away


class Tag(SQLModel, table=True):
    __tablename__ = "tag"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    created_at: datetime = _ts()


class ContactTag(SQLModel, table=True):
    __tablename__ = "contact_tag"
    __table_args__ = (sa.Index("ix_contact_tag_tag", "tag_id"),)

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    tag_id: int = Field(foreign_key="tag.id", primary_key=True)


class Snippet(SQLModel, table=True):
    """A saved snippet (收藏): what a customer said about a hobby, job, need or worry."""

    __tablename__ = "snippet"
    __table_args__ = (sa.Index("ix_snippet_contact", "contact_id", "saved_on"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    kind: str  # hobby | job | need | worry
    saved_on: date
    text: str
    closed: bool = False  # a need that has been met no longer marks a prospect
    created_at: datetime = _ts()


class Interaction(SQLModel, table=True):
    """A touch: chat, call, Moments like/comment, meeting, gift, survey, complaint, visit."""

    __tablename__ = "interaction"
    __table_args__ = (sa.Index("ix_interaction_contact", "contact_id", "occurred_on"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    kind: str
    occurred_on: date
    summary: str = ""
    is_open: bool = False  # complaints stay open until resolved
    resolved_on: date | None = None
    created_at: datetime = _ts()


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    cycle_days: int | None = None  # use cycle in days; None = the default, 0 = no repurchase
    price_fen: int | None = None
    cost_fen: int | None = None
    archived: bool = False
    created_at: datetime = _ts()


class Purchase(SQLModel, table=True):
    """A sale. Returns are negative amounts. Credit sales (赊账) are owed until paid."""

    __tablename__ = "purchase"
    __table_args__ = (
        sa.Index("ix_purchase_contact", "contact_id", "bought_on"),
        sa.Index("ix_purchase_due", "credit", "due_on"),
        sa.Index("ix_purchase_bought", "bought_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    product_id: int | None = Field(default=None, foreign_key="product.id")
    item: str
    quantity: int = 1
    amount_fen: int  # total charged for the line
    cost_fen: int | None = None  # total cost, when known (margin)
    bought_on: date
    credit: bool = False  # sold on credit: owed until payments cover it
    due_on: date | None = None  # when owed money is due
    note: str = ""
    created_at: datetime = _ts()


class Payment(SQLModel, table=True):
    """Money received against a credit purchase."""

    __tablename__ = "payment"
    __table_args__ = (
        sa.Index("ix_payment_purchase", "purchase_id"),
        sa.Index("ix_payment_contact", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    purchase_id: int = Field(foreign_key="purchase.id")
    contact_id: int = Field(foreign_key="contact.id")
    paid_on: date
    amount_fen: int
    note: str = ""
    created_at: datetime = _ts()


class Referral(SQLModel, table=True):
    """Who introduced whom (转介绍). It counts when the person introduced buys."""

    __tablename__ = "referral"
    __table_args__ = (sa.Index("ix_referral_referrer", "referrer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    referrer_id: int = Field(foreign_key="contact.id")
    referred_id: int = Field(foreign_key="contact.id", sa_column_kwargs={"unique": True})
    referred_on: date
    note: str = ""
    created_at: datetime = _ts()


class Reminder(SQLModel, table=True):
    """A follow-up: manual (optionally repeating) or derived from the data (auto_key set)."""

    __tablename__ = "reminder"
    __table_args__ = (
        sa.Index("ix_reminder_due", "status", "due_on"),
        sa.Index("ix_reminder_contact", "contact_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    kind: str  # manual | aftersale | repurchase | birthday | prospect | dormant | owed | thanks
    due_on: date
    note: str = ""
    rrule: str | None = None  # repeat rule (RFC 5545 RRULE text) for manual reminders
    status: str = "open"  # open | done | dismissed | obsolete | deleted
    snoozed_until: date | None = None
    auto_key: str | None = Field(default=None, sa_column_kwargs={"unique": True})
    data: str | None = None  # JSON facts behind an automatic reminder (item, dates, amounts)
    done_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Satisfaction(SQLModel, table=True):
    """A five-level satisfaction rating: 5 highly satisfied ... 1 very dissatisfied."""

    __tablename__ = "satisfaction"
    __table_args__ = (sa.Index("ix_satisfaction_contact", "contact_id", "rated_on"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    rated_on: date
    level: int
    note: str = ""
    created_at: datetime = _ts()


class Setting(SQLModel, table=True):
    __tablename__ = "setting"

    key: str = Field(primary_key=True)
    value: str  # JSON


class UndoAction(SQLModel, table=True):
    """A destructive action that can be undone (archive, bulk change, merge, import)."""

    __tablename__ = "undo_action"

    id: int | None = Field(default=None, primary_key=True)
    label: str
    created_at: datetime = _ts()
    undone_at: datetime | None = _ts(nullable=True)


class UndoRow(SQLModel, table=True):
    """The before-image of one row changed by an undoable action (filled by triggers)."""

    __tablename__ = "undo_row"
    __table_args__ = (sa.Index("ix_undo_row_action", "action_id"),)

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="undo_action.id")
    tbl: str
    row_key: str  # JSON object of the primary key columns
    op: str  # insert | update | delete
    old: str | None = None  # JSON object of the row before the change
    new: str | None = None  # JSON object of the row after the change (insert, update)


class UndoControl(SQLModel, table=True):
    """One row; ``action_id`` is set while an undoable action is being recorded."""

    __tablename__ = "undo_control"

    id: int = Field(default=1, primary_key=True)
    action_id: int | None = None


class TierReview(SQLModel, table=True):
    """A saved customer analysis (客户分析): the classification of the book on one day."""

    __tablename__ = "tier_review"
    __table_args__ = (sa.Index("ix_tier_review_taken", "taken_on"),)

    id: int | None = Field(default=None, primary_key=True)
    taken_on: date  # the day the classification was computed for
    taken_at: datetime = _ts()
    note: str = ""
    basis: str = "revenue"  # current value measured by revenue or gross profit
    line_fen: int | None = None  # high current value from this value on (None: nobody high)
    buyers: int = 0


class TierReviewEntry(SQLModel, table=True):
    """One contact's stage, tier and churn status in a review."""

    __tablename__ = "tier_review_entry"
    __table_args__ = (sa.Index("ix_tier_review_entry_contact", "contact_id"),)

    review_id: int = Field(foreign_key="tier_review.id", primary_key=True, ondelete="CASCADE")
    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    stage: str  # referrer | repeat | buyer | prospect | friend
    tier: str | None = None  # platinum | gold | iron | lead (buyers only)
    churn: str | None = None  # active | at_risk | lost (buyers only)
    value_fen: int | None = None  # current value (buyers only)
    potential: int = 3
    purchase_days: int = 0


# Indexes for classification (migration v0003), on tables declared above: a covering
# index for the per-contact purchase pass, and narrow ones for the high-potential,
# intent and open-need look-ups. Declared here so models and migrations agree.
sa.Index(
    "ix_purchase_value",
    Purchase.__table__.c.contact_id,
    Purchase.__table__.c.bought_on,
    Purchase.__table__.c.amount_fen,
    Purchase.__table__.c.cost_fen,
)
sa.Index("ix_contact_potential", Contact.__table__.c.potential)
sa.Index("ix_contact_intent", Contact.__table__.c.intent)
sa.Index(
    "ix_snippet_kind",
    Snippet.__table__.c.kind,
    Snippet.__table__.c.closed,
    Snippet.__table__.c.contact_id,
)


class ContactActivity(SQLModel, table=True):
    """How many purchases and interactions a contact has (migration v0006).

    Derived data, kept by triggers on ``purchase`` and ``interaction``: a row exists
    while the contact has one of either. Never written by the application.
    """

    __tablename__ = "contact_activity"

    contact_id: int = Field(primary_key=True)
    purchases: int = 0  # of any amount
    paid: int = 0  # of a positive amount (a buyer)
    interactions: int = 0


class CleanupDecision(SQLModel, table=True):
    """The seller's clean-up decision about a contact: keep it, or delete it in WeChat."""

    __tablename__ = "cleanup_decision"
    __table_args__ = (sa.Index("ix_cleanup_decision", "decision"),)

    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    decision: str  # keep | delete
    note: str = ""  # the seller's reason for keeping
    fingerprint: str = ""  # of the data the rules read when it was kept
    decided_at: datetime = _ts()


class FollowupChange(SQLModel, table=True):
    """A write touching a contact's follow-up facts, noted by triggers (migration v0005)
    until the Today refresh has taken it into account."""

    __tablename__ = "followup_change"

    seq: int | None = Field(default=None, primary_key=True)
    contact_id: int


class BuyerFact(SQLModel, table=True):
    """A buyer's purchase days as the classification counts them, kept by the Today
    refresh for its dormant rule (days are ordinals)."""

    __tablename__ = "buyer_fact"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True, ondelete="CASCADE")
    days: int
    first_day: int
    last_day: int
    gap2: int | None = None  # twice the median gap; None for one purchase day


class CleanupIdentity(SQLModel, table=True):
    """The clean-up's identity analysis saved for the next process (migration v0007):
    one row, plain arrays and joined text (see :mod:`kamtui.cleanup`), derived data."""

    __tablename__ = "cleanup_identity"

    id: int = Field(primary_key=True)  # always 1
    key: str  # JSON: code version, contacts' state, duplicate score
    contacts: int
    ids: bytes = Field(sa_type=sa.LargeBinary)  # array('q')
    names: bytes = Field(sa_type=sa.LargeBinary)  # UTF-8, joined by U+001E
    wechat: bytes = Field(sa_type=sa.LargeBinary)
    friends: str  # JSON [[account id, count], ...]
    matches: int
    match_at: bytes = Field(sa_type=sa.LargeBinary)  # array('i') positions
    match_other: bytes = Field(sa_type=sa.LargeBinary)
    match_how: bytes = Field(sa_type=sa.LargeBinary)  # one byte each: DUPLICATE_HOW index
    match_value: bytes = Field(sa_type=sa.LargeBinary)  # UTF-8, joined by U+001E
    checksum: str  # of every column (BLAKE2b)
    # migration v0008: the sound keys, sorted, for bringing the analysis up to date
    sounds: bytes = Field(sa_type=sa.LargeBinary)  # UTF-8, joined by U+001E
    sound_at: bytes = Field(sa_type=sa.LargeBinary)  # array('i') positions, same order
    back: bytes = Field(sa_type=sa.LargeBinary)  # the longer keys backwards, sorted


class CleanupChange(SQLModel, table=True):
    """A write touching what the clean-up's identity analysis reads of a contact,
    noted by triggers (migration v0008) until a saved analysis has taken it in."""

    __tablename__ = "cleanup_change"

    seq: int | None = Field(default=None, primary_key=True)
    contact_id: int
