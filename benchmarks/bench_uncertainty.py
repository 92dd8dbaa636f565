"""Monte Carlo cost against drawing its inputs alone (target: ratio <= 3).

A 12-input thermography-like model: three surface sections, each radiating and convecting,
P = sum_i eps_i sigma A_i (T_i^4 - T_amb^4) + h A_i (T_i - T_amb), with T_i = T_cam,i + dT_cam.
Run: .venv/bin/python benchmarks/bench_uncertainty.py (or `run(quick)` from `heatproof bench`).
"""

import time

import numpy as np

from heatproof.analysis.uncertainty import (
    Arcsine,
    Model,
    Normal,
    Rectangular,
    StudentT,
    Triangular,
    gum,
    monte_carlo,
)

SIGMA_W_M2K4 = 5.670374419e-8
TRIALS = 10**6
REPEATS = 5


def surface_power_w(**x: np.ndarray) -> np.ndarray:
    t_amb = x["t_amb_k"]
    total = 0.0
    for i in (1, 2, 3):
        t = x[f"t_k_{i}"] + x["dt_cam_k"]
        a = x[f"area_m2_{i}"]
        total = (
            total
            + x[f"eps_{i}"] * SIGMA_W_M2K4 * a * (t**4 - t_amb**4)
            + x["h_w_m2k"] * a * (t - t_amb)
        )
    return total


def thermography_model() -> Model:
    inputs = {}
    for i, (t_k, area) in enumerate([(900.0, 0.02), (750.0, 0.01), (600.0, 0.01)], start=1):
        inputs[f"eps_{i}"] = Rectangular.centered(0.85, 0.05)
        inputs[f"t_k_{i}"] = Normal(t_k, 5.0)
        inputs[f"area_m2_{i}"] = Triangular(0.95 * area, 1.05 * area)
    inputs["t_amb_k"] = Arcsine(292.15, 294.15)  # room temperature cycling
    inputs["h_w_m2k"] = Rectangular(8.0, 14.0)
    inputs["dt_cam_k"] = StudentT(0.0, 1.0, 9.0)  # camera offset from 10 readings
    return Model(surface_power_w, inputs, name="P", unit="W")


def best_time(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: monte_carlo (ms) against drawing its inputs alone, same run."""
    trials, repeats = (200_000, 2) if quick else (TRIALS, REPEATS)
    model = thermography_model()
    rng = np.random.default_rng(0)
    draw_ms = best_time(lambda: model.draw(rng, trials), repeats) * 1e3
    mc_ms = best_time(lambda: monte_carlo(model, trials=trials, seed=1), repeats) * 1e3
    return [
        {
            "path": f"monte_carlo, 12 inputs, {trials} trials",
            "value": mc_ms,
            "unit": "ms",
            "baseline": "drawing the inputs alone",
            "baseline_value": draw_ms,
            "ratio": mc_ms / draw_ms,
        }
    ]


def main() -> None:
    model = thermography_model()
    assert len(model.inputs) == 12
    rng = np.random.default_rng(0)
    draw_s = best_time(lambda: model.draw(rng, TRIALS))
    values = model.draw(rng, TRIALS)
    call_s = best_time(lambda: model.outputs(values, TRIALS))
    mc_s = best_time(lambda: monte_carlo(model, trials=TRIALS, seed=1))
    mc = monte_carlo(model, trials=TRIALS, seed=1)
    g = gum(model)
    print(f"model: 12 inputs, {TRIALS} trials, best of {REPEATS}")
    print(f"GUM:         P = {g.y:.2f} W, u = {g.u:.2f} W")
    print(f"Monte Carlo: P = {mc.y:.2f} W, u = {mc.u:.2f} W, 95 % shortest {mc.interval_shortest}")
    print(f"draw inputs alone:   {draw_s * 1e3:8.1f} ms")
    print(f"one model call:      {call_s * 1e3:8.1f} ms")
    print(f"monte_carlo (total): {mc_s * 1e3:8.1f} ms")
    print(f"ratio monte_carlo / draw = {mc_s / draw_s:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
