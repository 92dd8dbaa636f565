"""Stand commands over real Modbus TCP on loopback: a command runs only from one complete,
checksummed block, once per (session, sequence); the answer echoes what ran and is given only
after it ran; the phase tag cannot be written by a raw register write."""

from __future__ import annotations

import pytest
from pymodbus.client import ModbusTcpClient

from heatproof.control.controller import Controller
from heatproof.errors import HeatproofError
from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.procedures.model import TAG_RAMP
from heatproof.stand.registers import (
    ANSWER_ADDRESS,
    ANSWER_COUNT,
    COMMAND_ADDRESS,
    DEVICE_ID,
    HOLDING_COUNT,
    MODE_NAMES,
    NO_EARLIER,
    Command,
    CommandAnswer,
    CommandBlock,
    CommandResult,
    answer_to,
    decode_answer,
    decode_command,
    encode_command,
)
from heatproof.twin.simulated_stand import SimulatedStand

RUNNING = {MODE_NAMES.index(m) for m in ("STARTUP", "HOLD", "SELF_SUSTAIN")}


@pytest.fixture
def stand(stand_config):
    with serve_in_thread(StandServer(stand_config(seed=21))) as server:
        yield server


@pytest.fixture
def raw(stand):
    client = ModbusTcpClient("127.0.0.1", port=stand.port, timeout=2, retries=0)
    assert client.connect()
    yield client
    client.close()


def test_two_clients_started_together_each_run_their_own_command(stand):
    """Issue 10: both clients took their sequence from the clock; the second one's SHUTDOWN
    was answered with the first one's result (OK) and never ran: the reactor stayed in STARTUP."""
    a = StandClient("127.0.0.1", stand.port, name="a")
    b = StandClient("127.0.0.1", stand.port, name="b")  # both send sequence number 1 first
    a.read_sample()
    assert a.command(Command.START, 800.0) is CommandResult.OK
    assert b.command(Command.SHUTDOWN) is CommandResult.OK
    assert a.read_sample().mode not in RUNNING  # the shutdown ran
    a.close()
    b.close()


def test_a_single_register_write_neither_runs_a_command_nor_sets_the_phase(stand, raw):
    """Issue 10: writing holding register 1 alone re-ran the previous command, and any client
    could write the phase tag (holding register 4 of map 1) that selects analysed windows."""
    client = StandClient("127.0.0.1", stand.port)
    client.read_sample()
    assert client.command(Command.START, 800.0) is CommandResult.OK
    runs, phase = len(stand.stand.log), client.read_sample().phase
    for address in range(HOLDING_COUNT):
        assert raw.write_register(address, 5, device_id=DEVICE_ID).isError(), address
    assert len(stand.stand.log) == runs  # nothing ran
    assert client.read_sample().phase == phase  # and no phase tag was set
    client.close()


def send_raw(raw: ModbusTcpClient, words: list[int]) -> CommandAnswer:
    """One function-16 write of a block, then a function-03 read of the answer."""
    assert not raw.write_registers(COMMAND_ADDRESS, words, device_id=DEVICE_ID).isError()
    answer = raw.read_holding_registers(ANSWER_ADDRESS, count=ANSWER_COUNT, device_id=DEVICE_ID)
    return decode_answer(list(answer.registers))


def test_a_block_runs_once_and_a_replay_is_refused(stand, raw):
    block = CommandBlock(0x5EED0001, 7, int(Command.START), 800.0, TAG_RAMP)
    first = send_raw(raw, encode_command(block))
    assert first.echoes(block) and first.result == CommandResult.OK
    assert MODE_NAMES[first.mode] == "STARTUP"
    runs = [e for _, e in stand.stand.log if "START: OK" in e]
    again = send_raw(raw, encode_command(block))
    assert again.echoes(block) and again.result == CommandResult.REPLAYED
    assert again.earlier == CommandResult.OK  # the result of the run it repeats
    older = CommandBlock(0x5EED0001, 6, int(Command.SHUTDOWN))
    refused = send_raw(raw, encode_command(older))
    assert refused.result == CommandResult.REPLAYED and refused.earlier == NO_EARLIER
    assert [e for _, e in stand.stand.log if "START: OK" in e] == runs  # ran once
    assert stand.stand.controller.mode.name == "STARTUP"  # the older SHUTDOWN did not run


