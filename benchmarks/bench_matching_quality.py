"""Benchmark: matching quality on noisy usage data, side by side with Splink (BRIEF §7.1).

Builds the matcher's index from the generated Nordic catalogue (``iter_works(seed, works)``), draws
noisy usage lines with ground truth (``nordclear.matching.usage_generator``: identifiers, damaged titles
and names, wrong ISRCs, titles alone, duplicates, works not in the repertoire), matches every line, and
counts at the auto-accept threshold:

- **precision**: of the lines matched automatically, the share matched to their true work;
- **recall**: of the lines whose work is in the repertoire, the share matched automatically to it.

Both overall and per kind of noise, and over a sweep of thresholds (the matcher is run once at the
lowest, and a line counts as accepted at a threshold when its confidence reaches it), which is how the
default threshold was chosen. Fuzzy throughput is lines without identifiers per second against the
catalogue, one thread.

Then the same catalogue and lines go through **Splink** (probabilistic record linkage, DuckDB backend),
configured as a data team would: the same text normalisation for both sides (so the comparison is of
the linkage, not of the clean-up), exact comparisons of ISRC, ISWC and society work id, Jaro-Winkler on
title, writer and artist, blocking on identifiers, title, and writer with the title's first word; u by
random sampling, m by expectation maximisation. Each line is linked to its best-scoring work and
accepted when the match probability reaches 0.99 (also shown: 0.9 and 0.999). Splink is installed only
for benchmarks (the ``bench`` dependency group, ``make bench``); without it that half is skipped and the
summary says why.

    .venv/bin/python -m benchmarks.bench_matching_quality                      # 200,000 works, 20,000 lines
    .venv/bin/python -m benchmarks.bench_matching_quality --works 1000000 --lines 20000
"""

from __future__ import annotations

import argparse
import gc
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.figures import Figure, summary_line
from nordclear.matching.domain.matcher import DEFAULT_AUTO_ACCEPT_BP, Matcher, MatchIndex
from nordclear.matching.domain.model import MatchStatus, UnitMatch, UsageReference
from nordclear.matching.usage_generator import NoisyUsage, indexed_work, noisy_usage
from nordclear.repertoire.catalogue.generator import GeneratedWork, iter_works
from nordclear.repertoire.search.normalise import normalise_name, normalise_title

PRECISION_TARGET = 0.995
RECALL_TARGET = 0.95
SWEEP_BP = (8_000, 8_500, 9_000, 9_300, 9_500, 9_800, 10_000)
SPLINK_THRESHOLDS = (0.9, 0.99, 0.999)
SPLINK_ACCEPT = 0.99


