"""Schema version 7: the clean-up's identity analysis, saved for the next process.

The clean-up (:mod:`kamtui.cleanup`) reads every contact's name, WeChat ID and
phone, makes sound keys and finds who duplicates whom: most of a first review's
time. ``cleanup_identity`` keeps that work (one row) so that a review in a new
process can load it instead, when the book's contacts are exactly as they were
(``key``: the contacts' state, the duplicate score and the analysis' code version).

Plain columns, never pickled: ``ids`` and the match positions are machine-order
``array('q')``/``array('i')`` bytes, ``names``, ``wechat`` and the matched values
UTF-8 text joined by U+001E, ``friends`` JSON, and a checksum of them all. A row
that does not line up (or whose key or checksum differs) is ignored, never trusted.
Derived data: the undo machinery does not record it
(``kamtui.store.undo.NOT_RECORDED``), and it goes whenever a contact row is
deleted (a purge, erasing a person): it holds names.

Frozen SQL: never edit a released step.
"""

STATEMENTS = [
    """
    CREATE TABLE cleanup_identity (
        id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
        key TEXT NOT NULL,
        contacts INTEGER NOT NULL,
        ids BLOB NOT NULL,
        names BLOB NOT NULL,
        wechat BLOB NOT NULL,
        friends TEXT NOT NULL,
        matches INTEGER NOT NULL,
        match_at BLOB NOT NULL,
        match_other BLOB NOT NULL,
        match_how BLOB NOT NULL,
        match_value BLOB NOT NULL,
        checksum TEXT NOT NULL
    )""",
    """
    CREATE TRIGGER cleanup_identity_contact_delete AFTER DELETE ON contact
    BEGIN
        DELETE FROM cleanup_identity;
    END""",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
