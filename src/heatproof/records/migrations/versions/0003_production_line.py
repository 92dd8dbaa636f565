"""The production line: parts, bills of materials, routings, part lots, production orders,
unit operations, lot consumption (genealogy), end-of-line results and measurements,
non-conformances, gauge studies, pre-registrations, gate decisions, releases and field events;
designs gain ``gate_settings``, reactor units their ``order_id`` and ``status``.

Enforcement in the database itself, so that no path (a raw SQL INSERT included) bypasses it:
- a mass production order is refused (INSERT, or an UPDATE making an order mass, moving it to
  another design or re-opening it) unless ``releases`` holds a row for its design with status
  'released'; the message is one line naming ``heatproof gate status``;
- a lot keeps a running ``quantity_consumed`` (CHECK 0 <= it <= ``quantity_received``),
  kept by triggers after each INSERT, UPDATE and DELETE of its consumptions, so each check
  reads the lot's row instead of summing its history; a consumption that would take a lot
  beyond its quantity received (by more than EPSILON) is refused, and so is lowering a lot's
  quantity received below what its units consumed. The running sum is clamped to
  [0, quantity_received]: float rounding within EPSILON never trips the CHECK.
SQLite triggers raise with a literal message (SQLite before 3.47 takes no expression in RAISE,
so its message cannot name the design) and run per row (SQLite serialises writers: no lock).
PostgreSQL's plpgsql functions name it, lock the rows they rely on (the release FOR SHARE, the
lots FOR UPDATE in id order) so that a concurrent suspension or consumption waits, and raise
SQLSTATE P0001 (raise_exception); its lot triggers run per statement over its transition
tables (one UPDATE per lot per statement: per row, a bulk load in one transaction would stack
versions of the same lot row and slow down as the lot is used). Workspace.unit_of_work turns
either database's refusal into one line.

SQLite: columns are added in place (ALTER TABLE ADD COLUMN, with a server default for the NOT
NULL ones), never by copying a table (see 0002).

Revision ID: 0003
Revises: 0002
Create Date: 2025-07-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
UNIT_STATUSES = "'in_process', 'passed', 'failed', 'scrapped', 'deployed'"  # frozen here
NOT_RELEASED = (
    "mass production of {design} is not released (G4 closed or suspended); "
    "see `heatproof gate status`"
)
OVER_CONSUMED = (
    "{lot} would be consumed beyond its quantity received; receive another lot "
    "(see `heatproof line lots`)"
)
EPSILON = "1e-9"  # quantities are floats: a sum may exceed the received quantity by rounding


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def _table(name: str, *items, indexed: tuple[str, ...] = ()) -> None:
    """Create table ``name`` with its primary key ``id`` and index each column in ``indexed``."""
    op.create_table(name, _id(), *items, sa.PrimaryKeyConstraint("id", name=f"pk_{name}"))
    for column in indexed:
        op.create_index(f"ix_{name}_{column}", name, [column])


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=f"ck_{table}_{name}")


def _unique(table: str, *columns: str) -> sa.UniqueConstraint:
    return sa.UniqueConstraint(*columns, name=f"uq_{table}_{'_'.join(columns)}")


def _reference_tables() -> None:
    _table(
        "parts",
        sa.Column("number", sa.String(200), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        _unique("parts", "number"),
    )
    _table(
        "bom_items",
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("quantity_per_unit", sa.Float(), nullable=False),
        sa.Column("operation_seq", sa.Integer(), nullable=False),
        _fk("bom_items", "design_id", "designs"),
        _fk("bom_items", "part_id", "parts"),
        _unique("bom_items", "design_id", "part_id"),
        _check("bom_items", "quantity_positive", "quantity_per_unit > 0"),
        indexed=("design_id", "part_id"),
    )
    _table(
        "routing_operations",
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _fk("routing_operations", "design_id", "designs"),
        _unique("routing_operations", "design_id", "seq"),
        indexed=("design_id",),
    )
    _table(
        "part_lots",
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("quantity_received", sa.Float(), nullable=False),
        sa.Column("supplier", sa.String(200), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("quantity_consumed", sa.Float(), nullable=False, server_default=sa.text("0")),
        _fk("part_lots", "part_id", "parts"),
        _unique("part_lots", "code"),
        _check("part_lots", "quantity_positive", "quantity_received > 0"),
        _check(
            "part_lots",
            "consumed_within",
            "quantity_consumed >= 0 AND quantity_consumed <= quantity_received",
        ),
        indexed=("part_id",),
    )
    _table(
        "production_orders",
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("hold_reason", sa.String(1000), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        _fk("production_orders", "design_id", "designs"),
        _unique("production_orders", "code"),
        _check("production_orders", "kind", "kind IN ('pilot', 'mass')"),
        _check("production_orders", "status", "status IN ('open', 'held', 'closed')"),
        _check("production_orders", "quantity_positive", "quantity > 0"),
        indexed=("design_id",),
    )


def _unit_tables() -> None:
    _table(
        "unit_operations",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("operator", sa.String(200), nullable=False),
        sa.Column("done_at", TZ, nullable=False),
        _fk("unit_operations", "unit_id", "reactor_units"),
        _unique("unit_operations", "unit_id", "seq"),
        indexed=("unit_id",),
    )
    _table(
        "lot_consumptions",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("operation_seq", sa.Integer(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        _fk("lot_consumptions", "unit_id", "reactor_units"),
        _fk("lot_consumptions", "lot_id", "part_lots"),
        _check("lot_consumptions", "quantity_positive", "quantity > 0"),
        indexed=("unit_id", "lot_id"),
    )
    _table(
        "eol_results",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("tested_at", TZ, nullable=False),
        _fk("eol_results", "unit_id", "reactor_units"),
        _unique("eol_results", "unit_id", "attempt"),
        _check("eol_results", "outcome", "outcome IN ('PASS', 'FAIL', 'INVALID', 'ABORTED')"),
        indexed=("unit_id",),
    )
    _table(
        "eol_measurements",
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("characteristic", sa.String(200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        _fk("eol_measurements", "result_id", "eol_results"),
        indexed=("result_id", "characteristic"),
    )
    _table(
        "nonconformances",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("eol_result_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("disposition", sa.String(20), nullable=True),
        sa.Column("signed_by", sa.String(200), nullable=True),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        _fk("nonconformances", "unit_id", "reactor_units"),
        _fk("nonconformances", "eol_result_id", "eol_results"),
        _check(
            "nonconformances",
            "disposition",
            "disposition IS NULL OR disposition IN ('rework', 'scrap', 'use_as_is')",
        ),
        indexed=("unit_id",),
    )
    _table(
        "field_events",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("operating_h", sa.Float(), nullable=False),
        sa.Column("mode", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
        _fk("field_events", "unit_id", "reactor_units"),
        _check("field_events", "kind", "kind IN ('running', 'failure', 'repair', 'retired')"),
        _check("field_events", "hours_positive", "operating_h >= 0"),
        indexed=("unit_id",),
    )


def _gate_tables() -> None:
    _table(
        "gauge_studies",
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("station", sa.String(200), nullable=False),
        sa.Column("characteristic", sa.String(200), nullable=False),
        sa.Column("percent_grr", sa.Float(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _fk("gauge_studies", "design_id", "designs"),
        indexed=("design_id",),
    )
    _table(
        "preregistrations",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("config_sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("registered_at", TZ, nullable=False),
        _fk("preregistrations", "campaign_id", "campaigns"),
        _unique("preregistrations", "campaign_id"),
    )
    _table(
        "gate_decisions",
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("gate", sa.String(2), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("decided_at", TZ, nullable=False),
        _fk("gate_decisions", "design_id", "designs"),
        _check("gate_decisions", "gate", "gate IN ('G1', 'G2', 'G3', 'G4')"),
        _check("gate_decisions", "outcome", "outcome IN ('go', 'hold', 'recycle', 'kill')"),
        indexed=("design_id",),
    )
    _table(
        "releases",
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("gate_decision_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.Column("released_at", TZ, nullable=False),
        sa.Column("suspended_at", TZ, nullable=True),
        _fk("releases", "design_id", "designs"),
        _fk("releases", "gate_decision_id", "gate_decisions"),
        _unique("releases", "design_id"),
        _check("releases", "status", "status IN ('released', 'suspended')"),
    )


def _new_columns(sqlite: bool) -> None:
    """designs.gate_settings; reactor_units.order_id (-> production_orders) and status."""
    with op.batch_alter_table("designs", recreate="never") as batch:
        batch.add_column(
            sa.Column("gate_settings", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    status_check = f"status IN ({UNIT_STATUSES})"
    if sqlite:  # in place, constraints inline (SQLite adds no constraint to an existing table)
        op.execute(
            "ALTER TABLE reactor_units ADD COLUMN order_id INTEGER "
            "CONSTRAINT fk_reactor_units_order_id_production_orders "
            "REFERENCES production_orders (id)"
        )
        op.execute(
            "ALTER TABLE reactor_units ADD COLUMN status VARCHAR(20) DEFAULT 'in_process' "
            f"NOT NULL CONSTRAINT ck_reactor_units_status CHECK ({status_check})"
        )
    else:
        op.add_column("reactor_units", sa.Column("order_id", sa.Integer(), nullable=True))
        op.add_column(
            "reactor_units",
            sa.Column("status", sa.String(20), nullable=False, server_default="in_process"),
        )
        op.create_foreign_key(
            "fk_reactor_units_order_id_production_orders",
            "reactor_units",
            "production_orders",
            ["order_id"],
            ["id"],
        )
        op.create_check_constraint(op.f("ck_reactor_units_status"), "reactor_units", status_check)
    op.create_index("ix_reactor_units_order_id", "reactor_units", ["order_id"])


# --- triggers --------------------------------------------------------------------------------

_NO_RELEASE = (
    "NOT EXISTS (SELECT 1 FROM releases WHERE releases.design_id = NEW.design_id "
    "AND releases.status = 'released')"
)
_MADE_MASS = (
    "(OLD.kind <> 'mass' OR NEW.design_id <> OLD.design_id "
    "OR (NEW.status = 'open' AND OLD.status <> 'open'))"
)
_OVER = "quantity_consumed + NEW.quantity > quantity_received + " + EPSILON
_ADD = "quantity_consumed = {}(quantity_consumed + NEW.quantity, quantity_received)"
_TAKE_BACK = "quantity_consumed = {}(quantity_consumed - OLD.quantity, 0)"


def _raise(message: str) -> str:
    quoted = message.replace("'", "''")
    return f"RAISE(ABORT, '{quoted}')"


def _sqlite_trigger(name: str, event: str, when: str, message: str) -> tuple[str, str]:
    return name, (
        f"CREATE TRIGGER {name} BEFORE {event} FOR EACH ROW WHEN {when} "
        f"BEGIN SELECT {_raise(message)}; END"
    )


def _sqlite_consumption_trigger(
    name: str, event: str, take_back: bool, add: bool
) -> tuple[str, str]:
    """An AFTER trigger on lot_consumptions keeping part_lots.quantity_consumed: it gives the
    OLD quantity back to its lot (``take_back``), then refuses the NEW one beyond what is left
    of its lot and adds it (``add``)."""
    body = []
    if take_back:
        body.append(f"UPDATE part_lots SET {_TAKE_BACK.format('MAX')} WHERE id = OLD.lot_id;")
    if add:
        body.append(
            f"SELECT {_raise(OVER_CONSUMED.format(lot='the lot'))} FROM part_lots "
            f"WHERE id = NEW.lot_id AND {_OVER};"
        )
        body.append(f"UPDATE part_lots SET {_ADD.format('MIN')} WHERE id = NEW.lot_id;")
    return name, f"CREATE TRIGGER {name} AFTER {event} FOR EACH ROW BEGIN {' '.join(body)} END"


SQLITE_TRIGGERS = dict(  # name -> its CREATE TRIGGER
    [
        _sqlite_trigger(
            "trg_production_orders_mass_insert",
            "INSERT ON production_orders",
            f"NEW.kind = 'mass' AND {_NO_RELEASE}",
            NOT_RELEASED.format(design="this order's design"),
        ),
        _sqlite_trigger(
            "trg_production_orders_mass_update",
            "UPDATE OF kind, status, design_id ON production_orders",
            f"NEW.kind = 'mass' AND {_MADE_MASS} AND {_NO_RELEASE}",
            NOT_RELEASED.format(design="this order's design"),
        ),
        _sqlite_consumption_trigger(
            "trg_lot_consumptions_quantity_insert", "INSERT ON lot_consumptions", False, True
        ),
        _sqlite_consumption_trigger(
            "trg_lot_consumptions_quantity_update",
            "UPDATE OF quantity, lot_id ON lot_consumptions",
            True,
            True,
        ),
        _sqlite_consumption_trigger(
            "trg_lot_consumptions_quantity_delete", "DELETE ON lot_consumptions", True, False
        ),
        _sqlite_trigger(
            "trg_part_lots_quantity_update",
            "UPDATE OF quantity_received ON part_lots",
            "NEW.quantity_consumed > NEW.quantity_received",
            OVER_CONSUMED.format(lot="the lot"),
        ),
    ]
)

_PG_MASS = f"""
CREATE FUNCTION heatproof_mass_order_released() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.kind = 'mass' AND (TG_OP = 'INSERT' OR {_MADE_MASS}) THEN
    PERFORM 1 FROM releases WHERE design_id = NEW.design_id AND status = 'released' FOR SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION '{NOT_RELEASED.format(design="design %")}', NEW.design_id;
    END IF;
  END IF;
  RETURN NEW;