@dataclass(frozen=True, slots=True)
class _Score:
    precision: float
    recall: float
    accepted: int
    wrong: int


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; the exit status is 0 whatever the figures (it reports, it does not judge)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--works", type=int, default=200_000, help="works in the catalogue (default 200,000)")
    parser.add_argument("--lines", type=int, default=20_000, help="noisy usage lines (default 20,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold-bp", type=int, default=DEFAULT_AUTO_ACCEPT_BP)
    parser.add_argument("--no-splink", action="store_true", help="skip the Splink comparison")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    catalogue = list(iter_works(args.seed, args.works))
    generate_s = time.perf_counter() - started
    started = time.perf_counter()
    index = MatchIndex()
    for work in catalogue:
        index.upsert(indexed_work(work))
    gc.collect()
    build_s = time.perf_counter() - started
    lines = list(noisy_usage(args.seed, args.works, args.lines))
    print(f"catalogue: {args.works:,} works generated in {generate_s:.1f} s, indexed in {build_s:.1f} s")

    matcher = Matcher(index, auto_accept_bp=min(SWEEP_BP), review_floor_bp=6_000)
    outcomes, identifier_s, text_s, text_lines = _match(matcher, lines)
    ours = {threshold: _score(lines, outcomes, threshold) for threshold in SWEEP_BP}
    ours[args.threshold_bp] = _score(lines, outcomes, args.threshold_bp)
    chosen = ours[args.threshold_bp]
    per_noise = _per_noise(lines, outcomes, args.threshold_bp)
    fuzzy_lines_per_s = text_lines / text_s if text_s else 0.0
    matcher_s = identifier_s + text_s
    _print_ours(args, chosen, ours, per_noise, fuzzy_lines_per_s, matcher_s, lines, outcomes)

    splink: dict[str, Any] = (
        {"skipped": "not run (--no-splink)"} if args.no_splink else _splink(catalogue, lines)
    )
    _print_splink(splink)

    splink_name = f"Splink at p>={SPLINK_ACCEPT}"
    precision, recall = round(chosen.precision, 4), round(chosen.recall, 4)
    figures = [
        Figure("precision at the auto-accept threshold", precision, "ratio", PRECISION_TARGET,
               baseline=splink_name, baseline_value=_splink_value(splink, "precision")),
        Figure("recall at the auto-accept threshold", recall, "ratio", RECALL_TARGET,
               baseline=splink_name, baseline_value=_splink_value(splink, "recall")),
        Figure(f"fuzzy matching against {args.works:,} works", round(fuzzy_lines_per_s), "lines/s"),
        Figure("time to match every line (index built)", round(matcher_s, 1), "s", better="lower",
               baseline="Splink train + predict", baseline_value=splink.get("seconds")),
    ]  # fmt: skip
    print(
        summary_line(
            "matching_quality",
            figures,
            works=args.works,
            lines=args.lines,
            seed=args.seed,
            threshold_bp=args.threshold_bp,
            sweep={
                str(t): {"precision": round(s.precision, 4), "recall": round(s.recall, 4)}
                for t, s in sorted(ours.items())
            },
            per_noise=per_noise,
            build_s=round(build_s, 1),
            splink=splink,
        )
    )
    return 0


def _match(matcher: Matcher, lines: list[NoisyUsage]) -> tuple[list[UnitMatch], float, float, int]:
    outcomes: list[UnitMatch] = []
    identifier_s = text_s = 0.0
    text_lines = 0
    for line in lines:
        started = time.perf_counter()
        outcome = matcher.match(line.reference)
        elapsed = time.perf_counter() - started
        if line.reference.has_identifier:
            identifier_s += elapsed
        else:
            text_s += elapsed
            text_lines += 1
        outcomes.append(outcome)
    return outcomes, identifier_s, text_s, text_lines


def _accepted(outcome: UnitMatch, threshold_bp: int) -> bool:
    return outcome.status is MatchStatus.MATCHED and outcome.confidence_bp >= threshold_bp


def _score(lines: list[NoisyUsage], outcomes: list[UnitMatch], threshold_bp: int) -> _Score:
    accepted = right = 0
    positives = sum(1 for line in lines if line.true_work_id is not None)
    for line, outcome in zip(lines, outcomes, strict=True):
        if _accepted(outcome, threshold_bp):
            accepted += 1
            right += outcome.work_id == line.true_work_id
    return _Score(
        right / accepted if accepted else 1.0,
        right / positives if positives else 1.0,
        accepted,
        accepted - right,
    )


def _per_noise(
    lines: list[NoisyUsage], outcomes: list[UnitMatch], threshold_bp: int
) -> dict[str, dict[str, Any]]:
    counts: dict[str, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0, 0]
    )  # lines, accepted, right, review, in repertoire
    for line, outcome in zip(lines, outcomes, strict=True):
        row = counts[line.noise.value]
        row[0] += 1
        row[4] += line.true_work_id is not None
        if _accepted(outcome, threshold_bp):
            row[1] += 1
            row[2] += outcome.work_id == line.true_work_id
        elif outcome.status is not MatchStatus.UNMATCHED:
            row[3] += 1
    return {
        noise: {
            "lines": lines_, "auto_accepted": accepted, "wrong": accepted - right, "to_review": review,
            "precision": round(right / accepted, 4) if accepted else None,
            "recall": round(right / in_repertoire, 4) if in_repertoire else None,
        }
        for noise, (lines_, accepted, right, review, in_repertoire) in sorted(counts.items())
    }  # fmt: skip


