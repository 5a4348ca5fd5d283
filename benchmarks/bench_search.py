"""Benchmark: fuzzy work search over a generated Nordic catalogue (BRIEF §7.1: p95 ≤ 50 ms at 1,000,000).

Builds a ``WorkIndex`` from ``iter_works(seed, works)`` (titles, alternate titles, writer names), then
runs noisy queries drawn from the catalogue with ground truth: each query is a work's title with one kind
of usage-report noise (typo, Nordic letters stripped or transliterated, case, "feat." credit, remaster,
live or edit suffix), asked twice, once by title alone and once with one writer's name (itself noisy:
"Taube, Evert", upper case, stripped letters). It prints build time, memory, latency percentiles and
top-1 accuracy, then one line of JSON with the same figures for machines to read.

Accuracy is reported three ways, because without creators works that share a title cannot be told apart
by any title search: ``work`` (the right work first), ``title`` (a work with the right title first), and
``work_with_creator``. Latencies are wall-clock per ``search`` call in one thread, garbage collector on.

Memory is the resident set size the index adds (measured before and after the build, after a full
collection), next to the process peak. Run:

    .venv/bin/python -m benchmarks.bench_search                 # 1,000,000 works, 2,000 queries
    .venv/bin/python -m benchmarks.bench_search --works 200000 --queries 1000
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import Figure, summary_line
from nordclear.repertoire.catalogue.generator import GeneratedWork, generate_work, iter_works
from nordclear.repertoire.catalogue.noise import NoiseKind, noisy_name, noisy_variant
from nordclear.repertoire.search.index import WorkIndex
from nordclear.repertoire.search.normalise import strict_key

_WARM_UP_QUERIES = 20
_PROGRESS_EVERY_WORKS = 100_000
_P95_TARGET_MS = 50.0


@dataclass(frozen=True, slots=True)
class _Query:
    work: GeneratedWork
    text: str
    kind: NoiseKind
    creator: str


@dataclass(slots=True)
class _Results:
    title_only_ms: list[float]
    with_creator_ms: list[float]
    right_work: int = 0
    right_title: int = 0
    right_work_with_creator: int = 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit status is 0 whatever the figures (it reports, it does not judge)."""
    arguments = _parse(argv)
    index, generate_s, build_s, index_rss_mb = _build(arguments.seed, arguments.works)
    queries = _queries(arguments.seed, arguments.works, arguments.queries)
    for query in queries[:_WARM_UP_QUERIES]:
        index.search(query.text, creators=[query.creator])
    results, misses_by_kind, count_by_kind = _run(index, queries, arguments.seed)
    summary = _summary(arguments, generate_s, build_s, index_rss_mb, results, len(queries))
    _print_report(summary, misses_by_kind, count_by_kind)
    latency_ms = summary["latency_ms"]
    assert isinstance(latency_ms, dict)
    figures = [
        Figure(
            f"SearchWorks p95 over {arguments.works:,} works",
            latency_ms["p95"],
            "ms",
            target=_P95_TARGET_MS,
            better="lower",
        ),
        Figure(
            "right work ranked first (title + creator queries)",
            float(str(summary["top1_work_with_creator"])),
            "share",
        ),
    ]
    print(
        summary_line("repertoire_search", figures, **{k: v for k, v in summary.items() if k != "benchmark"})
    )
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--works", type=int, default=1_000_000, help="works in the index (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=2_000, help="noisy queries (each asked twice)")
    parser.add_argument("--seed", type=int, default=1, help="catalogue and noise seed")
    arguments = parser.parse_args(argv)
    if arguments.works < 1 or arguments.queries < 1:
        parser.error("--works and --queries must be at least 1")
    return arguments


def _build(seed: int, works: int) -> tuple[WorkIndex, float, float, float]:
    """The index over ``works`` generated works, generation and indexing seconds, and the RSS it adds."""
    gc.collect()
    rss_before_mb = _current_rss_mb()
    index = WorkIndex()
    build_s = 0.0
    started = time.perf_counter()
    for count, work in enumerate(iter_works(seed, works), start=1):
        add_started = time.perf_counter()
        index.add(work.work_id, work.title, work.alternate_titles, work.writer_names)
        build_s += time.perf_counter() - add_started
        if count % _PROGRESS_EVERY_WORKS == 0:
            print(f"  indexed {count:,} works", file=sys.stderr, flush=True)
    generate_s = time.perf_counter() - started - build_s
    gc.collect()
    return index, generate_s, build_s, _current_rss_mb() - rss_before_mb