END $$"""


def _pg_lot_function(event: str, delta: str) -> tuple[str, str]:
    """The name and source of the statement-level function keeping part_lots.quantity_consumed
    after an ``event`` on lot_consumptions: it sums the statement's changes per lot (``delta``
    gives (lot_id, q) rows from the transition tables ``added`` and ``removed``), locks those
    lots in id order (a concurrent consumer waits, then re-reads them: each statement of a
    plpgsql function takes a fresh snapshot in READ COMMITTED), refuses a lot taken beyond its
    quantity received and adds the changes. One UPDATE per lot per statement: a bulk insert
    does not pile up versions of the same lot row, as one UPDATE per consumption would."""
    name = f"heatproof_lot_consumed_{event}"
    changes = (
        f"(SELECT lot_id, SUM(q) AS q FROM ({delta}) AS x GROUP BY lot_id HAVING SUM(q) <> 0) AS d"
    )
    return (
        name,
        f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lot_code text;
BEGIN
  PERFORM 1 FROM part_lots WHERE id IN (SELECT lot_id FROM {changes}) ORDER BY id FOR UPDATE;
  SELECT code INTO lot_code FROM part_lots JOIN {changes} ON d.lot_id = part_lots.id
    WHERE quantity_consumed + d.q > quantity_received + {EPSILON} ORDER BY part_lots.id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION '{OVER_CONSUMED.format(lot="lot %")}', lot_code;
  END IF;
  UPDATE part_lots SET quantity_consumed =
      LEAST(GREATEST(quantity_consumed + d.q, 0), quantity_received)
    FROM {changes} WHERE part_lots.id = d.lot_id;
  RETURN NULL;
END $$""",
    )