def _print_ours(
    args: argparse.Namespace,
    chosen: _Score,
    sweep: dict[int, _Score],
    per_noise: dict[str, dict[str, Any]],
    fuzzy_lines_per_s: float,
    matcher_s: float,
    lines: list[NoisyUsage],
    outcomes: list[UnitMatch],
) -> None:
    review = sum(
        1
        for o in outcomes
        if o.status is MatchStatus.IN_REVIEW
        or (o.status is MatchStatus.MATCHED and o.confidence_bp < args.threshold_bp)
    )
    print(f"\nNordclear matcher, auto-accept at {args.threshold_bp} bp, {len(lines):,} lines:")
    print(
        f"  precision {chosen.precision:.4f}  (target >= {PRECISION_TARGET})   wrong matches: {chosen.wrong}"
    )
    print(f"  recall    {chosen.recall:.4f}  (target >= {RECALL_TARGET})   to review: {review:,}")
    print(f"  fuzzy lines/s against {args.works:,} works: {fuzzy_lines_per_s:,.0f}")
    print(f"  every line matched in {matcher_s:.1f} s")
    print("  threshold sweep (bp: precision / recall):")
    for threshold, score in sorted(sweep.items()):
        print(f"    {threshold:>6}: {score.precision:.4f} / {score.recall:.4f}   ({score.wrong} wrong)")
    print("  per kind of noise (lines, auto-accepted, wrong, to review, recall):")
    for noise, row in per_noise.items():
        recall = "-" if row["recall"] is None else f"{row['recall']:.3f}"
        counts = f"{row['lines']:>6} {row['auto_accepted']:>6} {row['wrong']:>4} {row['to_review']:>6}"
        print(f"    {noise:<22} {counts}  {recall}")


# Splink ------------------------------------------------------------------------------------------


