"""Run every benchmark of the project and write one report (Markdown and JSON).

Each ``benchmarks/bench_*.py`` prints human-readable figures and, as its last line, one JSON object;
this collects those objects into ``benchmark-report/report.json`` and a Markdown table beside it.

    .venv/bin/python -m benchmarks.run_all [--only NAME] [--output DIR]

Figures depend on the machine and its load; each benchmark prints its target beside its figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).parent


def _run(script: Path) -> dict[str, object]:
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, "-m", f"benchmarks.{script.stem}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=BENCHMARKS.parent,
    )
    elapsed_s = round(time.perf_counter() - started, 1)
    print(result.stdout, end="")
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return {"benchmark": script.stem, "error": result.stderr[-2_000:], "elapsed_s": elapsed_s}
    summary: dict[str, object] = json.loads(lines[-1])
    summary["elapsed_s"] = elapsed_s
    return summary


def _markdown(results: list[dict[str, object]]) -> str:
    lines = [
        "# Benchmark report",
        "",
        "Each figure beside its target (BRIEF §7.1) and, where measured side by side, its baseline.",
        "",
        "| benchmark | figure | value | target | met | baseline | ratio to baseline |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        lines.extend(_figure_rows(result))
    lines += ["", "## Details", ""]
    for result in results:
        shown = {k: v for k, v in result.items() if k not in ("benchmark", "figures")}
        lines.append(f"- **{result['benchmark']}**: `{json.dumps(shown)}`")
    return "\n".join(lines) + "\n"


def _figure_rows(result: dict[str, object]) -> list[str]:
    name = result["benchmark"]
    if "error" in result:
        return [f"| {name} | failed (see report.json) | | | | | |"]
    figures = result.get("figures")
    if not isinstance(figures, list):
        return [f"| {name} | (no figures) | | | | | |"]
    return [f"| {name} | {_figure_cells(figure)} |" for figure in figures]


def _figure_cells(figure: dict[str, Any]) -> str:
    target = figure.get("target")
    shown_target = "" if target is None else f"{'>=' if figure['better'] == 'higher' else '<='} {target:,}"
    met = {True: "yes", False: "**no**", None: ""}[figure.get("met")]
    baseline = figure.get("baseline") or ""
    if figure.get("baseline_value") is not None:
        baseline += f" ({figure['baseline_value']:,})"
    ratio = figure.get("ratio_to_baseline")
    cells = [figure["name"], f"{figure['value']:,} {figure['unit']}", shown_target, met, baseline]
    return " | ".join([*cells, "" if ratio is None else str(ratio)])


def main() -> None:
    """Run the benchmarks and write the report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", help="run only benchmarks whose file name contains this")
    parser.add_argument("--output", type=Path, default=Path("benchmark-report"))
    args = parser.parse_args()
    scripts = sorted(BENCHMARKS.glob("bench_*.py"))
    if args.only:
        scripts = [script for script in scripts if args.only in script.name]
    results = [_run(script) for script in scripts]
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "report.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.output / "report.md").write_text(_markdown(results))
    print(f"wrote {args.output / 'report.md'} and report.json")
    if any("error" in result for result in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
