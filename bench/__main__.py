"""``python -m bench [name ...]``: run the named benchmarks (default: all)."""

from __future__ import annotations

import asyncio
import importlib
import sys

BENCHMARKS = ("command_latency", "reminder_burst", "report_export")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        asyncio.run(module.run())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
