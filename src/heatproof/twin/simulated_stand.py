"""A simulated stand: the twin's closed loop (reactor, stand sensors, controller:
``twin.loop.ClosedLoop``, as procedure runs and scenarios use it), advanced one sample at a time
and commanded as a real stand would be (pure, no I/O; heatproof.modbus.server puts it on the
network). ``DirectStand`` hands it to a procedure in the same process, as a plug
(heatproof.stand.interface.Stand).

Order of work per sample: read the sensors, step the controller, publish the sample (measured
drive for the interval that starts now), step the reactor with the drive. Commands arrive between
samples and act from the next sample on.
"""

from __future__ import annotations

import math
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field

from heatproof.control.controller import RUNNING, Controller, ControllerConfig, Mode
from heatproof.errors import InvalidInput, require
from heatproof.stand.instruments import StandSpec
from heatproof.stand.registers import (
    KEEP_PHASE,
    NO_EARLIER,
    AlarmBit,
    Command,
    CommandAnswer,
    CommandBlock,
    CommandResult,
    Sample,
    answer_to,
    command_name,
    decode_command,
    effect_holds,
    encode_command,
    status_word,
)
from heatproof.twin.loop import ClosedLoop
from heatproof.twin.reactor import HeatSource, Reactor, ReactorDesign
from heatproof.twin.simulate import DEMO_CONTROLLER, SHUTDOWN_PHASE

_ALARM_BITS = {"trip": AlarmBit.TRIP, "stale": AlarmBit.STALE, "margin": AlarmBit.MARGIN}
MAX_SESSIONS = 1024  # sessions whose last answer is kept (least recently used forgotten first)


@dataclass(frozen=True)
class SimulatedStandConfig:
    """What the simulated stand holds: the reactor ``design``, the heat-``source`` hypothesis, the
    instruments' ``spec``, the random ``seed``, the sample period ``sample_s`` (s), the room's
    ``ambient_k`` (K) and the ``controller`` settings (None: the demo's).

    ``authorised_operators``: operator ids (1..65535) whose reset command the stand accepts;
    none by default. This is simulation-only authorisation: the id is a plain register anyone on
    the bus can write (docs/stands.md); a real stand needs authenticated commands.

    ``core_offsets_k``: the unit's own thermocouple errors (K, one per core thermocouple, added
    to the stand's; twin.line.BuiltUnit); empty: none."""

    design: ReactorDesign = field(default_factory=ReactorDesign)
    source: HeatSource = field(default_factory=HeatSource)
    spec: StandSpec = field(default_factory=StandSpec)
    seed: int = 1
    sample_s: float = 1.0
    ambient_k: float = 298.15
    authorised_operators: tuple[int, ...] = ()
    controller: ControllerConfig | None = None
    core_offsets_k: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        require(
            math.isfinite(self.sample_s) and self.sample_s > 0,
            f"sample_s={self.sample_s} must be > 0; give the stand's sample period in s",
        )
        for operator in self.authorised_operators:
            require(
                1 <= operator <= 0xFFFF,
                f"authorised operator id {operator} is outside 1..65535; give the operator's id",
            )


