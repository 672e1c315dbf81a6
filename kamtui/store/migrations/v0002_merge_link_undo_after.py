"""Schema version 2.

* ``contact.merged_into_id``: a contact merged into another stays archived and
  points at the survivor, so erasing a person (``kamtui forget``) finds it too.
* ``undo_row.new``: the row after the change, so an undo can see that the row
  was edited again since and refuse instead of overwriting that work.
"""

STATEMENTS = [
    "ALTER TABLE contact ADD COLUMN merged_into_id INTEGER REFERENCES contact (id)",
    "CREATE INDEX ix_contact_merged_into ON contact (merged_into_id)",
    "ALTER TABLE undo_row ADD COLUMN new TEXT",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
