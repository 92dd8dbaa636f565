"""Lean acquisition entry point for a DAQ computer (no CLI stack, no database):

    python -m heatproof.modbus record --workspace W --stand NAME=HOST:PORT --run RUN [--until-sample N]

Same behaviour as `heatproof daq record`; prints 'ack STAND SAMPLE' after every durable commit."""

from __future__ import annotations

import argparse
import logging
import sys

from heatproof.errors import HeatproofError
from heatproof.modbus.acquisition import ack_printer, record_to_workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m heatproof.modbus")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="poll stands into durable raw logs")
    rec.add_argument("--workspace", required=True)
    rec.add_argument("--stand", action="append", required=True, help="NAME=HOST:PORT (repeat)")
    rec.add_argument("--run", required=True)
    rec.add_argument("--samples", type=int)
    rec.add_argument("--until-sample", type=int)
    rec.add_argument("--duration-s", type=float)
    rec.add_argument("--rate-hz", type=float, default=0.0)
    rec.add_argument("--chunk-rows", type=int, default=100)
    rec.add_argument("--max-latency-s", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)  # outages are stored as events
    try:
        record_to_workspace(
            args.workspace,
            args.stand,
            args.run,
            chunk_rows=args.chunk_rows,
            max_latency_s=args.max_latency_s,
            on_ack=ack_printer(sys.stdout),
            samples=args.samples,
            until_sample=args.until_sample,
            duration_s=args.duration_s,
            rate_hz=args.rate_hz,
        )
    except HeatproofError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
