"""Schema version 4: friend clean-up decisions (好友的筛选).

One row per contact the seller decided about in the clean-up queue:

* ``keep``: not suggested again while the data the rules read stays the same
  (``fingerprint``, computed by :func:`kamtui.cleanup.Candidate.fingerprint`),
  with the seller's optional reason in ``note``;
* ``delete``: to delete in WeChat (kamtui cannot): the list the seller works
  through on the phone, archived once they confirm.

Rows go with their contact (a purge erases everything about a person). The
step also indexes ``contact.updated_at`` (see :func:`kamtui.cleanup.review`).
It reads nothing the earlier steps 2 and 3 create (it only adds its own table and an
index on a column of step 1), so the order of the three at a merge does not matter.
Frozen SQL: never edit a released step.
"""

NOW = "(strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))"

STATEMENTS = [
    f"""
    CREATE TABLE cleanup_decision (
        contact_id INTEGER NOT NULL PRIMARY KEY REFERENCES contact (id) ON DELETE CASCADE,
        decision TEXT NOT NULL CHECK (decision IN ('keep', 'delete')),
        note TEXT NOT NULL DEFAULT '',
        fingerprint TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL DEFAULT {NOW}
    )""",
    "CREATE INDEX ix_cleanup_decision ON cleanup_decision (decision)",
    # The clean-up remembers its duplicate analysis while no contact changed:
    # max(updated_at) tells it, through this index, at no cost.
    "CREATE INDEX ix_contact_updated ON contact (updated_at)",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
