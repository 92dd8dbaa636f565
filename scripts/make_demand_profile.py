"""Write the shipped example demand year, src/heatproof/plants/demand_hourly.csv (run once; the
test tests/plants/test_demand.py checks the file is what this writes).

Run: .venv/bin/python scripts/make_demand_profile.py
"""

from __future__ import annotations

from pathlib import Path

from heatproof.plants import demand

HEADER = f"""SYNTHETIC hourly heat demand of a district (a 1 MW peak), NOT measured data.
Made by heatproof.plants.demand.synthetic_year(seed={demand.EXAMPLE_SEED}) (scripts/make_demand_profile.py):
heating-degree-hours below {demand.T_BASE_K} K from an outdoor temperature with an annual sinusoid
(mean {demand.T_MEAN_K} K, half-swing {demand.A_YEAR_K} K, coldest on 15 January), a daily sinusoid
(half-swing {demand.A_DAY_K} K, coldest at 03:00) and AR(1) weather noise (sigma {demand.SIGMA_K} K,
hour-to-hour correlation {demand.RHO}), plus a hot-water base load ({demand.DHW_SHARE} of the mean
heating load, peaks at 07:00 and 19:00). Hour 0 is 1 January 00:00. Units: W (hourly mean)."""


def main() -> None:
    path = Path(demand.__file__).with_name(demand.EXAMPLE_FILE)
    path.write_text(demand.to_csv(demand.synthetic_year(), HEADER), encoding="utf-8")
    print(path)


if __name__ == "__main__":
    main()
