"""What every figure module gets: the benchmark register, an actor, a scratch folder, repeat counts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from registry_desk.config import Settings
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database


@dataclass
class BenchContext:
    db: Database  # the generated large register
    settings: Settings  # a scratch data dir (keys, output) for the run
    actor: Actor
    work_dir: Path
    units: int
    repeat: int
    quick: bool = False
