"""The plant's OPC UA address space, by browse name (what server and collector agree on; node ids
are the server's business and never relied on).

    Objects/Plants/<plant>/          Tick, TimeH and the PLANT variables; method Advance()
    Objects/Plants/<plant>/Units/<serial>/   the UNIT variables

Every name lives in the namespace NAMESPACE_URI. Values are SI (W, K, m3/s, h).
"""

from __future__ import annotations

NAMESPACE_URI = "urn:heatproof:plants"
PLANTS_FOLDER = "Plants"
UNITS_FOLDER = "Units"
ADVANCE = "Advance"
TICK = "Tick"

# browse name -> PlantState field
PLANT_VARIABLES = {
    "Tick": "tick",
    "TimeH": "t_h",
    "DemandW": "demand_w",
    "DeliveredW": "delivered_w",
    "ElectricW": "electric_w",
    "FlowM3s": "flow_m3_s",
    "SupplyK": "supply_k",
    "ReturnK": "return_k",
    "RunningUnits": "running_units",
    "Alarms": "alarms",
}
# browse name -> UnitState field
UNIT_VARIABLES = {
    "State": "state",
    "PowerW": "power_w",
    "CoreK": "core_k",
    "RunningH": "running_h",
    "Failed": "failed",
    "Failures": "failures",
    "Trips": "trips",
    "Repairs": "repairs",
}
