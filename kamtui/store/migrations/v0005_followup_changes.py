"""Schema version 5: what the morning's follow-up refresh needs to know has changed.

The Today refresh (:func:`kamtui.followup.refresh`) used to re-read the whole
book every morning: every buyer's purchase days for the dormant rule, and the
facts behind every open automatic reminder for the stale check. This step lets
it read only what changed since its last run:

* ``followup_change``: one row per write that touches a contact's follow-up
  facts (their sales, payments, conversations, needs, referrals, profile, or a
  reminder moved to them). Triggers fill it, so every way of writing is
  covered: the app, imports, merges, undo, another process. The refresh deletes
  the rows it has taken into account.
* ``buyer_fact``: each buyer's purchase days as the classification counts them
  (number of days, first, last, twice the median gap; NULL for one day, where
  the setting's default interval applies), kept by the refresh for the buyers
  that changed.

Neither table is recorded for undo (``kamtui.store.undo.NOT_RECORDED``).
Frozen SQL: never edit a released step.
"""

_CHANGED = "INSERT INTO followup_change (contact_id) VALUES"

STATEMENTS = [
    """
    CREATE TABLE followup_change (
        seq INTEGER NOT NULL PRIMARY KEY,
        contact_id INTEGER NOT NULL
    )""",
    """
    CREATE TABLE buyer_fact (
        contact_id INTEGER NOT NULL PRIMARY KEY REFERENCES contact (id) ON DELETE CASCADE,
        days INTEGER NOT NULL,
        first_day INTEGER NOT NULL,
        last_day INTEGER NOT NULL,
        gap2 INTEGER
    )""",
    # The birthdays' "in N days" reminders still open: the stale check looks at
    # those due by today every morning, whatever changed.
    """
    CREATE INDEX ix_reminder_birthday_soon ON reminder (due_on)
    WHERE kind = 'birthday_soon' AND status = 'open'""",
    # The repurchase rule: the sales of each product and quantity whose use cycle
    # ends in the window, without computing the end of every sale.
    """
    CREATE INDEX ix_purchase_cycle ON purchase (product_id, quantity, bought_on)
    WHERE amount_fen > 0""",
    # The dormant and prospect rules: who was last in touch on the days whose
    # silence ends in the window.
    "CREATE INDEX ix_interaction_day ON interaction (occurred_on, contact_id)",
]

# (table, the contact column(s) a change concerns, a WHEN for inserts and deletes)
_WATCHED = [
    ("purchase", ["contact_id"], None),
    ("payment", ["contact_id"], None),
    ("interaction", ["contact_id"], None),
    ("snippet", ["contact_id"], "{row}.kind = 'need'"),
    ("referral", ["referrer_id", "referred_id"], None),
]

for table, columns, when in _WATCHED:
    for event, rows in (("INSERT", ["NEW"]), ("DELETE", ["OLD"]), ("UPDATE", ["OLD", "NEW"])):
        cond = ""
        if when and event != "UPDATE":
            cond = "WHEN " + when.format(row=rows[0])
        elif when:
            cond = "WHEN " + " OR ".join(when.format(row=r) for r in rows)
        values = ", ".join(f"({r}.{c})" for r in rows for c in columns)
        STATEMENTS.append(
            f"""
            CREATE TRIGGER followup_{table}_{event.lower()} AFTER {event} ON {table} {cond}
            BEGIN {_CHANGED} {values}; END"""
        )

STATEMENTS += [
    # A new contact has no reminders yet and every rule reads it anyway: only
    # changes to what the rules read of a contact, and deletions, are noted.
    f"""
    CREATE TRIGGER followup_contact_update
    AFTER UPDATE OF archived, added_on, intent, birth_year, birth_month, birth_day,
                    birth_lunar, birth_leap ON contact
    BEGIN {_CHANGED} (NEW.id); END""",
    f"""
    CREATE TRIGGER followup_contact_delete AFTER DELETE ON contact
    BEGIN {_CHANGED} (OLD.id); END""",
    f"""
    CREATE TRIGGER followup_reminder_moved AFTER UPDATE OF contact_id ON reminder
    WHEN NEW.contact_id IS NOT OLD.contact_id
    BEGIN {_CHANGED} (OLD.contact_id), (NEW.contact_id); END""",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