_PG_LOT = {  # event -> the consumptions it adds (+) and takes back (-), and its transition tables
    "insert": ("SELECT lot_id, quantity AS q FROM added", "NEW TABLE AS added"),
    "update": (
        "SELECT lot_id, quantity AS q FROM added UNION ALL SELECT lot_id, -quantity FROM removed",
        "OLD TABLE AS removed NEW TABLE AS added",
    ),
    "delete": ("SELECT lot_id, -quantity AS q FROM removed", "OLD TABLE AS removed"),
}

_PG_LOT_RECEIVED = f"""
CREATE FUNCTION heatproof_lot_received_covers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.quantity_consumed > NEW.quantity_received THEN
    RAISE EXCEPTION '{OVER_CONSUMED.format(lot="lot %")}', NEW.code;
  END IF;
  RETURN NEW;
END $$"""


def _pg_lot_functions() -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    """The lot functions by name, each with its source and its statement-level trigger."""
    functions = {}
    for event, (delta, tables) in _PG_LOT.items():
        name, source = _pg_lot_function(event, delta)
        when = f"AFTER {event.upper()} ON lot_consumptions REFERENCING {tables} FOR EACH STATEMENT"
        functions[name] = (source, ((f"trg_lot_consumptions_quantity_{event}", when),))
    return functions


