"""heatproof.stand: what a test stand is, with no I/O (the core may use it): its instruments
(instruments.py), its Modbus register map (registers.py), its profile file (profile.py) and what
a procedure needs of it (interface.py). Stands over the network live in heatproof.modbus, the
simulated stand in heatproof.twin.simulated_stand, recording a run in heatproof.recording.

The public names below are imported from their modules on first use (PEP 562), so importing
one module of the package (say registers) does not import the others.
"""

from heatproof.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "AmbientSpec": "instruments",
        "CameraSpec": "instruments",
        "InstrumentCalibration": "instruments",
        "PowerAnalyzerSpec": "instruments",
        "StandSpec": "instruments",
        "ThermocoupleSpec": "instruments",
        "simulated_calibrations": "instruments",
        "Stand": "interface",
        "StandLost": "interface",
        "StandProfile": "profile",
        "load_profile": "profile",
        "simulated_profile": "profile",
        "Command": "registers",
        "CommandAnswer": "registers",
        "CommandBlock": "registers",
        "CommandResult": "registers",
        "Sample": "registers",
        "StandIdentity": "registers",
        "StandInfo": "registers",
        "decode_sample": "registers",
        "encode_sample": "registers",
        "sample_row": "registers",
    },
)
