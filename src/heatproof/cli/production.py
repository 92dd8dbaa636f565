"""`heatproof line ...`: the production line: parts, lots, orders, units, operations, end-of-line tests, non-conformances, SPC, genealogy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.keys import KeysDir
from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    DesignArg,
    JsonFlag,
    RevisionArg,
    WorkspaceDir,
    emit,
    input_path,
    open_workspace,
    percent,
    print_json,
    print_table,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
lot_app = typer.Typer(no_args_is_help=True, add_completion=False, help="Part lots.")
order_app = typer.Typer(no_args_is_help=True, add_completion=False, help="Production orders.")
nc_app = typer.Typer(no_args_is_help=True, add_completion=False, help="Non-conformances.")
app.add_typer(lot_app, name="lot")
app.add_typer(order_app, name="order")
app.add_typer(nc_app, name="nc")

OrderArg = Annotated[str, typer.Argument(help="Order code (see `heatproof line orders`).")]


@app.command("setup")
def setup_cmd(
    design: DesignArg,
    revision: RevisionArg,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Line file (TOML: parts, operations); default the HX-1 line."),
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Set up a design revision's line: its parts, bill of materials and routing."""
    from heatproof.factory import line

    spec = line.read_line_spec(input_path(file, "--file") if file else line.EXAMPLE_LINE)
    done = line.setup_line(open_workspace(workspace, db_url), design, revision, spec)
    if json_out:
        print_json(done)
        return
    state = "set up" if done["created"] else "already set up (unchanged)"
    print_table(
        f"{design} rev {revision}: line {state}",
        ("op", "name", "consumes"),
        [
            (
                op["seq"],
                op["name"],
                ", ".join(f"{c['quantity']:g} x {c['part']}" for c in op["consumes"]) or "-",
            )
            for op in done["operations"]
        ],
    )


