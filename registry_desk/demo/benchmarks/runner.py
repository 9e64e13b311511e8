"""Measuring figures: candidate and baseline interleaved in one run, medians, ratios, a Markdown table."""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone


@dataclass
class Figure:
    """One target: `candidate` must stay within `target` times `baseline`. Both take the iteration index
    (so each call can use a different key) and do the work once."""

    name: str
    issue: str
    target: float
    candidate: Callable[[int], object]
    baseline: Callable[[int], object]
    repeat: int = 200
    warmup: int = 5
    unit: str = "ms"
    note: str = ""


@dataclass
class Result:
    figure: Figure
    candidate_median_s: float
    baseline_median_s: float
    candidate_samples: list[float] = field(repr=False, default_factory=list)

    @property
    def ratio(self) -> float:
        return self.candidate_median_s / self.baseline_median_s if self.baseline_median_s else math.inf

    @property
    def met(self) -> bool:
        return self.ratio <= self.figure.target


def measure(figure: Figure, *, repeat: int | None = None) -> Result:
    n = repeat or figure.repeat
    for i in range(figure.warmup):
        figure.baseline(i)
        figure.candidate(i)
    cand: list[float] = []
    base: list[float] = []
    clock = time.perf_counter
    for i in range(figure.warmup, figure.warmup + n):
        # Interleave so that a noisy neighbour slows both sides alike. Indices continue after the warm-up's,
        # so a figure that consumes its inputs (a case recorded once) never repeats one.
        if i % 2:
            t0 = clock()
            figure.baseline(i)
            t1 = clock()
            figure.candidate(i)
            t2 = clock()  # noqa: E702
            base.append(t1 - t0)
            cand.append(t2 - t1)
        else:
            t0 = clock()
            figure.candidate(i)
            t1 = clock()
            figure.baseline(i)
            t2 = clock()  # noqa: E702
            cand.append(t1 - t0)
            base.append(t2 - t1)
    return Result(figure, statistics.median(cand), statistics.median(base), cand)


def _fmt(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.3f} ms"


def machine_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def _target(target: float) -> str:
    return "—" if target == math.inf else f"≤ {target:g}x"


def _met(r: Result) -> str:
    if r.figure.target == math.inf:
        return "(record)"
    return "yes" if r.met else "**no**"


def table(results: Iterable[Result], *, context: str) -> str:
    lines = [
        f"Benchmark run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {machine_line()}.",
        f"{context}",
        "",
        "| issue | figure | candidate (median) | baseline (median) | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.figure.issue} | {r.figure.name} | {_fmt(r.candidate_median_s)} | {_fmt(r.baseline_median_s)} "
            f"| {r.ratio:.2f}x | {_target(r.figure.target)} | {_met(r)} |"
        )
    notes = [r.figure for r in results if r.figure.note]
    if notes:
        lines.append("")
        lines.extend(f"- {f.name}: {f.note}" for f in notes)
    return "\n".join(lines) + "\n"
