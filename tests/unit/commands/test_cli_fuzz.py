"""No traceback from any command: every subcommand the parser knows, driven with hostile options and paths.

The subcommands are found by walking `cli.build_parser()`, so a new command is fuzzed without editing this
file. Each invocation runs `cli.main(argv)` in-process (under an alarm, so a hang fails the test instead of
stalling the suite) and must end with 0 (the input was fine after all), 1 (refused, or a negative verdict)
or 2 (bad input), say why in Chinese, print no traceback, never reach `main`'s last-resort handler, and write
nothing outside its own temporary folder. Hostile database URLs never reach a server other than loopback:
those naming another host are malformed and must be refused before any connection is tried.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry_desk import cli
from tests.conftest import migrated_postgres, postgres_base_url, suite_setting

# The clerk window and the kiosk window open a GUI; they are not command-line work.
WINDOW_COMMANDS = {("gui",), ("kiosk",)}
# Commands that start long work get, besides their hostile options, one size that must be refused at once.
LONG_WORK = {
    ("generate",): ("--units", ["0", "-1", "10000000000000", "abc"]),
    ("bench",): ("--units", ["0", "-5", "10000000000000", "1e6"]),
    ("loadtest",): ("--windows", ["0", "-1", "100000", "x"]),
    ("faulttest",): ("--kills", ["0", "-1", "1000000000", "x"]),
    ("ecert", "seed-demo"): ("--limit", ["0", "1", "-1"]),
    ("ecert", "publish-pending"): ("--limit", ["0", "1", "-1"]),
}
SECONDS_PER_INVOCATION = 60
# About a minute for the whole file on 2 cores; REGISTRY_DESK_TEST_CLI_FUZZ_EXAMPLES=200 explores further.
EXAMPLES = int(suite_setting("REGISTRY_DESK_TEST_CLI_FUZZ_EXAMPLES") or 14)
CJK = re.compile(r"[\u4e00-\u9fff]")
LAST_RESORT_MARK = cli.INTERNAL_ERROR_MARK


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, child in subs[0].choices.items():
        yield from _leaves(child, (*path, name))


COMMANDS = [(path, p) for path, p in _leaves(cli.build_parser()) if path and path not in WINDOW_COMMANDS]


@dataclass
class World:
    root: Path
    data_dir: Path
    database: Path
    paths: list[str]
    urls: list[str | None]


def _make_world(root: Path) -> World:
    data_dir = root / "data"
    assert cli.main(["--data-dir", str(data_dir), "init", "--no-demo"]) == 0
    database = data_dir / "registry.sqlite3"
    (root / "a-dir").mkdir()
    fifo = root / "fifo.pdf"
    os.mkfifo(fifo)
    loop = root / "loop.pdf"
    loop.symlink_to(loop)
    (root / "garbage.pdf").write_bytes(b"%PDF-1.7\n\x00\xff garbage \n%%EOF")
    (root / "empty.csv").write_bytes(b"")
    (root / "text.json").write_text('{"not": "a contract"', "utf-8")
    odd = root / "\u202e\u0301名称\U0001f600 ﻿.pdf"
    odd.write_bytes(b"not a pdf at all")
    (root / "outside").mkdir()
    (root / "outside" / "existing.txt").write_text("keep me", "utf-8")
    paths = [
        str(root / "missing.pdf"),
        str(root / "no-such-dir" / "out.pdf"),
        str(root / "a-dir"),
        "/dev/null",
        "/proc/self/mem",
        str(fifo),
        str(loop),
        str(root / ("长" * 200 + ".pdf")),
        str(root / "/".join(["deep"] * 2000)),
        str(odd),
        str(root / "garbage.pdf"),
        str(root / "empty.csv"),
        str(root / "text.json"),
        str(database),
        str(data_dir),
        str(data_dir / "keys" / "x.pem"),
        str(root / "outside" / "existing.txt"),
        "~/x.pdf",
        "",
        "-",
    ]
    urls: list[str | None] = [
        None,  # the data dir's own register
        "",
        "sqlite",
        "sqlite:",
        "sqlite://",
        "sqlite:////proc/self/mem",
        f"sqlite:///{root / 'a-dir'}",
        f"sqlite:///{fifo}",
        f"sqlite:///{root / 'garbage.pdf'}",
        f"sqlite:///{root / ('x' * 300)}",
        f"sqlite:///{root / 'fresh' / 'new.sqlite3'}",
        "mysql://user@127.0.0.1/db",
        "oracle+cx_oracle://u:p@10.1.2.3/db",
        "http://10.1.2.3/db",
        "postgresql+nosuchdriver://u@127.0.0.1/db",
        "postgresql+psycopg2://u@10.1.2.3/db",
        "postgresql+psycopg://u@10.1.2.3:notaport/db",
        "postgresql+psycopg://u@10.1.2.3:99999/db",
        "postgresql+psycopg://u@[::1/db",
        "postgresql+psycopg://u:p@127.0.0.1:1/db",  # loopback, nothing listens: refused at once
        "数据库",
        "://",
    ]
    return World(root, data_dir, database, paths, urls)


DATES = [
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "2026-13-01",
    "garbage",
    "",
    "２０２６-０３-０１",
    "2026-03-01T25:00",
]
NUMBERS = [
    "0",
    "-1",
    "-99999999999",
    "99999999999999999999",
    "1e9",
    "nan",
    "inf",
    "-inf",
    "abc",
    " 7",
    "1_000",
]
TEXTS = [
    "",
    " ",
    "\u202e\u0301",
    "𠀀" * 300,
    "' OR 1=1 --",
    "%s%n{0}",
    "a" * 5000,
    "宁(2026)中卫市不动产权第0000001号",
]


def _values(world: World) -> st.SearchStrategy[str]:
    return st.sampled_from(world.paths + DATES + NUMBERS + TEXTS)


def _option_value(action: argparse.Action, world: World) -> st.SearchStrategy[str]:
    if action.choices:
        return st.one_of(st.sampled_from([str(c) for c in action.choices]), _values(world))
    return _values(world)


def _invocation(path: tuple[str, ...], parser: argparse.ArgumentParser, world: World):
    parts: list[st.SearchStrategy[list[str]]] = [
        st.sampled_from([None] * 30 + world.urls).map(
            lambda url: [] if url is None else ["--database-url", url]
        ),
        st.sampled_from([str(world.data_dir)] * 20 + world.paths[2:9]).map(lambda d: ["--data-dir", d]),
        st.just(list(path)),
    ]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if not action.option_strings:
            parts.append(_option_value(action, world).map(lambda v: [v]))
            continue
        flag = action.option_strings[-1]
        if action.nargs == 0:
            parts.append(st.sampled_from([[], [flag]]))
        elif action.required:
            parts.append(_option_value(action, world).map(lambda v, f=flag: [f, v]))
        else:
            parts.append(st.one_of(st.just([]), _option_value(action, world).map(lambda v, f=flag: [f, v])))
    if path in LONG_WORK:
        flag, refused = LONG_WORK[path]
        parts.append(st.sampled_from(refused).map(lambda v, f=flag: [f, v]))
    return st.tuples(*parts).map(lambda chunks: [item for chunk in chunks for item in chunk])


class Hang(BaseException):  # not an Exception: main's last-resort handler must not swallow it
    pass


def _alarm(_signum, _frame):
    raise Hang


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_INVOCATION)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(argv)
            except SystemExit as exit_:  # argparse's refusals
                code = exit_.code if isinstance(exit_.code, int) else 2
    except Hang:
        pytest.fail(f"hung for {SECONDS_PER_INVOCATION} s: {argv!r}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    made = _make_world(tmp_path_factory.mktemp("cli-fuzz"))
    base = postgres_base_url()
    if base is None:
        yield made
        return
    # On PostgreSQL too: a schema of its own on the loopback test server, dropped afterwards.
    with migrated_postgres(base) as pg:
        made.urls.extend([pg.url] * 8)
        yield made


@pytest.fixture
def quiet_prompts(monkeypatch: pytest.MonkeyPatch, world: World) -> None:
    # A password prompt reads the terminal; here it gets a wrong password, as a stranger at the keyboard would.
    import getpass

    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "not-the-password-1")
    monkeypatch.setenv("HOME", str(world.root / "outside"))
    monkeypatch.chdir(world.root)


def _snapshot(folder: Path) -> dict[str, tuple[int, float]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime) for p in folder.iterdir() if p.is_file()}


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS])
def test_hostile_invocation_gets_a_clear_refusal(path, parser, world: World, quiet_prompts) -> None:
    outside = world.root.parent
    before = sorted(p.name for p in outside.iterdir())

    @settings(
        max_examples=EXAMPLES,
        derandomize=EXAMPLES <= 14,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(argv=_invocation(path, parser, world))
    def check(argv: list[str]) -> None:
        code, out, err = _run(argv)
        shown = f"{[a[:120] for a in argv]!r}\nstdout: {out[-800:]}\nstderr: {err[-1500:]}"
        assert "Traceback" not in out + err, shown
        assert LAST_RESORT_MARK not in err, shown
        assert code in (0, 1, 2), shown
        if code == 2:
            assert CJK.search(err), shown
        elif code == 1:
            assert CJK.search(err + out), shown
        if "--force" not in argv:
            assert (world.root / "outside" / "existing.txt").read_text("utf-8") == "keep me", shown
        assert not list(world.root.glob("**/.*.tmp")), shown

    check()
    assert sorted(p.name for p in outside.iterdir()) == before


def test_every_command_is_fuzzed() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"verify", "seal sign", "restore", "reconcile", "loadtest", "quote", "dashboard"} <= names
