"""Issue #2 figures: unit and party look-ups against raw indexed SQL; cold start against a bare Qt window."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from registry_desk.demo.benchmarks.runner import Figure
from registry_desk.registration import register
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database
from registry_desk.storage.demo.figures import PARTY_SQL, UNIT_SQL, raw_query, sample_keys


@dataclass
class RegisterSample:
    unit_numbers: list[str]
    id_numbers: list[str]


def sample(db: Database, n: int = 500) -> RegisterSample:
    """Keys spread over the whole register (every k-th row), so caches do not flatter either side."""
    units, parties = sample_keys(db, n)
    return RegisterSample(units, parties)


def lookup_figures(db: Database, actor: Actor, keys: RegisterSample, repeat: int) -> list[Figure]:
    raw_unit = raw_query(db, UNIT_SQL)
    raw_party = raw_query(db, PARTY_SQL)
    units, ids = keys.unit_numbers, keys.id_numbers
    # Both sides read the same keys, taking turns at going first; on a cold page cache whichever went first
    # paid the disk, and the medians of two half-cold, half-warm series swung the ratio from 1.3x to 2.2x
    # between runs. The sampled pages are read once beforehand: the figure is what the project adds to the
    # query, not the disk.
    for key in units:
        raw_unit(key)
    for key in ids:
        raw_party(key)
    return [
        Figure(
            "unit with current rights by unit number",
            "#2",
            2.0,
            candidate=lambda i: register.unit_current(db, actor, units[i % len(units)]),
            baseline=lambda i: raw_unit(units[i % len(units)]),
            repeat=repeat,
        ),
        Figure(
            "a party's units by ID number",
            "#2",
            2.0,
            candidate=lambda i: register.party_units(db, actor, ids[i % len(ids)]),
            baseline=lambda i: raw_party(ids[i % len(ids)]),
            repeat=repeat,
        ),
    ]


_BARE_QT = (
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([])\n"
    "w = QMainWindow(); w.show(); app.processEvents()\n"
)


def startup_figures(data_dir: Path, database_url: str, repeat: int) -> list[Figure]:
    """Process start to the login window shown, against a bare QApplication showing an empty QMainWindow;
    and, for the record, process start until signing in is possible (the database opened)."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    base = [
        sys.executable,
        "-m",
        "registry_desk",
        "--data-dir",
        str(data_dir),
        "--database-url",
        database_url,
    ]
    bare_cmd = [sys.executable, "-c", _BARE_QT]

    def run(cmd: list[str], mode: str | None = None) -> None:
        done = subprocess.run(
            cmd,
            env=dict(env, REGISTRY_DESK_EXIT_AFTER_STARTUP=mode) if mode else env,
            capture_output=True,
            timeout=180,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{cmd[:3]} failed (exit {done.returncode}): {done.stderr.decode(errors='replace')[-800:]}"
            )

    run([*base, "init", "--no-demo"])  # an existing, current database: what a window opens every morning
    gui = [*base, "gui", "--no-demo"]
    return [
        Figure(
            "cold start to the login window",
            "#2",
            2.0,
            candidate=lambda i: run(gui, "1"),
            baseline=lambda i: run(bare_cmd),
            repeat=repeat,
            warmup=1,
            note="whole process, exec to the login window shown and the event loop idle (offscreen); "
            "the database opens on a worker thread meanwhile",
        ),
        Figure(
            "cold start until signing in is possible",
            "#2 (record)",
            math.inf,
            candidate=lambda i: run(gui, "ready"),
            baseline=lambda i: run(bare_cmd),
            repeat=repeat,
            warmup=1,
            note="no target: the login window is usable earlier; this is when the database is open and migrated",
        ),
    ]


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def figures(ctx) -> list[Figure]:  # type: ignore[no-untyped-def]
    keys = sample(ctx.db)
    out = lookup_figures(ctx.db, ctx.actor, keys, ctx.repeat)
    startup_dir = ctx.work_dir / "startup"
    startup_dir.mkdir(parents=True, exist_ok=True)
    out.extend(
        startup_figures(
            startup_dir, f"sqlite:///{startup_dir / 'registry.sqlite3'}", max(5, ctx.repeat // 20)
        )
    )
    return out