def test_a_bad_checksum_or_a_partial_block_is_not_run(stand, raw):
    words = encode_command(CommandBlock(0x5EED0002, 1, int(Command.START), 800.0))
    words[5] ^= 1  # the target changed on the way
    assert send_raw(raw, words).result == CommandResult.BAD_CHECKSUM
    good = encode_command(CommandBlock(0x5EED0002, 1, int(Command.START), 800.0))
    for address, values in [
        (0, good[:6]),  # map 1's block: no session, no checksum
        (0, good[:9]),  # one register short
        (2, good[2:]),  # not from register 0
        (0, good + [0] * ANSWER_COUNT),  # over the answer registers
        (ANSWER_ADDRESS, [0] * ANSWER_COUNT),  # a forged answer
    ]:
        assert raw.write_registers(address, values, device_id=DEVICE_ID).isError()
    assert stand.stand.controller.mode.name == "OFF"
    assert send_raw(raw, good).result == CommandResult.OK  # the whole block still runs


def test_the_phase_tag_changes_only_with_a_command_that_ran(stand):
    client = StandClient("127.0.0.1", stand.port)
    client.read_sample()
    assert client.command(Command.SET_PHASE, phase=3) is CommandResult.OK
    assert client.read_sample().phase == 3
    assert client.command(Command.START, 1395.0, phase=TAG_RAMP) is CommandResult.REFUSED
    assert client.read_sample().phase == 3  # the refused start left the tag alone
    assert client.command(Command.START, 800.0) is CommandResult.OK  # KEEP_PHASE by default
    assert client.read_sample().phase == 3
    client.close()


def test_a_retried_block_whose_answer_was_lost_reports_its_first_run(stand):
    client = StandClient("127.0.0.1", stand.port)
    block = client.next_block(Command.START, 800.0, TAG_RAMP)
    assert client.send(block) is CommandResult.OK  # its answer "lost": the runner retries it
    assert client.send(block, retry=True) is CommandResult.OK
    assert client.send(block) is CommandResult.REPLAYED  # not a retry: someone else's replay
    assert sum("START: OK" in e for _, e in stand.stand.log) == 1
    client.close()


class Unheeding(SimulatedStand):
    """A stand whose firmware answers OK to every block without running it (the issue's
    SHUTDOWN answered OK while the reactor stayed in STARTUP)."""

    def receive(self, words: list[int]) -> CommandAnswer:
        if decode_command(words).command == Command.SHUTDOWN:
            return answer_to(words, CommandResult.OK, MODE_NAMES.index(self.controller.mode.name))
        return super().receive(words)


def test_the_client_does_not_take_ok_for_done_when_the_mode_says_otherwise(stand_config):
    config = stand_config(seed=22)
    with serve_in_thread(StandServer(config, stand=Unheeding(config))) as server:
        client = StandClient("127.0.0.1", server.port, name="u")
        client.read_sample()
        assert client.command(Command.START, 800.0) is CommandResult.OK
        with pytest.raises(HeatproofError, match="answered OK in mode STARTUP; it did not"):
            client.command(Command.SHUTDOWN)
        client.close()


class StuckShutdown(Controller):
    """A controller whose shutdown leaves the mode as it is (a fault of the mode logic)."""

    def command_shutdown(self) -> None:
        pass


def test_the_stand_answers_refused_when_the_effect_did_not_happen(stand_config):
    stand = SimulatedStand(stand_config(seed=23))
    stand.controller = StuckShutdown(stand.controller.config)
    stand.advance()
    start = CommandBlock(1, 1, int(Command.START), 800.0, phase=-2)  # tag the ramp
    assert stand.receive(encode_command(start)).result == CommandResult.OK
    answer = stand.receive(encode_command(CommandBlock(1, 2, int(Command.SHUTDOWN), phase=-1)))
    assert answer.result == CommandResult.REFUSED and MODE_NAMES[answer.mode] == "STARTUP"
    assert stand.phase != -1 and stand.log[-2][1] == "refused: mode STARTUP after it"
