import math

import pytest

from heatproof.errors import InvalidInput
from heatproof.stand.registers import (
    COMMAND_COUNT,
    MODE_NAMES,
    Command,
    CommandBlock,
    CommandResult,
    Sample,
    StandInfo,
    answer_to,
    block_checksum,
    decode_answer,
    decode_command,
    decode_info,
    decode_sample,
    effect_holds,
    encode_answer,
    encode_command,
    encode_info,
    encode_sample,
    sample_count,
)


def test_sample_round_trip_keeps_clock_exact_and_measurements_to_float32():
    s = Sample(
        sample=2**40 + 7,
        t_s=123456.789,
        phase=-3,
        mode=2,
        status=0b101,
        alarms=1,
        setpoint_k=math.nan,
        drive_w=1234.5678,
        camera_k=851.25,
        ambient_k=298.15,
        core_k=(900.1, 901.2, 899.3),
    )
    words = encode_sample(s)
    assert len(words) == sample_count(3) == 26
    assert all(0 <= w <= 0xFFFF for w in words)
    back = decode_sample(words, 3)
    assert back.sample == s.sample and back.t_s == s.t_s and back.phase == -3
    assert (back.mode, back.status, back.alarms) == (2, 0b101, 1)
    assert math.isnan(back.setpoint_k)
    assert back.drive_w == pytest.approx(1234.5678, rel=1e-7)
    assert back.core_k == pytest.approx(s.core_k, rel=1e-7)


def test_words_are_big_endian_most_significant_word_first():
    s = Sample(1, 0.0, 0, 0, 0, 0, 1.0, 0.0, 0.0, 0.0, ())
    words = encode_sample(s)
    assert words[:4] == [0, 0, 0, 1]
    assert words[12:14] == [0x3F80, 0x0000]  # float32 1.0


def test_command_and_info_blocks():
    block = CommandBlock(0xDEADBEEF, 42, int(Command.SETPOINT), 950.0, -2, 7)
    words = encode_command(block)
    assert len(words) == COMMAND_COUNT and decode_command(words) == block
    assert words[8:10] == [block.checksum >> 16, block.checksum & 0xFFFF]
    info = StandInfo(2, 3, 2.0, 0.0)
    assert decode_info(encode_info(info)) == info


def crc32_bitwise(data: bytes) -> int:
    """CRC-32/ISO-HDLC written out (reflected polynomial 0xEDB88320, init and xorout all ones)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_the_checksum_is_the_crc32_of_registers_0_to_7():
    """CRC-32/ISO-HDLC of the 16 big-endian bytes of registers 0-7, as any implementation of
    the catalogue's CRC-32 computes it (check value 0xCBF43926 for b"123456789")."""
    assert crc32_bitwise(b"123456789") == 0xCBF43926
    body = [0x3132, 0x3334, 0x3536, 0x3738, 0x0001, 0x8000, 0xFFFF, 0x00FE]
    assert block_checksum(body) == crc32_bitwise(b"12345678\x00\x01\x80\x00\xff\xff\x00\xfe")
    words = encode_command(CommandBlock(7, 1, int(Command.START), 800.0, -2))
    for i in range(8):  # any change of any register is caught
        changed = words.copy()
        changed[i] ^= 0x0100
        with pytest.raises(InvalidInput, match="is not the CRC-32 of registers 0-7"):
            decode_command(changed)
    with pytest.raises(InvalidInput, match="write registers 0..9 in one request"):
        decode_command(words[:6])


def test_an_answer_echoes_only_its_own_block():
    block = CommandBlock(7, 3, int(Command.SHUTDOWN))
    answer = answer_to(encode_command(block), CommandResult.OK, 4)
    assert decode_answer(encode_answer(answer)) == answer and answer.echoes(block)
    for other in (
        CommandBlock(8, 3, int(Command.SHUTDOWN)),  # another session
        CommandBlock(7, 4, int(Command.SHUTDOWN)),  # another sequence number
        CommandBlock(7, 3, int(Command.START)),  # another command
        CommandBlock(7, 3, int(Command.SHUTDOWN), phase=-1),  # the same, but another block
    ):
        assert not answer.echoes(other)


def test_ok_must_come_with_a_mode_the_command_leaves():
    """The issue's SHUTDOWN answered OK in STARTUP cannot pass as done."""
    startup, shutdown, off = (MODE_NAMES.index(m) for m in ("STARTUP", "SHUTDOWN", "OFF"))
    assert not effect_holds(Command.SHUTDOWN, startup)
    assert effect_holds(Command.SHUTDOWN, shutdown) and effect_holds(Command.SHUTDOWN, off)
    assert effect_holds(Command.START, startup) and not effect_holds(Command.START, off)
    assert effect_holds(Command.SET_PHASE, startup)  # no mode change expected


def test_wrong_register_count_is_refused():
    with pytest.raises(InvalidInput, match="registers given"):
        decode_sample([0] * 10, 3)