@lot_app.command("receive")
def lot_receive(
    part: Annotated[str, typer.Argument(help="Part number (from the line file).")],
    code: Annotated[str, typer.Argument(help="The new lot's code.")],
    qty: Annotated[float, typer.Option("--qty", help="Quantity received (parts).")],
    supplier: Annotated[str, typer.Option("--supplier", help="Supplier's name.")] = "",
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Receive a lot of a part into inventory."""
    from heatproof.factory import line

    done = line.receive_lot(open_workspace(workspace, db_url), part, code, qty, supplier)
    emit(json_out, done, f"lot {done['code']}: {done['quantity']:g} x {done['part']} received")


@app.command("lots")
def lots_cmd(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """The lots in inventory, with what is left of each."""
    from heatproof.factory import line

    lots = line.list_lots(open_workspace(workspace, db_url))
    if json_out:
        print_json({"lots": lots})
        return
    print_table(
        "lots",
        ("lot", "part", "received", "consumed", "remaining", "supplier"),
        [
            (
                x["code"],
                x["part"],
                f"{x['received']:g}",
                f"{x['consumed']:g}",
                f"{x['remaining']:g}",
                x["supplier"],
            )
            for x in lots
        ],
    )


def _print_order(order: dict) -> None:
    typer.echo(
        f"order {order['code']}: {order['kind']} {order['quantity']} x {order['design']} rev "
        f"{order['revision']}, {order['status']}"
        + (f" ({order['hold_reason']})" if order["hold_reason"] else "")
    )


@order_app.command("create")
def order_create(
    design: DesignArg,
    revision: RevisionArg,
    kind: Annotated[str, typer.Option("--kind", help="pilot or mass (mass needs G4 open).")],
    qty: Annotated[int, typer.Option("--qty", help="Number of units (1 to 10^6).")],
    code: Annotated[
        str | None, typer.Option("--code", help="Order code; default <design>-<rev>-<kind>-<n>.")
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a pilot or mass production order and its serialised units."""
    from heatproof.factory import line

    done = line.create_order(open_workspace(workspace, db_url), design, revision, kind, qty, code)
    if json_out:
        print_json(done)
        return
    _print_order(done)
    typer.echo(f"units {done['units'][0]} .. {done['units'][-1]}")


@order_app.command("hold")
def order_hold(
    code: OrderArg,
    reason: Annotated[str, typer.Option("--reason", help="Why the order is held.")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Hold an order: its units take no next operation."""
    from heatproof.factory import line

    done = line.hold_order(open_workspace(workspace, db_url), code, reason)
    print_json(done) if json_out else _print_order(done)


@order_app.command("resume")
def order_resume(
    code: OrderArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Re-open a held order (a mass order only while its design is released)."""
    from heatproof.factory import line

    done = line.resume_order(open_workspace(workspace, db_url), code)
    print_json(done) if json_out else _print_order(done)


@app.command("orders")
def orders_cmd(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """The production orders, oldest first."""
    from heatproof.factory import line

    orders = line.list_orders(open_workspace(workspace, db_url))
    if json_out:
        print_json({"orders": orders})
        return
    print_table(
        "orders",
        ("order", "design", "rev", "kind", "qty", "status", "hold reason"),
        [
            (
                o["code"],
                o["design"],
                o["revision"],
                o["kind"],
                o["quantity"],
                o["status"],
                o["hold_reason"],
            )
            for o in orders
        ],
    )


@app.command("units")
def units_cmd(
    order: Annotated[str | None, typer.Option("--order", help="Only this order's units.")] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """The serialised units, their status, operations done and next operation."""
    from heatproof.factory import line

    units = line.list_units(open_workspace(workspace, db_url), order)
    if json_out:
        print_json({"units": units})
        return
    print_table(
        "units",
        ("serial", "order", "status", "done", "next op"),
        [
            (
                u["serial"],
                u["order"],
                u["status"],
                ",".join(map(str, u["done"])) or "-",
                u["next_operation"],
            )
            for u in units
        ],
    )


@app.command("operate")
def operate_cmd(
    serial: Annotated[str, typer.Argument(help="Unit serial (see `heatproof line units`).")],
    op: Annotated[int, typer.Option("--op", help="Operation number (the unit's next).")],
    lot: Annotated[
        list[str] | None,
        typer.Option("--lot", help="Lot to consume from (repeat for each part); in order."),
    ] = None,
    operator: Annotated[str, typer.Option("--operator", help="Who did the operation.")] = "",
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Record the next operation of a unit, consuming its parts from the named lots."""
    from heatproof.factory import line

    done = line.operate(open_workspace(workspace, db_url), serial, op, lot or [], operator)
    used = ", ".join(f"{c['quantity']:g} from {c['lot']}" for c in done["consumed"]) or "no part"
    emit(json_out, done, f"unit {serial}: operation {op} ({done['name']}) done; {used}")


@nc_app.command("list")
def nc_list(
    open_only: Annotated[bool, typer.Option("--open", help="Only those not disposed.")] = False,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """The non-conformances, oldest first."""
    from heatproof.factory import line

    ncs = line.list_nonconformances(open_workspace(workspace, db_url), open_only)
    if json_out:
        print_json({"nonconformances": ncs})
        return
    print_table(
        "non-conformances",
        ("id", "unit", "disposition", "description"),
        [(n["id"], n["serial"], n["disposition"] or "open", n["description"]) for n in ncs],
    )


@nc_app.command("dispose")
def nc_dispose(
    nc_id: Annotated[
        int, typer.Argument(help="Non-conformance id (see `heatproof line nc list`).")
    ],
    as_: Annotated[
        str, typer.Option("--as", help="rework (back to end-of-line), scrap or use-as-is.")
    ],
    reason: Annotated[
        str | None,
        typer.Option(
            "--reason", help="Why quality accepts the unit as it is (use-as-is needs it)."
        ),
    ] = None,
    keys: KeysDir = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Dispose a non-conformance: rework, scrap, or use-as-is (a disposition file signed with
    the quality role's key from --keys, its ledger entry, then the record)."""
    from heatproof.factory import line

    ws = open_workspace(workspace, db_url)
    done = line.dispose_nonconformance(ws, nc_id, as_, reason, keys)
    if json_out:
        print_json(done)
        return
    signed = (
        f" (signed by quality {done['signed_by'][:16]}..., {done['file']})"
        if "signed_by" in done
        else ""
    )
    typer.echo(
        f"non-conformance {nc_id}: {done['disposition']}; unit {done['serial']} is "
        f"{done['status']}{signed}"
    )


@app.command("yield")
def yield_cmd(
    order: OrderArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """First-pass and rolled-throughput yield of an order, per operation and per lot."""
    from heatproof.factory import line

    done = line.order_yield(open_workspace(workspace, db_url), order)
    if json_out:
        print_json(done)
        return
    print_table(
        f"order {order}: {done['units']} units, FPY {percent(done['fpy'])}, RTY {percent(done['rty'])}",
        ("op", "name", "entered", "first pass", "FPY"),
        [
            (x["seq"], x["name"], x["entered"], x["first_pass"], percent(x["fpy"]))
            for x in done["steps"]
        ],
    )
    print_table(
        "by lot",
        ("lot", "tested", "first pass", "FPY"),
        [
            (code, x["units_tested"], x["first_pass"], percent(x["fpy"]))
            for code, x in done["lots"].items()
        ],
    )


@app.command("genealogy")
def genealogy_cmd(
    lot: Annotated[
        str | None, typer.Option("--lot", help="Every unit built with this lot.")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Every lot in this unit.")] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Genealogy: the units containing a lot and the plants they are in (--lot), or the lots in
    a unit (--unit)."""
    from heatproof.errors import InvalidInput
    from heatproof.factory import line

    if (lot is None) == (unit is None):
        raise InvalidInput("give exactly one of --lot CODE or --unit SERIAL")
    ws = open_workspace(workspace, db_url)
    if lot is not None:
        done = line.genealogy_of_lot(ws, lot)
        rows = [
            (u["serial"], u["order"], u["status"], f"{u['quantity']:g}", u["operation"],
             u["plant"] or "")
            for u in done["units"]
        ]
        columns = ("unit", "order", "status", "quantity", "op", "plant")
        title = f"units with lot {lot} (and the plants they are in)"
    else:
        done = line.genealogy_of_unit(ws, unit)
        rows = [(x["lot"], x["part"], f"{x['quantity']:g}", x["operation"]) for x in done["lots"]]
        columns, title = ("lot", "part", "quantity", "op"), f"lots in unit {unit}"
    if json_out:
        print_json(done)
        return
    print_table(title, columns, rows)