def _splink(catalogue: list[GeneratedWork], lines: list[NoisyUsage]) -> dict[str, Any]:
    try:
        import splink.comparison_library as cl
        from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    except ImportError as error:
        return {
            "skipped": f"Splink is not installed ({error}); run: .tools/bin/uv sync --frozen --group bench"
        }
    started = time.perf_counter()
    # Both inputs carry the same columns; which work a row is of is kept aside, by row number.
    work_rows: list[dict[str, object]] = []
    work_ids: list[str] = []
    for work in catalogue:
        for writer in work.writer_names:
            for recording in work.recordings or (None,):
                work_ids.append(work.work_id)
                work_rows.append(
                    _row(
                        len(work_rows), work.title, writer, recording.main_artist if recording else "",
                        recording.isrc if recording else "", work.iswc,
                        f"{work.society_code}:{work.society_work_id}",
                    )
                )  # fmt: skip
    first_usage_id = len(work_rows)
    usage_rows = [_usage_row(first_usage_id + number, line.reference) for number, line in enumerate(lines)]
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ExactMatch("isrc"),
            cl.ExactMatch("iswc"),
            cl.ExactMatch("society_id"),
            cl.JaroWinklerAtThresholds("title", [0.95, 0.88]),
            cl.JaroWinklerAtThresholds("writer", [0.95, 0.88]),
            cl.JaroWinklerAtThresholds("artist", [0.92]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("isrc"),
            block_on("iswc"),
            block_on("society_id"),
            block_on("title"),
            block_on("writer", "first_word"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(
        [db_api.register(work_rows, table_name="works"), db_api.register(usage_rows, table_name="usage")],
        settings,
        log_level="ERROR",
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("isrc"), block_on("iswc"), block_on("title", "writer")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("title"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("writer", "first_word"))
    trained_s = time.perf_counter() - started
    pairs = linker.inference.predict(threshold_match_probability=min(SPLINK_THRESHOLDS)).as_dict()
    seconds = time.perf_counter() - started
    # Each line's best-scoring work (a work has a row per writer and recording: its best row counts).
    best: dict[int, tuple[float, str]] = {}
    for left, right, probability in zip(
        pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True
    ):
        # Which side is which follows Splink's ordering of the two inputs: tell them apart by id.
        usage_id, work_row = (left, right) if left >= first_usage_id else (right, left)
        line, work_id = usage_id - first_usage_id, work_ids[work_row]
        if line not in best or probability > best[line][0]:
            best[line] = (probability, work_id)
    positives = sum(1 for line in lines if line.true_work_id is not None)
    truth = [line.true_work_id for line in lines]
    result: dict[str, Any] = {
        "seconds": round(seconds, 1),
        "train_s": round(trained_s, 1),
        "pairs_scored": len(pairs["unique_id_l"]),
    }
    for threshold in SPLINK_THRESHOLDS:
        accepted = [(line, work_id) for line, (p, work_id) in best.items() if p >= threshold]
        right = sum(1 for line, work_id in accepted if truth[line] == work_id)
        result[str(threshold)] = {
            "precision": round(right / len(accepted), 4) if accepted else 1.0,
            "recall": round(right / positives, 4),
            "accepted": len(accepted),
            "wrong": len(accepted) - right,
        }
    per_noise: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, (probability, work_id) in best.items():
        if probability < SPLINK_ACCEPT:
            continue
        tally = per_noise[lines[line].noise.value]
        tally[0] += 1
        tally[1] += truth[line] != work_id
    result["per_noise_at_0.99"] = {
        noise: {"accepted": a, "wrong": w} for noise, (a, w) in sorted(per_noise.items())
    }
    return result


def _row(
    unique_id: int, title: str, writer: str, artist: str, isrc: str, iswc: str, society_id: str
) -> dict[str, object]:
    """One input row for Splink, text normalised as the matcher normalises it; empty values as NULL."""
    return {
        "unique_id": unique_id,
        "title": _title(title) or None,
        "first_word": _first_word(title),
        "writer": _name(writer) or None,
        "artist": _name(artist) or None,
        "isrc": isrc or None,
        "iswc": iswc or None,
        "society_id": society_id or None,
    }


def _usage_row(unique_id: int, reference: UsageReference) -> dict[str, object]:
    society_id = (
        f"{reference.society_code}:{reference.society_work_code}" if reference.society_work_code else ""
    )
    writer = reference.writers[0] if reference.writers else ""
    return _row(
        unique_id, reference.title, writer, reference.main_artist, reference.isrc, reference.iswc, society_id
    )


def _title(text: str) -> str:
    return normalise_title(text).strict if text else ""


def _first_word(text: str) -> str | None:
    words = normalise_title(text).strict.split() if text else []
    return words[0] if words else None


def _name(text: str) -> str:
    return normalise_name(text).strict if text else ""


def _splink_value(splink: dict[str, Any], key: str) -> float | None:
    figures = splink.get(str(SPLINK_ACCEPT))
    return figures[key] if isinstance(figures, dict) else None


def _print_splink(splink: dict[str, Any]) -> None:
    if "skipped" in splink:
        print(f"\nSplink: skipped — {splink['skipped']}")
        return
    print(
        f"\nSplink (DuckDB), same catalogue and lines: {splink['seconds']} s ({splink['train_s']} s training)"
    )
    for threshold in SPLINK_THRESHOLDS:
        row = splink[str(threshold)]
        precision, recall = row["precision"], row["recall"]
        print(f"  p >= {threshold}: precision {precision:.4f}, recall {recall:.4f}, wrong {row['wrong']}")


if __name__ == "__main__":
    raise SystemExit(main())
