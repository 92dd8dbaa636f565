"""Releases enforced by the database: a new design revision suspends the releases of the
design's other revisions, and a release rests on its design's G4 go decision.

- AFTER INSERT on ``designs``: every release of another revision of the same design name that
  is 'released' becomes 'suspended' with the reason "new revision <rev> of design <name>" and
  ``suspended_at`` now, and the open mass orders of those revisions are held ("release
  suspended: <reason>"), so their units take no next operation. A raw SQL INSERT of a revision
  row is caught as well as the services' path (heatproof.records.releases.design_revision,
  which does the same first, so the trigger finds nothing left to do there). A release that
  was suspended already keeps its first reason; pilot orders need no release and run on.
- BEFORE INSERT on ``releases`` (and an UPDATE of its design, decision or status that leaves it
  'released'): refused unless ``gate_decisions`` holds the row it names, a G4 decision of the
  same design with outcome 'go'. Suspending a release is never refused.
- At upgrade, a release still 'released' while a later revision (a higher id) of its design
  exists, made before these triggers, is suspended the same way ("new revision <latest> of
  design <name>") and its open mass orders held.
Not done here: the G4 file's signatures (``heatproof verify`` checks them, the services read
them); an UPDATE or DELETE of the G4 decision a release rests on (the foreign key keeps the row;
``verify`` flags a changed outcome); re-opening held orders (a person does it, once re-released).
The mass-order trigger of 0003 stands behind both: no open mass order of a revision without a
'released' release.

SQLite triggers run per row (writers are serialised) and raise a literal message (see 0003);
PostgreSQL's plpgsql functions suspend the releases first, taking their row locks (a mass order
being created holds the release FOR SHARE: one waits for the other), then hold the orders in a
statement of its own, which sees an order committed meanwhile.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_G4 = (
    "a release needs a G4 go decision of its design (gate_decisions); release with `heatproof "
    "gate release DESIGN REV --role quality` and `--role manager`"
)
WHY = "'new revision ' || NEW.revision || ' of design ' || NEW.name"
OTHERS = "SELECT id FROM designs WHERE name = NEW.name AND id <> NEW.id"
G4_GO = (
    "SELECT 1 FROM gate_decisions WHERE id = NEW.gate_decision_id AND design_id = NEW.design_id "
    "AND gate = 'G4' AND outcome = 'go'"
)
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"  # SQLAlchemy's format: 6 digits of s

SQLITE_TRIGGERS = {
    "trg_designs_new_revision_suspends": f"""
CREATE TRIGGER trg_designs_new_revision_suspends AFTER INSERT ON designs FOR EACH ROW BEGIN
  UPDATE production_orders
    SET status = 'held', hold_reason = substr('release suspended: ' || {WHY}, 1, 1000)
    WHERE kind = 'mass' AND status = 'open' AND design_id IN (
      SELECT design_id FROM releases WHERE status = 'released' AND design_id IN ({OTHERS}));
  UPDATE releases
    SET status = 'suspended', reason = substr({WHY}, 1, 2000), suspended_at = {SQLITE_NOW}
    WHERE status = 'released' AND design_id IN ({OTHERS});
END""",
    "trg_releases_need_g4_insert": (
        "CREATE TRIGGER trg_releases_need_g4_insert BEFORE INSERT ON releases FOR EACH ROW "
        f"WHEN NOT EXISTS ({G4_GO}) BEGIN SELECT RAISE(ABORT, '{NO_G4}'); END"
    ),
    "trg_releases_need_g4_update": (
        "CREATE TRIGGER trg_releases_need_g4_update BEFORE UPDATE OF design_id, "
        "gate_decision_id, status ON releases FOR EACH ROW "
        f"WHEN NEW.status = 'released' AND NOT EXISTS ({G4_GO}) "
        f"BEGIN SELECT RAISE(ABORT, '{NO_G4}'); END"
    ),
}

PG_FUNCTIONS = {  # function -> its source and its triggers (name, when)
    "heatproof_new_revision_suspends": (
        f"""
CREATE FUNCTION heatproof_new_revision_suspends() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  why text := left({WHY}, 2000);
  suspended integer[];
BEGIN
  WITH done AS (
    UPDATE releases SET status = 'suspended', reason = why, suspended_at = now()
      WHERE status = 'released' AND design_id IN ({OTHERS})
      RETURNING design_id
  ) SELECT array_agg(design_id) INTO suspended FROM done;
  IF suspended IS NOT NULL THEN
    UPDATE production_orders
      SET status = 'held', hold_reason = left('release suspended: ' || why, 1000)
      WHERE kind = 'mass' AND status = 'open' AND design_id = ANY (suspended);
  END IF;
  RETURN NULL;
END $$""",
        (("trg_designs_new_revision_suspends", "AFTER INSERT ON designs FOR EACH ROW"),),
    ),
    "heatproof_release_needs_g4": (
        f"""
CREATE FUNCTION heatproof_release_needs_g4() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status = 'released' THEN
    PERFORM 1 FROM ({G4_GO}) AS g4;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'design %: {NO_G4}', NEW.design_id;
    END IF;
  END IF;
  RETURN NEW;
END $$""",
        (
            (
                "trg_releases_need_g4",
                "BEFORE INSERT OR UPDATE OF design_id, gate_decision_id, status ON releases "
                "FOR EACH ROW",
            ),
        ),
    ),
}


LATER = (  # the latest revision after design {of} of its name, as the reason names it
    "(SELECT 'new revision ' || later.revision || ' of design ' || later.name "
    "FROM designs AS d, designs AS later WHERE d.id = {of} AND later.name = d.name "
    "AND later.id > d.id ORDER BY later.id DESC LIMIT 1)"
)


def _suspend_revised(now: str) -> None:
    """Suspend the releases that a later revision made before these triggers left released, at
    ``now`` (an SQL expression), and hold their open mass orders (orders first: they are found by
    their release's status)."""
    released = "SELECT design_id FROM releases WHERE status = 'released'"
    of_order = LATER.format(of="production_orders.design_id")
    op.execute(
        f"UPDATE production_orders SET status = 'held', hold_reason = 'release suspended: ' || "
        f"{of_order} WHERE kind = 'mass' AND status = 'open' AND design_id IN ({released}) "
        f"AND {of_order} IS NOT NULL"
    )
    of_release = LATER.format(of="releases.design_id")
    op.execute(
        f"UPDATE releases SET status = 'suspended', reason = {of_release}, "
        f"suspended_at = {now} WHERE status = 'released' AND {of_release} IS NOT NULL"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _suspend_revised(SQLITE_NOW if sqlite else "now()")
    if sqlite:
        for source in SQLITE_TRIGGERS.values():
            op.execute(source)
        return
    for function, (source, triggers) in PG_FUNCTIONS.items():
        op.execute(source)
        for name, when in triggers:
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for function in PG_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")  # its triggers with it
