"""`flowbridge bench`: the benchmark of DESIGN §8 (measured in `engine/bench/`), as a table or JSON."""

from __future__ import annotations

import json
from typing import Any

import click
from sqlalchemy.exc import OperationalError

from ..bench.scenarios import SCENARIOS, run
from ..errors import EngineError
from .app import Refused, one_line


@click.command("bench")
@click.option("--quick", is_flag=True, help="Small sizes, a few seconds in all (CI runs this).")
@click.option(
    "--db",
    "databases",
    multiple=True,
    metavar="URL",
    help="Database to measure on; repeatable. `sqlite` (the default) is a temporary SQLite "
    "file; a PostgreSQL URL gets a temporary schema, dropped afterwards.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Choice(SCENARIOS),
    help="Run only this scenario; repeatable (default: all).",
)
def bench(quick: bool, databases: tuple[str, ...], as_json: bool, scenarios: tuple[str, ...]) -> None:
    """Measure the engine beside SpiffWorkflow alone: medians, p95 and ratios."""

    def progress(message: str) -> None:
        click.echo(f"bench: {message}", err=True)

    try:
        result = run(databases, quick=quick, scenarios=scenarios, progress=progress)
    except EngineError as exc:
        raise Refused(exc.message) from exc
    except OperationalError as exc:
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        raise Refused(f"a benchmark database is unavailable: {one_line(reason)}") from exc
    except ImportError as exc:
        raise Refused(
            f"no database driver: {exc} (for PostgreSQL: pip install 'flowbridge[postgres]')"
        ) from exc
    click.echo(json.dumps(result, indent=2) if as_json else format_table(result))


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "B":
        return f"{value / 1024:.1f} KB" if value >= 1024 else f"{value:.0f} B"
    digits = 0 if value >= 100 else 1 if value >= 10 else 2 if value >= 1 else 3
    return f"{value:.{digits}f} {unit}"


def _notes(record: dict[str, Any]) -> str:
    notes = []
    extra = dict(record["extra"])
    p50, p95 = extra.pop("latency_p50_ms", None), extra.pop("latency_p95_ms", None)
    if p50 is not None and p95 is not None:
        notes.append(f"latency p50 {_number(p50, 'ms')}, p95 {_number(p95, 'ms')}")
    p50, p95 = extra.pop("start_p50_ms", None), extra.pop("start_p95_ms", None)
    if p50 is not None and p95 is not None:
        notes.append(f"starts p50 {_number(p50, 'ms')}, p95 {_number(p95, 'ms')}")
    for key, value in extra.items():
        if value is None:
            continue
        if key == "threads_each":
            notes.append(f"{value} thread{'' if value == 1 else 's'} each")
        elif key == "starters":
            notes.append(f"{value} starting threads")
        elif key == "started_per_second":
            notes.append(f"started {value:,.0f}/s")
        elif key == "per_second":
            notes.append(f"{value:,.0f}/s")
        elif key == "raw_median_ms":
            notes.append(f"raw {_number(value, 'ms')}")
        elif key == "reference_median_ms":
            notes.append(f"ref {_number(value, 'ms')}")
        elif key == "engine_median_ms":
            notes.append(f"in-process {_number(value, 'ms')}")
        elif key == "in_process_per_second":
            notes.append(f"in-process {value:,.0f}/s")
        elif key == "requests_per_second":
            notes.append(f"{value:,.0f} requests/s")
        elif key in ("clients", "open_tasks", "instances", "visible"):
            notes.append(f"{value:,} {key.replace('_', ' ')}")
        elif key == "seeded_seconds":
            notes.append(f"seeded in {value} s")
        elif key == "server":
            notes.append(str(value))
        else:
            notes.append(f"{key}={value}")
    return "; ".join(notes)


def format_table(result: dict[str, Any]) -> str:
    """The run as a plain-text table per database: scenario, figure, median, p95, ratio, n, notes."""
    machine = result["machine"]
    lines = [
        f"Flowbridge bench{' (quick)' if result['quick'] else ''}: Python {machine['python']}, "
        f"SpiffWorkflow {machine['spiffworkflow']}, {machine['cpus']} CPUs, {machine['platform']}",
    ]
    header = ("scenario", "figure", "median", "p95", "ratio", "n", "notes")
    right = {2, 3, 4, 5}
    for entry in result["databases"]:
        rows = []
        for scenario, block in entry["scenarios"].items():
            for record in block["records"]:
                ratio = record["ratio"]
                rows.append(
                    (
                        scenario,
                        record["figure"],
                        _number(record["median"], record["unit"]),
                        _number(record["p95"], record["unit"]),
                        f"{ratio:.2f}x" if ratio is not None else "-",
                        str(record["count"]),
                        _notes(record),
                    )
                )
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

        def line(row: tuple[str, ...], widths: list[int] = widths) -> str:
            cells = [
                cell.rjust(width) if i in right else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(cells).rstrip()

        server = f" ({entry['server']})" if entry["server"] else ""
        lines += [
            "",
            f"Database: {entry['database']}{server}",
            line(header),
            line(tuple("-" * w for w in widths)),
        ]
        lines += [line(row) for row in rows]
    lines += [
        "",
        "ratio: auto and human, the median over SpiffWorkflow alone (raw) measured beside it in the",
        "same run; loop steps, over a young instance's steps (ref, at the first point) taken at the",
        "same moments; loop state, over the state at the first point. async: round trip from `start`",
        "returning to the worker's step committed, one instance at a time; instances/s from the first",
        "start of a burst to its last end, with each instance's start-to-end latency in the burst.",
        "tasklist: GET /api/tasks?mine=true from one client against `flowbridge serve`, over the",
        "same query in-process beside it. instances: GET /api/process-instances?limit=50 the same way,",
        "as a participant of a few and as an administrator. http: instances/s from concurrent clients",
        "through the API (in-process: as many threads calling the engine), ratio the in-process rate",
        "over it.",
    ]
    return "\n".join(lines)
