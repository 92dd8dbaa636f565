"""Released units for the plant tests, made through the line's own services: a design's line
set up, lots received, the revision released (its G4 row and release written as the gate
service writes them, without the signed files), a mass order built through the routing, every
unit passed at end of line."""

from __future__ import annotations

from heatproof.factory import line
from heatproof.records import production as prod
from heatproof.records.models import GateDecision, Release
from heatproof.records.releases import release_state

FP = "ab" * 32  # a signed file's SHA-256 form


def decide(ws, name: str, revision: str, gate: str, facts: dict | None = None) -> int:
    """A 'go' decision of ``gate`` on the revision (record facts ``facts``); its id."""
    with ws.unit_of_work() as s:
        design = line.design_record(s, name, revision)
        row = GateDecision(
            design_id=design.id,
            gate=gate,
            outcome="go",
            record={"facts": facts or {}},
            path=f"{gate}.json",
            file_sha256=FP,
        )
        s.add(row)
        s.flush()
        return row.id


def release(ws, name: str, revision: str, mtbf_h: float = 1000.0) -> None:
    """G2 (demonstrated MTBF ``mtbf_h``) and G4 go, and the revision released."""
    decide(ws, name, revision, "G2", {"demonstrated_mtbf_h": mtbf_h})
    g4 = decide(ws, name, revision, "G4")
    with ws.unit_of_work() as s:
        design = prod.get_design(s, name, revision)
        s.add(Release(design_id=design.id, gate_decision_id=g4, status="released"))


def passed_units(ws, count: int, name: str = "HX-1", revision: str = "A", kind: str = "mass"):
    """``count`` units of a new ``kind`` order of the revision (released first for a mass
    order), built with lots <part>-<revision>-<n> and passed at end of line; their serials."""
    spec = line.read_line_spec(line.EXAMPLE_LINE)
    line.setup_line(ws, name, revision, spec)
    with ws.unit_of_work() as s:
        taken = len(prod.list_orders(s, prod.get_design(s, name, revision).id))
        released = release_state(s, prod.get_design(s, name, revision).id).released
    codes = [f"{p.number}-{revision}-{taken + 1}" for p in spec.parts]
    for part, code in zip(spec.parts, codes, strict=True):
        line.receive_lot(ws, part.number, code, 4.0 * count)
    if kind == "mass" and not released:
        release(ws, name, revision)
    order = line.create_order(ws, name, revision, kind, count)
    line.build_order(ws, order["code"], codes)
    for serial in order["units"]:
        line.record_eol_result(
            ws, serial, {"outcome": "PASS", "station": "eol-1", "characteristics": {}}
        )
    return order["units"]
