"""Schema version 1: the first kamtui book.

Frozen SQL: never edit a released step; add a new one instead. DEFAULT
clauses let bulk inserts (demo, import) skip columns; they match the
SQLModel defaults in ``kamtui/store/models.py``. The undo triggers are not
part of a step: the migration runner regenerates them from the live schema
after every run (``kamtui.store.undo.install_undo_triggers``).
"""

NOW = "(strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))"

STATEMENTS = [
    f"""
    CREATE TABLE account (
        id INTEGER NOT NULL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        wechat_id TEXT NOT NULL DEFAULT '',
        friend_cap INTEGER NOT NULL DEFAULT 5000,
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    f"""
    CREATE TABLE contact (
        id INTEGER NOT NULL PRIMARY KEY,
        account_id INTEGER REFERENCES account (id),
        nickname TEXT NOT NULL DEFAULT '',
        remark TEXT NOT NULL DEFAULT '',
        wechat_id TEXT,
        phone TEXT,
        country TEXT NOT NULL DEFAULT '',
        province TEXT NOT NULL DEFAULT '',
        city TEXT NOT NULL DEFAULT '',
        occupation TEXT NOT NULL DEFAULT '',
        gender TEXT NOT NULL DEFAULT '',
        birth_year INTEGER,
        birth_month INTEGER,
        birth_day INTEGER,
        birth_lunar BOOLEAN NOT NULL DEFAULT 0,
        birth_leap BOOLEAN NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT '',
        added_on DATE NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        picture_path TEXT,
        favourite BOOLEAN NOT NULL DEFAULT 0,
        intent BOOLEAN NOT NULL DEFAULT 0,
        potential INTEGER NOT NULL DEFAULT 3 CHECK (potential BETWEEN 1 AND 5),
        is_ad BOOLEAN NOT NULL DEFAULT 0,
        blocked_me BOOLEAN NOT NULL DEFAULT 0,
        last_moment_on DATE,
        archived BOOLEAN NOT NULL DEFAULT 0,
        archived_at TEXT,
        search_key TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {NOW},
        updated_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_contact_account ON contact (account_id, archived)",
    "CREATE INDEX ix_contact_archived ON contact (archived)",
    "CREATE INDEX ix_contact_wechat_id ON contact (wechat_id)",
    "CREATE INDEX ix_contact_phone ON contact (phone)",
    "CREATE INDEX ix_contact_birthday ON contact (birth_month, birth_day)",
    f"""
    CREATE TABLE tag (
        id INTEGER NOT NULL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    """
    CREATE TABLE contact_tag (
        contact_id INTEGER NOT NULL REFERENCES contact (id),
        tag_id INTEGER NOT NULL REFERENCES tag (id),
        PRIMARY KEY (contact_id, tag_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX ix_contact_tag_tag ON contact_tag (tag_id)",
    f"""
    CREATE TABLE snippet (
        id INTEGER NOT NULL PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id),
        kind TEXT NOT NULL,
        saved_on DATE NOT NULL,
        text TEXT NOT NULL,
        closed BOOLEAN NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_snippet_contact ON snippet (contact_id, saved_on)",
    f"""
    CREATE TABLE interaction (
        id INTEGER NOT NULL PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id),
        kind TEXT NOT NULL,
        occurred_on DATE NOT NULL,
        summary TEXT NOT NULL DEFAULT '',
        is_open BOOLEAN NOT NULL DEFAULT 0,
        resolved_on DATE,
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_interaction_contact ON interaction (contact_id, occurred_on)",
    f"""
    CREATE TABLE product (
        id INTEGER NOT NULL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        cycle_days INTEGER,
        price_fen INTEGER,
        cost_fen INTEGER,
        archived BOOLEAN NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    f"""
    CREATE TABLE purchase (
        id INTEGER NOT NULL PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id),
        product_id INTEGER REFERENCES product (id),
        item TEXT NOT NULL,
        quantity INTEGER NOT NULL DEFAULT 1,
        amount_fen INTEGER NOT NULL,
        cost_fen INTEGER,
        bought_on DATE NOT NULL,
        credit BOOLEAN NOT NULL DEFAULT 0,
        due_on DATE,
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_purchase_contact ON purchase (contact_id, bought_on)",
    "CREATE INDEX ix_purchase_due ON purchase (credit, due_on)",
    "CREATE INDEX ix_purchase_bought ON purchase (bought_on)",
    f"""
    CREATE TABLE payment (
        id INTEGER NOT NULL PRIMARY KEY,
        purchase_id INTEGER NOT NULL REFERENCES purchase (id),
        contact_id INTEGER NOT NULL REFERENCES contact (id),
        paid_on DATE NOT NULL,
        amount_fen INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_payment_purchase ON payment (purchase_id)",
    "CREATE INDEX ix_payment_contact ON payment (contact_id)",
    f"""
    CREATE TABLE referral (
        id INTEGER NOT NULL PRIMARY KEY,
        referrer_id INTEGER NOT NULL REFERENCES contact (id),
        referred_id INTEGER NOT NULL UNIQUE REFERENCES contact (id),
        referred_on DATE NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_referral_referrer ON referral (referrer_id)",
    f"""
    CREATE TABLE reminder (
        id INTEGER NOT NULL PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id),
        kind TEXT NOT NULL,
        due_on DATE NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        rrule TEXT,
        status TEXT NOT NULL DEFAULT 'open',
        snoozed_until DATE,
        auto_key TEXT UNIQUE,
        data TEXT,
        done_at TEXT,
        created_at TEXT NOT NULL DEFAULT {NOW},
        updated_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_reminder_due ON reminder (status, due_on)",
    "CREATE INDEX ix_reminder_contact ON reminder (contact_id, status)",
    f"""
    CREATE TABLE satisfaction (
        id INTEGER NOT NULL PRIMARY KEY,
        contact_id INTEGER NOT NULL REFERENCES contact (id),
        rated_on DATE NOT NULL,
        level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_satisfaction_contact ON satisfaction (contact_id, rated_on)",
    """
    CREATE TABLE setting (
        "key" TEXT NOT NULL PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    f"""
    CREATE TABLE undo_action (
        id INTEGER NOT NULL PRIMARY KEY,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT {NOW},
        undone_at TEXT
    )""",
    """
    CREATE TABLE undo_row (
        id INTEGER NOT NULL PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES undo_action (id),
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        op TEXT NOT NULL,
        old TEXT
    )""",
    "CREATE INDEX ix_undo_row_action ON undo_row (action_id)",
    """
    CREATE TABLE undo_control (
        id INTEGER NOT NULL PRIMARY KEY,
        action_id INTEGER
    )""",
    "INSERT INTO undo_control (id, action_id) VALUES (1, NULL)",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
