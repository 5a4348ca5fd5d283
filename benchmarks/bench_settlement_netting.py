"""Benchmark: multilateral netting of 10,000,000 postings between the five societies (BRIEF §7.1: < 5 s).

The postings are generated as three integer columns (debtor index, creditor index, amount in minor
units), as the ledger holds them; the measured part is ``net_from_columns`` (one pass folding them into
a per-pair matrix, then the positions) plus the payment instructions, which is what a run does with
its obligations. Generation is not timed.

    .venv/bin/python -m benchmarks.bench_settlement_netting [--postings 10000000] [--repeats 3]

Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from array import array

from benchmarks.figures import Figure, summary_line
from nordclear.settlement.domain.netting import Position, net_from_columns, payments

TARGET_S = 5.0
SOCIETIES = ("040", "077", "079", "089", "090")


_PAIRS = [(d, c) for d in range(5) for c in range(5) if d != c]
# One random byte picks an ordered pair of different societies; translate() maps bytes at C speed.
_DEBTOR_OF_BYTE = bytes(_PAIRS[b % len(_PAIRS)][0] for b in range(256))
_CREDITOR_OF_BYTE = bytes(_PAIRS[b % len(_PAIRS)][1] for b in range(256))


def _postings(count: int, seed: int) -> tuple[array[int], array[int], array[int]]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, nothing secret
    pairs = rng.randbytes(count)
    debtors = array("b", pairs.translate(_DEBTOR_OF_BYTE))
    creditors = array("b", pairs.translate(_CREDITOR_OF_BYTE))
    # Amounts up to 2^32 - 1 minor units (about 43 million SEK), as unsigned 32-bit integers.
    amounts = array("I")
    amounts.frombytes(rng.randbytes(4 * count))
    return debtors, creditors, amounts


def _net(debtors: array[int], creditors: array[int], amounts: array[int]) -> tuple[float, int]:
    started = time.perf_counter()
    receivable, payable = net_from_columns(debtors, creditors, amounts, len(SOCIETIES))
    positions = [Position(code, receivable[i], payable[i]) for i, code in enumerate(SOCIETIES)]
    instructions = payments(positions)
    elapsed = time.perf_counter() - started
    assert sum(p.net_minor for p in positions) == 0
    assert len(instructions) <= len(SOCIETIES) - 1
    return elapsed, len(instructions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    generated_at = time.perf_counter()
    columns = _postings(arguments.postings, seed=11)
    generation_s = time.perf_counter() - generated_at
    timings = []
    instructions = 0
    for _ in range(arguments.repeats):
        elapsed, instructions = _net(*columns)
        timings.append(elapsed)
    best, median = min(timings), statistics.median(timings)
    rate = arguments.postings / median
    print(f"netting {arguments.postings:,} postings between {len(SOCIETIES)} societies")
    print(f"  generated in {generation_s:.1f} s (not timed)")
    print(f"  netted in     median {median:.2f} s, best {best:.2f} s   target < {TARGET_S:.0f} s")
    print(f"  throughput    {rate:,.0f} postings/s; {instructions} payment instructions")
    print(
        summary_line(
            "settlement_netting",
            [
                Figure("settlement netting of 10M postings", round(median, 3), "s", TARGET_S, better="lower"),
                Figure("settlement netting throughput", round(rate), "postings/s"),
            ],
            postings=arguments.postings,
            repeats=arguments.repeats,
            best_s=round(best, 3),
            payment_instructions=instructions,
        )
    )


if __name__ == "__main__":
    main()
