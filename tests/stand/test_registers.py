import math

import pytest

from heatproof.errors import InvalidInput
from heatproof.stand.registers import (
    Command,
    CommandBlock,
    Sample,
    StandInfo,
    decode_command,
    decode_info,
    decode_sample,
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
    block = CommandBlock(int(Command.SETPOINT), 42, 950.0, -2, 7)
    assert decode_command(encode_command(block)) == block
    info = StandInfo(1, 3, 2.0, 0.0)
    assert decode_info(encode_info(info)) == info


def test_wrong_register_count_is_refused():
    with pytest.raises(InvalidInput, match="registers given"):
        decode_sample([0] * 10, 3)