class SimulatedStand:
    """Twin + sensors + controller behind the register map, as ``config`` describes them;
    ``sample`` is the latest published."""

    def __init__(self, config: SimulatedStandConfig) -> None:
        self.config = config
        reactor = Reactor(config.design, config.source, config.ambient_k)
        controller = Controller(config.controller or DEMO_CONTROLLER)
        self.loop = ClosedLoop(reactor, controller, config.spec, config.seed, config.sample_s)
        if config.core_offsets_k:
            self.loop.sensors.add_core_offsets(config.core_offsets_k)
        self.phase = SHUTDOWN_PHASE  # at rest: nothing before the first command is a hold
        self.count = -1
        self.sample: Sample | None = None
        self.sessions: OrderedDict[int, CommandAnswer] = OrderedDict()  # last answer per session
        self.log: list[tuple[float, str]] = []

    @property
    def controller(self) -> Controller:
        """The controller in the loop (replaceable, e.g. by a test's faulty one)."""
        return self.loop.controller

    @controller.setter
    def controller(self, controller: Controller) -> None:
        self.loop.controller = controller

    @property
    def t_s(self) -> float:
        """The stand's clock (s): the time of the latest sample."""
        return max(self.count, 0) * self.config.sample_s

    def advance(self) -> Sample:
        """Take the next sample and step the reactor over its interval."""
        s = self.loop.sample()
        self.count = s.index
        out = self.loop.stand_channels(s)
        c = self.controller
        self.sample = Sample(
            sample=s.index,
            t_s=s.t_s,
            phase=self.phase,
            mode=c.mode.code,
            status=self._status(),
            alarms=self._alarms(),
            setpoint_k=c.setpoint_k,
            drive_w=out.drive_w,
            camera_k=out.camera_k,
            ambient_k=out.ambient_k,
            core_k=s.readings.core_k,
        )
        self.loop.advance()
        return self.sample

    def _status(self) -> int:
        c = self.controller
        visible = c.alarms.visible(c.t_s)
        stale = "stale" in c.alarms.alarms and c.alarms.alarms["stale"].active
        return status_word(
            RUNNING=c.mode in RUNNING,
            TRIPPED=c.mode is Mode.TRIPPED,
            STALE=stale,
            ALARM_ACTIVE=any(a.active for a in visible),
            ALARM_UNACKNOWLEDGED=any(a.acknowledged_by is None for a in visible),
        )

    def _alarms(self) -> int:
        word = 0
        for alarm in self.controller.alarms.alarms.values():
            bit = (
                AlarmBit.SENSOR
                if alarm.key.startswith("sensor-")
                else _ALARM_BITS.get(alarm.key, AlarmBit.OTHER)
            )
            word |= 1 << bit
        return word

    def receive(self, words: list[int]) -> CommandAnswer:
        """One complete command block, ``words`` (holding registers 0-9): run at most once per (session,
        sequence), and answered only after it ran. OK means the command's effect holds; the
        phase tag changes only with a command answered OK."""
        try:
            block = decode_command(words)
        except InvalidInput as err:
            return self._refuse(words, CommandResult.BAD_CHECKSUM, str(err))
        last = self.sessions.get(block.session)
        if last is not None and block.sequence <= last.sequence:
            exact = last.sequence == block.sequence and last.checksum == block.checksum
            return self._refuse(
                words,
                CommandResult.REPLAYED,
                f"session {block.session:#010x} already ran sequence {last.sequence}",
                last.result if exact else NO_EARLIER,
            )
        result = self._run(block)
        if result is CommandResult.OK and not effect_holds(block.command, self._mode_code()):
            self.log.append((self.t_s, f"refused: mode {self.controller.mode.name} after it"))
            result = CommandResult.REFUSED
        if result is CommandResult.OK and block.phase != KEEP_PHASE:
            self.phase = block.phase
        answer = answer_to(words, result, self._mode_code())
        self.sessions[block.session] = answer
        self.sessions.move_to_end(block.session)
        if len(self.sessions) > MAX_SESSIONS:
            self.sessions.popitem(last=False)
        what = f"session {block.session:#010x} seq {block.sequence} {command_name(block.command)}"
        self.log.append((self.t_s, f"{what}: {result.name}"))
        return answer

    def _refuse(
        self, words: list[int], result: CommandResult, why: str, earlier: int = NO_EARLIER
    ) -> CommandAnswer:
        """Answer a block that is not run."""
        self.log.append((self.t_s, f"not run ({result.name}): {why}"))
        return answer_to(words, result, self._mode_code(), earlier)

    def _mode_code(self) -> int:
        return self.controller.mode.code

    def _run(self, block: CommandBlock) -> CommandResult:
        c = self.controller
        try:
            if block.command == Command.SET_PHASE:
                return CommandResult.OK
            if block.command == Command.START:
                c.command_start(block.target)
            elif block.command == Command.SETPOINT:
                c.command_setpoint(block.target)
            elif block.command == Command.SHUTDOWN:
                c.command_shutdown()
            elif block.command == Command.RESET:
                if block.operator_id not in self.config.authorised_operators:
                    self.log.append(
                        (self.t_s, f"refused: operator {block.operator_id} may not reset")
                    )
                    return CommandResult.NOT_AUTHORISED
                c.command_reset(f"operator-{block.operator_id}", authorised=True)
            elif block.command == Command.ACKNOWLEDGE:
                for key in list(c.alarms.alarms):
                    c.alarms.acknowledge(key, f"operator-{block.operator_id}", c.t_s)
            else:
                return CommandResult.UNKNOWN_COMMAND
        except InvalidInput as err:
            self.log.append((self.t_s, f"refused: {err}"))
            return CommandResult.REFUSED
        return CommandResult.OK


class DirectStand:
    """``stand`` as a procedure's plug in this process, named ``name``: every read advances it one
    sample (in lockstep, as the Modbus server with time factor 0 does), every command is a block
    it receives directly (the same checks as over the network); nothing is stored, and nothing
    can be lost, so the patience given is never needed."""

    def __init__(self, stand: SimulatedStand, name: str = "simulated") -> None:
        self.stand, self.name = stand, name
        self.session, self.sequence = secrets.randbits(31) + 1, 0

    def read(self, patience_s: float) -> Sample:
        """The stand's next sample (``patience_s``, s, unused: it always answers)."""
        return self.stand.advance()

    def command(
        self, command: Command, target: float, phase: int, operator_id: int, patience_s: float
    ) -> CommandResult:
        """Run ``command`` (``target`` K or NaN, ``phase`` tag, ``operator_id``) once; the
        stand's result (``patience_s``, s, unused)."""
        if self.sequence == 0xFFFF:
            self.session, self.sequence = secrets.randbits(31) + 1, 0
        self.sequence += 1
        block = CommandBlock(self.session, self.sequence, int(command), target, phase, operator_id)
        return CommandResult(self.stand.receive(encode_command(block)).result)

    def finish(self) -> None:
        """Nothing to make durable."""
