"""Several windows opening the embedded payment channel on a fresh data dir at the same moment.

CI once saw one window refused with "database is locked" while four load-test windows switched the
new channel file to WAL together, and the key file could be read by one process while another was
still writing it. Every window must come up, with one and the same key.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from registry_desk.domain.errors import ValidationError
from registry_desk.payments.local_channel import LocalChannel, load_or_create_key

PROCESSES = 4
ROUNDS = 12


def _open_channels(root: str, barrier, results) -> None:  # runs in a spawned process
    outcome: list[str] = []
    for n in range(ROUNDS):
        barrier.wait(timeout=60)
        try:
            channel = LocalChannel(Path(root) / f"round{n}")
            outcome.append(channel._key.hex())
        except Exception as exc:  # reported back to the test, which fails with it
            outcome.append(f"error: {type(exc).__name__}: {exc}")
    results.put(outcome)


@pytest.mark.slow
def test_windows_starting_together_all_open_the_channel_with_one_key(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_open_channels, args=(str(tmp_path), barrier, results)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=180) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    errors = [entry for outcome in outcomes for entry in outcome if entry.startswith("error")]
    assert errors == []
    for n in range(ROUNDS):
        keys = {outcome[n] for outcome in outcomes}
        assert len(keys) == 1, f"round {n}: windows hold different channel keys"
        assert (tmp_path / f"round{n}" / "channel" / "channel.key").read_text("ascii") == keys.pop()
    assert not list(tmp_path.glob("round*/channel/*.tmp")), "a temporary key file was left behind"


def test_a_damaged_key_file_is_refused_by_name_not_used(tmp_path):
    key_file = tmp_path / "channel.key"
    key_file.write_text("", "ascii")  # as a crash between create and write once could leave it
    with pytest.raises(ValidationError, match="密钥文件损坏") as caught:
        load_or_create_key(key_file)
    assert str(key_file) in str(caught.value)
