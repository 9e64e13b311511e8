"""The command-line failures issue #12 lists, one by one: each used to end in a traceback or a hang.

Every case runs `cli.main` in-process and must return (or exit with) 1 or 2 with a Chinese message on
stderr naming what was wrong, and never reach `main`'s last-resort handler.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from registry_desk import cli
from registry_desk.commands import inputs


class Hung(BaseException):  # not an Exception: main's last-resort handler must not swallow it
    pass


def _main(argv: list[str]) -> int:
    def hang(_signum, _frame):
        raise Hung(argv)

    previous = signal.signal(signal.SIGALRM, hang)
    signal.setitimer(signal.ITIMER_REAL, 60)
    try:
        return cli.main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _refused(capsys, argv: list[str], *words: str, code: int = 2) -> str:
    got = _main(argv)
    err = capsys.readouterr().err
    assert got == code, err
    assert "Traceback" not in err and cli.INTERNAL_ERROR_MARK not in err
    assert "错误" in err
    for word in words:
        assert word in err
    return err


@pytest.fixture
def data(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data")]


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.pdf"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda tmp: "/proc/self/mem",
        lambda tmp: str(tmp / "fifo.pdf"),
        lambda tmp: str(tmp),
        lambda tmp: "/dev/zero",
        lambda tmp: str(tmp / "loop.pdf"),
    ],
    ids=["proc-self-mem", "fifo", "directory", "device", "symlink-loop"],
)
def test_verify_refuses_what_is_not_a_regular_file(capsys, tmp_path, data, fifo, make) -> None:
    (tmp_path / "loop.pdf").symlink_to(tmp_path / "loop.pdf")
    _refused(capsys, [*data, "verify", make(tmp_path)], "不能读取")


def test_input_files_are_bounded(tmp_path, monkeypatch) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(inputs.PDF_LIMIT + 1)  # sparse: no 64 MB written
    with pytest.raises(inputs.ValidationError, match="文件过大"):
        inputs.read_pdf(str(big))
    assert inputs.read_start(str(big), 4) == b"%PDF"


@pytest.mark.parametrize(
    "command", [["ecert", "import"], ["seal", "sign", "--org", "centre"], ["restore"]], ids=" ".join
)
def test_every_command_reading_a_file_refuses_a_fifo(capsys, data, fifo, tmp_path, command) -> None:
    argv = [*data, *command, str(fifo)]
    if command[0] == "seal":
        argv.append(str(tmp_path / "out.pdf"))
    _refused(capsys, argv, "管道")


def test_reconcile_refuses_proc_self_mem_as_its_statement(capsys, data) -> None:
    _refused(
        capsys, [*data, "reconcile", "--date", "2026-03-12", "--statement", "/proc/self/mem"], "不能读取"
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql+psycopg://u@10.1.2.3:notaport/db", ["无法识别"]),
        ("postgresql+psycopg://u@10.1.2.3:99999/db", ["端口"]),
        ("postgresql+psycopg://u@[::1/db", ["无法识别"]),
        ("mysql://u@127.0.0.1/db", ["不受支持"]),
        ("postgresql+psycopg2://u@10.1.2.3/db", ["不受支持", "postgresql+psycopg://"]),
        ("postgresql://u@10.1.2.3/db", ["不受支持"]),
        ("sqlite", ["无法识别"]),
        ("数据库", ["无法识别"]),
    ],
)
def test_a_malformed_database_url_is_refused_before_connecting(capsys, data, url, words) -> None:
    _refused(capsys, ["--database-url", url, *data, "check"], "数据库地址", *words)


def test_a_sqlite_url_naming_a_directory_or_fifo_is_refused(capsys, data, tmp_path, fifo) -> None:
    _refused(capsys, ["--database-url", f"sqlite:///{tmp_path}", *data, "check"], "不是普通文件")
    _refused(capsys, ["--database-url", f"sqlite:///{fifo}", *data, "audit", "verify"], "不是普通文件")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-02-30", "２０２６-０３-０１", "soon"])
def test_dates_out_of_the_calendar_are_refused_naming_the_option(capsys, data, tmp_path, day) -> None:
    out = str(tmp_path / "board.pdf")
    _refused(capsys, [*data, "dashboard", "--from", day, "--to", "2026-03-01", "--out", out], "--from")
    _refused(capsys, [*data, "payments", "report", "--from", "2026-03-01", "--to", day], "--to")
    _refused(capsys, [*data, "channel", "statement", "--date", day, "--out", out], "--date")


def test_a_period_ending_before_it_starts_is_refused(capsys, data) -> None:
    _refused(capsys, [*data, "payments", "report", "--from", "2026-03-02", "--to", "2026-03-01"], "早于")


@pytest.mark.parametrize(
    "argv",
    [
        ["loadtest", "--windows", "0"],
        ["loadtest", "--windows", "-2"],
        ["loadtest", "--time-limit", "nan"],
        ["faulttest", "--kills", "0"],
        ["generate", "--units", "0"],
        ["generate", "--units", "99999999999999999999"],
        ["bench", "--units", "-1"],
        ["ecert", "publish-pending", "--limit", "0"],
        ["paper", "threshold", "-5"],
        ["seal", "sign", "--org", "centre", "--page", "1e9", "in.pdf", "out.pdf"],
    ],
    ids=" ".join,
)
def test_numbers_out_of_range_are_refused_before_any_work(capsys, data, argv) -> None:
    option = next((a for a in argv if a.startswith("--") and a != "--org"), "count")
    err = _refused(capsys, [*data, *argv], option)
    assert "超出范围" in err or "不是整数" in err or "不是秒数" in err


@pytest.mark.parametrize("data_dir", ["/dev/null", "/proc/self/mem", "fifo.pdf", "x" * 300])
def test_a_data_dir_that_cannot_be_one_is_refused(capsys, tmp_path, fifo, monkeypatch, data_dir) -> None:
    monkeypatch.chdir(tmp_path)
    _refused(capsys, ["--data-dir", data_dir, "init", "--no-demo"], "数据目录")


@pytest.mark.parametrize("name", ["a" * 5000, "b" * 300 + "/x.db"])
def test_an_output_path_too_long_is_refused(capsys, data, tmp_path, monkeypatch, name) -> None:
    monkeypatch.chdir(tmp_path)
    assert _main([*data, "init", "--no-demo"]) == 0
    capsys.readouterr()
    _refused(capsys, [*data, "backup", "--out", name], "过长")
    _refused(capsys, [*data, "print", "receipt", "X", "--out", name], "过长")


def test_argparse_refusals_are_chinese(capsys, data) -> None:
    _refused(capsys, [*data, "dashboard"], "命令行参数有误")
    _refused(capsys, [*data, "no-such-command"], "命令行参数有误")


def test_the_last_resort_still_answers_in_chinese(capsys, data, monkeypatch) -> None:
    """A genuine bug (not bad input) still ends in a Chinese line and exit 1, not a traceback; the fuzz
    test shows hostile input never gets here."""
    from registry_desk.commands import payments

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(payments, "_report", broken)
    assert _main([*data, "payments", "report", "--from", "2026-03-01", "--to", "2026-03-02"]) == 1
    err = capsys.readouterr().err
    assert cli.INTERNAL_ERROR_MARK in err and "Traceback" not in err


def test_restore_never_writes_over_a_file_that_is_no_database(capsys, data, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _main([*data, "init", "--no-demo"]) == 0
    assert _main([*data, "backup", "--out", "good.bak"]) == 0
    capsys.readouterr()
    letter = tmp_path / "letter.txt"
    letter.write_text("not a database", "utf-8")
    _refused(
        capsys,
        ["--database-url", f"sqlite:///{letter}", *data, "restore", "good.bak", "--force"],
        "不是 SQLite",
    )
    assert letter.read_text("utf-8") == "not a database"


def test_a_password_prompt_with_nothing_to_read_is_refused(capsys, data, monkeypatch) -> None:
    import getpass

    def closed(prompt=""):
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", closed)
    argv = [*data, "user", "add", "root", "--name", "管理员", "--role", "admin"]
    _refused(capsys, argv, "没有读到输入")


def test_loadtest_refuses_a_malformed_database_url_of_its_own(capsys, data) -> None:
    _refused(
        capsys, [*data, "loadtest", "--windows", "1", "--database-url", "mysql://x@127.0.0.1/y"], "不受支持"
    )
    _refused(
        capsys,
        [*data, "faulttest", "--kills", "1", "--database-url", "postgresql+psycopg://x@h:port/y"],
        "无法识别",
    )
