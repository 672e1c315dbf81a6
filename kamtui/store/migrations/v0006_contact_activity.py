"""Schema version 6: each contact's activity counts, kept by triggers (for the clean-up).

``contact_activity`` holds, for every contact with a purchase or an interaction,
how many purchases it has (any amount), how many of a positive amount (a buyer)
and how many interactions. The clean-up's rules (:mod:`kamtui.cleanup`: "never
bought", "no interaction of any kind", who stays in a duplicate group) read these
counts instead of looking both tables up for every contact at every review.

Triggers on ``purchase`` and ``interaction`` keep the counts right whichever
code path writes (the services, imports' bulk inserts, merges moving rows from
one contact to another, undo replaying before-images, purges): a row appears
with a contact's first purchase or interaction and goes with its last. The
table is derived data: the undo machinery does not record it
(``kamtui.store.undo.NOT_RECORDED``), replaying the purchases and interactions
fixes it through the same triggers. The upgrade fills it from the book's rows.

Frozen SQL: never edit a released step.
"""

STATEMENTS = [
    """
    CREATE TABLE contact_activity (
        contact_id INTEGER NOT NULL PRIMARY KEY,
        purchases INTEGER NOT NULL DEFAULT 0,
        paid INTEGER NOT NULL DEFAULT 0,
        interactions INTEGER NOT NULL DEFAULT 0
    )""",
    """
    CREATE TRIGGER activity_purchase_insert AFTER INSERT ON purchase
    BEGIN
        INSERT INTO contact_activity (contact_id, purchases, paid)
        VALUES (NEW.contact_id, 1, NEW.amount_fen > 0)
        ON CONFLICT (contact_id) DO UPDATE
        SET purchases = purchases + 1, paid = paid + (NEW.amount_fen > 0);
    END""",
    """
    CREATE TRIGGER activity_purchase_delete AFTER DELETE ON purchase
    BEGIN
        UPDATE contact_activity
        SET purchases = purchases - 1, paid = paid - (OLD.amount_fen > 0)
        WHERE contact_id = OLD.contact_id;
        DELETE FROM contact_activity
        WHERE contact_id = OLD.contact_id AND purchases <= 0 AND interactions <= 0;
    END""",
    """
    CREATE TRIGGER activity_purchase_update AFTER UPDATE OF contact_id, amount_fen ON purchase
    BEGIN
        UPDATE contact_activity
        SET purchases = purchases - 1, paid = paid - (OLD.amount_fen > 0)
        WHERE contact_id = OLD.contact_id;
        INSERT INTO contact_activity (contact_id, purchases, paid)
        VALUES (NEW.contact_id, 1, NEW.amount_fen > 0)
        ON CONFLICT (contact_id) DO UPDATE
        SET purchases = purchases + 1, paid = paid + (NEW.amount_fen > 0);
        DELETE FROM contact_activity
        WHERE contact_id = OLD.contact_id AND purchases <= 0 AND interactions <= 0;
    END""",
    """
    CREATE TRIGGER activity_interaction_insert AFTER INSERT ON interaction
    BEGIN
        INSERT INTO contact_activity (contact_id, interactions) VALUES (NEW.contact_id, 1)
        ON CONFLICT (contact_id) DO UPDATE SET interactions = interactions + 1;
    END""",
    """
    CREATE TRIGGER activity_interaction_delete AFTER DELETE ON interaction
    BEGIN
        UPDATE contact_activity SET interactions = interactions - 1
        WHERE contact_id = OLD.contact_id;
        DELETE FROM contact_activity
        WHERE contact_id = OLD.contact_id AND purchases <= 0 AND interactions <= 0;
    END""",
    """
    CREATE TRIGGER activity_interaction_update AFTER UPDATE OF contact_id ON interaction
    WHEN NEW.contact_id IS NOT OLD.contact_id
    BEGIN
        UPDATE contact_activity SET interactions = interactions - 1
        WHERE contact_id = OLD.contact_id;
        INSERT INTO contact_activity (contact_id, interactions) VALUES (NEW.contact_id, 1)
        ON CONFLICT (contact_id) DO UPDATE SET interactions = interactions + 1;
        DELETE FROM contact_activity
        WHERE contact_id = OLD.contact_id AND purchases <= 0 AND interactions <= 0;
    END""",
    # The book's rows so far.
    """
    INSERT INTO contact_activity (contact_id, purchases, paid, interactions)
    SELECT contact_id, sum(purchases), sum(paid), sum(interactions) FROM (
        SELECT contact_id, count(*) AS purchases, sum(amount_fen > 0) AS paid,
               0 AS interactions
        FROM purchase GROUP BY contact_id
        UNION ALL
        SELECT contact_id, 0, 0, count(*) FROM interaction GROUP BY contact_id
    ) GROUP BY contact_id""",
]


def upgrade(conn):
    for sql in STATEMENTS:
        conn.execute(sql)
