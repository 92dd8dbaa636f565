"""Instrument specifications of a test stand, as a calibration certificate or data sheet states them.

The same spec drives the twin's sensor errors and the analysis's uncertainty budget, so a budget
is exactly as honest as the spec the stand declares. Temperatures in K, power in W.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from heatproof.errors import require
from heatproof.physics.radiation import CAMERA_BAND_M


@dataclass(frozen=True)
class ThermocoupleSpec:
    """Type K class 1: tolerance_k (K) is a rectangular half-width, noise_k (K) a standard
    deviation per sample."""

    tolerance_k: float = 1.5
    noise_k: float = 0.3


@dataclass(frozen=True)
class CameraSpec:
    """Radiometric IR camera: band_m (low, high wavelengths, m), emissivity_set (the emissivity it
    is set to, a fraction), its calibration uncertainty calibration_u_k (k=1, K), its per-sample
    noise_k (K) and, apart from calibration, its stability between runs: stability_k (k=1, K) is
    how much its reading of one surface may change from one run to the next while not
    recalibrated. None: not stated, so two runs' readings are only known to within two
    independent calibrations."""

    band_m: tuple[float, float] = CAMERA_BAND_M
    emissivity_set: float = 0.95
    calibration_u_k: float = 1.5
    noise_k: float = 0.5
    stability_k: float | None = None

    def __post_init__(self) -> None:
        require(
            0 < self.emissivity_set <= 1,
            f"emissivity_set={self.emissivity_set} is outside (0, 1]; give the camera's setting as a fraction",
        )
        s = self.stability_k
        require(
            s is None or (isinstance(s, int | float) and not isinstance(s, bool) and 0 <= s <= 50),
            f"stability_k={s!r} is not a temperature change in 0-50 K; give the camera's "
            "between-run stability (k=1) in K, or leave it out if it is not stated",
        )

    @property
    def between_runs_u_k(self) -> float:
        """Standard uncertainty (K) of the change of the reading between two runs on this camera:
        the stated stability, else two independent calibrations (sqrt(2) calibration_u_k)."""
        if self.stability_k is None:
            return 2**0.5 * self.calibration_u_k
        return float(self.stability_k)


@dataclass(frozen=True)
class PowerAnalyzerSpec:
    """Accuracy is ± (reading_fraction x reading + range_fraction x range_w), rectangular; range_w
    (W) is the range in use, noise_w (W) a standard deviation per sample, phases the number of
    phases measured (1-3) and measures_dc whether it measures a DC supply."""

    reading_fraction: float = 0.001
    range_fraction: float = 0.0005
    range_w: float = 3000.0
    noise_w: float = 0.5
    phases: int = 1
    measures_dc: bool = True

    def half_width_w(self, reading_w: float) -> float:
        """Half-width (W) of the rectangular accuracy interval at reading_w (W)."""
        return self.reading_fraction * abs(reading_w) + self.range_fraction * self.range_w


@dataclass(frozen=True)
class AmbientSpec:
    """Room thermometer: rectangular tolerance_k (K, half-width) and per-sample noise_k (K, a
    standard deviation)."""

    tolerance_k: float = 0.5
    noise_k: float = 0.05


@dataclass(frozen=True)
class StandSpec:
    """The instruments of one test stand: its name, the number of core_thermocouples, their
    thermocouple spec, the camera, the power analyser (power) and the ambient thermometer."""

    name: str = "stand-1"
    core_thermocouples: int = 3
    thermocouple: ThermocoupleSpec = field(default_factory=ThermocoupleSpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    power: PowerAnalyzerSpec = field(default_factory=PowerAnalyzerSpec)
    ambient: AmbientSpec = field(default_factory=AmbientSpec)

    def to_dict(self) -> dict:
        """The spec as plain JSON-ready values, one table per instrument."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> StandSpec:
        """The spec that to_dict gave as data (not validated: see heatproof.stand.profile)."""
        camera = dict(data["camera"])
        camera["band_m"] = tuple(camera["band_m"])
        return cls(
            name=data["name"],
            core_thermocouples=data["core_thermocouples"],
            thermocouple=ThermocoupleSpec(**data["thermocouple"]),
            camera=CameraSpec(**camera),
            power=PowerAnalyzerSpec(**data["power"]),
            ambient=AmbientSpec(**data["ambient"]),
        )


@dataclass(frozen=True)
class InstrumentCalibration:
    """One instrument's calibration certificate: the instrument it covers, its model and serial,
    the certificate's reference, and when it is valid: calibrated_on to due_on (ISO dates)."""

    instrument: str
    model: str
    serial: str
    certificate: str
    calibrated_on: str
    due_on: str

    def to_dict(self) -> dict:
        """The certificate as plain JSON-ready values."""
        return asdict(self)


def simulated_calibrations(spec: StandSpec) -> tuple[InstrumentCalibration, ...]:
    """Calibration records of the instruments of spec, a simulated stand (marked as simulated)."""
    names = [f"core_tc{j + 1}" for j in range(spec.core_thermocouples)] + [
        "camera",
        "power",
        "ambient",
    ]
    return tuple(
        InstrumentCalibration(
            n,
            "simulated",
            f"SIM-{spec.name}-{n}",
            "simulated (no certificate)",
            "2026-01-01",
            "2027-01-01",
        )
        for n in names
    )