PG_FUNCTIONS = {  # function -> its source and the triggers calling it (name, when, for each)
    "heatproof_mass_order_released": (
        _PG_MASS,
        (
            (
                "trg_production_orders_mass_insert",
                "BEFORE INSERT ON production_orders FOR EACH ROW",
            ),
            (
                "trg_production_orders_mass_update",
                "BEFORE UPDATE OF kind, status, design_id ON production_orders FOR EACH ROW",
            ),
        ),
    ),
    "heatproof_lot_received_covers": (
        _PG_LOT_RECEIVED,
        (
            (
                "trg_part_lots_quantity_update",
                "BEFORE UPDATE OF quantity_received ON part_lots FOR EACH ROW",
            ),
        ),
    ),
    **_pg_lot_functions(),
}


def _create_triggers(sqlite: bool) -> None:
    if sqlite:
        for source in SQLITE_TRIGGERS.values():
            op.execute(source)
        return
    for function, (source, triggers) in PG_FUNCTIONS.items():
        op.execute(source)
        for name, event in triggers:
            op.execute(f"CREATE TRIGGER {name} {event} EXECUTE FUNCTION {function}()")


def _drop_triggers(sqlite: bool) -> None:
    if sqlite:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    for function in PG_FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}() CASCADE")  # its triggers with it


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _reference_tables()
    _unit_tables()
    _gate_tables()
    _new_columns(sqlite)
    _create_triggers(sqlite)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _drop_triggers(sqlite)
    op.drop_index("ix_reactor_units_order_id", "reactor_units")
    if not sqlite:
        op.drop_constraint("fk_reactor_units_order_id_production_orders", "reactor_units")
        op.drop_constraint("ck_reactor_units_status", "reactor_units")
    with op.batch_alter_table("reactor_units", recreate="never") as batch:
        batch.drop_column("status")
        batch.drop_column("order_id")
    with op.batch_alter_table("designs", recreate="never") as batch:
        batch.drop_column("gate_settings")
    for table in (
        "releases",
        "gate_decisions",
        "preregistrations",
        "gauge_studies",
        "field_events",
        "nonconformances",
        "eol_measurements",
        "eol_results",
        "lot_consumptions",
        "unit_operations",
        "production_orders",
        "part_lots",
        "routing_operations",
        "bom_items",
        "parts",
    ):
        op.drop_table(table)
