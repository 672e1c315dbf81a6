"""Schema version 8: the contacts the clean-up's identity analysis must look at again.

The clean-up (:mod:`kamtui.cleanup`) finds duplicates from every contact's name,
WeChat ID, phone and what tells look-alike names apart. Schema v7 saved that
analysis for the next process, but any change to any contact made it stale, so
the first review after a day's edits read and matched all 100,000 contacts again.
This step lets a review bring the analysis up to date with only what changed:

* ``cleanup_change``: one row per write that touches what the analysis reads of a
  contact (its account, remark, nickname, WeChat ID, phone, archived, gender,
  city, birthday), per erased contact, and per contact inserted below the
  highest id (an undone erase puts its row back). Contacts added on top (every
  new contact, every import) are found by id instead, above the highest id the
  analysis saw: no row is noted for them. ``seq`` only grows: rows are pruned
  by :mod:`kamtui.cleanup`, which always keeps the newest, so a reader can tell
  whether rows it needs were pruned (the rows after its own ``seq`` must all
  be there).
* ``cleanup_identity`` gains the sorted sound keys (``sounds``, ``sound_at``:
  the positions, in the same order) and the backwards forms of the longer ones
  (``back``), which the update looks names up in. The rows saved by v7 (another
  format) are dropped.

Derived data: neither table is recorded for undo (``kamtui.store.undo.NOT_RECORDED``).
Frozen SQL: never edit a released step.
"""

_CHANGED = "INSERT INTO cleanup_change (contact_id) VALUES"

STATEMENTS = [
    """
    CREATE TABLE cleanup_change (
        seq INTEGER NOT NULL PRIMARY KEY,
        contact_id INTEGER NOT NULL
    )""",
    """
    CREATE TRIGGER cleanup_contact_update
    AFTER UPDATE OF id, account_id, remark, nickname, wechat_id, phone, archived,
                    gender, city, birth_month, birth_day ON contact
    BEGIN INSERT INTO cleanup_change (contact_id) SELECT OLD.id UNION SELECT NEW.id; END""",
    f"""
    CREATE TRIGGER cleanup_contact_delete AFTER DELETE ON contact
    BEGIN {_CHANGED} (OLD.id); END""",
    # A new contact on top is found by its id (above the analysis' highest); one
    # put back below it is noted.
    f"""
    CREATE TRIGGER cleanup_contact_insert AFTER INSERT ON contact
    WHEN NEW.id < (SELECT max(id) FROM contact)
    BEGIN {_CHANGED} (NEW.id); END""",
    "DELETE FROM cleanup_identity",
    "ALTER TABLE cleanup_identity ADD COLUMN sounds BLOB NOT NULL DEFAULT x''",
    "ALTER TABLE cleanup_identity ADD COLUMN sound_at BLOB NOT NULL DEFAULT x''",
    "ALTER TABLE cleanup_identity ADD COLUMN back BLOB NOT NULL DEFAULT x''",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
