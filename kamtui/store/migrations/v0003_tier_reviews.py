"""Schema version 3: tier reviews (客户分析), snapshots of every contact's class.

The documents ask sellers to re-analyse their customers regularly (003): a
review keeps, for every contact that was not archived, the lifecycle stage,
value tier and churn status on the day it was taken, so that
``kamtui.classify.movements`` can say who moved since, and why.

It also adds the indexes that let the whole book be classified in a fraction
of a second at 100,000 contacts: a covering index over the purchase columns
classification reads (one pass over it, no table lookups), and narrow
indexes for the contacts rated high potential, those flagged with intent and
the open need snippets (instead of scans of the wide tables).

Entries disappear with their contact (a purge erases everything about a
person) and with their review. Frozen SQL: never edit a released step.
"""

NOW = "(strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))"

STATEMENTS = [
    f"""
    CREATE TABLE tier_review (
        id INTEGER NOT NULL PRIMARY KEY,
        taken_on DATE NOT NULL,
        taken_at TEXT NOT NULL DEFAULT {NOW},
        note TEXT NOT NULL DEFAULT '',
        basis TEXT NOT NULL DEFAULT 'revenue',
        line_fen INTEGER,
        buyers INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX ix_tier_review_taken ON tier_review (taken_on)",
    """
    CREATE TABLE tier_review_entry (
        review_id INTEGER NOT NULL REFERENCES tier_review (id) ON DELETE CASCADE,
        contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
        stage TEXT NOT NULL,
        tier TEXT,
        churn TEXT,
        value_fen INTEGER,
        potential INTEGER NOT NULL DEFAULT 3,
        purchase_days INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (review_id, contact_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX ix_tier_review_entry_contact ON tier_review_entry (contact_id)",
    "CREATE INDEX ix_purchase_value ON purchase (contact_id, bought_on, amount_fen, cost_fen)",
    "CREATE INDEX ix_contact_potential ON contact (potential)",
    "CREATE INDEX ix_contact_intent ON contact (intent)",
    "CREATE INDEX ix_snippet_kind ON snippet (kind, closed, contact_id)",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