def _queries(seed: int, works: int, count: int) -> list[_Query]:
    rng = random.Random(seed * 7_919 + 1)  # noqa: S311 - reproducible benchmark data, not security
    chosen = (
        rng.sample(range(works), min(count, works)) if count <= works else rng.choices(range(works), k=count)
    )
    queries = []
    for work_index in chosen:
        work = generate_work(seed, work_index)
        noisy = noisy_variant(work.title, rng)
        creator = noisy_name(rng.choice(work.writer_names), rng).text
        queries.append(_Query(work, noisy.text, noisy.kind, creator))
    return queries


def _run(
    index: WorkIndex, queries: Sequence[_Query], seed: int
) -> tuple[_Results, Counter[str], Counter[str]]:
    results = _Results([], [])
    misses_by_kind: Counter[str] = Counter()
    count_by_kind: Counter[str] = Counter()
    for query in queries:
        started = time.perf_counter()
        title_hits = index.search(query.text)
        results.title_only_ms.append((time.perf_counter() - started) * 1_000)
        started = time.perf_counter()
        creator_hits = index.search(query.text, creators=[query.creator])
        results.with_creator_ms.append((time.perf_counter() - started) * 1_000)
        right_title_hit = bool(title_hits) and title_hits[0].work_id == query.work.work_id
        results.right_work += right_title_hit
        results.right_title += bool(title_hits) and (
            strict_key(_title_of(seed, title_hits[0].work_id)) == strict_key(query.work.title)
        )
        right_creator_hit = bool(creator_hits) and creator_hits[0].work_id == query.work.work_id
        results.right_work_with_creator += right_creator_hit
        count_by_kind[query.kind.value] += 1
        misses_by_kind[query.kind.value] += not right_creator_hit
    return results, misses_by_kind, count_by_kind


def _title_of(seed: int, work_id: str) -> str:
    # Work ids are "NCW" and the generator index, so a hit's title is regenerated rather than stored.
    return generate_work(seed, int(work_id.removeprefix("NCW"))).title


def _summary(
    arguments: argparse.Namespace,
    generate_s: float,
    build_s: float,
    index_rss_mb: float,
    results: _Results,
    query_count: int,
) -> dict[str, object]:
    combined_ms = results.title_only_ms + results.with_creator_ms
    return {
        "benchmark": "repertoire.search",
        "works": arguments.works,
        "queries": query_count,
        "seed": arguments.seed,
        "python": platform.python_version(),
        "generate_s": round(generate_s, 1),
        "build_s": round(build_s, 1),
        "build_works_per_s": round(arguments.works / build_s) if build_s else None,
        "index_rss_mb": round(index_rss_mb),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "latency_ms": _percentiles(combined_ms),
        "latency_title_only_ms": _percentiles(results.title_only_ms),
        "latency_with_creator_ms": _percentiles(results.with_creator_ms),
        "p95_target_ms": _P95_TARGET_MS,
        "top1_work": round(results.right_work / query_count, 4),
        "top1_title": round(results.right_title / query_count, 4),
        "top1_work_with_creator": round(results.right_work_with_creator / query_count, 4),
    }


def _percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def rank(fraction: float) -> float:
        # Nearest rank: the smallest sample with at least ``fraction`` of the samples at or below it.
        return round(ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))], 2)

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": round(ordered[-1], 2)}


def _print_report(
    summary: dict[str, object], misses_by_kind: Counter[str], count_by_kind: Counter[str]
) -> None:
    print(f"fuzzy search over {summary['works']:,} generated works, {summary['queries']:,} noisy queries")
    print(f"  generate          {summary['generate_s']} s (catalogue generator, not the index)")
    print(f"  build             {summary['build_s']} s ({summary['build_works_per_s']:,} works/s)")
    print(
        f"  memory            index +{summary['index_rss_mb']} MB RSS, "
        f"process peak {summary['peak_rss_mb']} MB"
    )
    for label, key in (
        ("latency all", "latency_ms"),
        ("  title only", "latency_title_only_ms"),
        ("  with creator", "latency_with_creator_ms"),
    ):
        figures = summary[key]
        assert isinstance(figures, dict)
        print(
            f"  {label:<17} p50 {figures['p50']} ms, p95 {figures['p95']} ms, p99 {figures['p99']} ms, "
            f"max {figures['max']} ms (target p95 <= {_P95_TARGET_MS:g} ms)"
        )
    print(
        f"  top-1             work {summary['top1_work']}, title {summary['top1_title']}, "
        f"work with creator {summary['top1_work_with_creator']}"
    )
    for kind in sorted(count_by_kind):
        hit_rate = 1 - misses_by_kind[kind] / count_by_kind[kind]
        print(f"    {kind:<22} {count_by_kind[kind]:>5} queries, top-1 with creator {hit_rate:.4f}")


def _current_rss_mb() -> float:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    # Without /proc (macOS), the peak is the best figure there is.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
