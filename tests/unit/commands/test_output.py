"""Files are never clobbered (commands/output.py): `--out` refuses an existing file unless --force, never
writes onto the register's database or the data directory's own files, creates no directory, and leaves no
temporary file behind when a write fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from registry_desk.cli import main
from registry_desk.commands.output import write_output
from registry_desk.config import Settings
from registry_desk.domain.errors import ValidationError


@pytest.fixture
def settings(tmp_path) -> Settings:
    data = tmp_path / "data"
    (data / "output").mkdir(parents=True)
    (data / "keys").mkdir()
    (data / "keys" / "centre.key").write_bytes(b"secret")
    database = tmp_path / "register" / "registry.sqlite3"
    database.parent.mkdir()
    database.write_bytes(b"SQLite format 3\0")
    return Settings(data_dir=data, database_url=f"sqlite:///{database}")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_is_written_and_an_existing_one_only_with_force(settings, tmp_path):
    out = tmp_path / "dashboard.pdf"
    assert write_output(str(out), b"%PDF-1 one", settings) == out
    with pytest.raises(ValidationError, match="文件已存在.*--force"):
        write_output(str(out), b"%PDF-1 two", settings)
    assert out.read_bytes() == b"%PDF-1 one"
    write_output(str(out), b"%PDF-1 two", settings, force=True)
    assert out.read_bytes() == b"%PDF-1 two" and _leftovers(tmp_path) == []


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_the_register_database_is_never_written_even_with_force(settings, suffix):
    database = Path(settings.database_url.split("///", 1)[1])
    target = database.with_name(database.name + suffix)
    with pytest.raises(ValidationError, match="登记簿数据库文件"):
        write_output(str(target), b"x", settings, force=True)
    assert database.read_bytes() == b"SQLite format 3\0"


def test_the_data_directory_takes_output_only_in_its_output_and_inbox_folders(settings):
    with pytest.raises(ValidationError, match="数据目录自身的文件"):
        write_output(str(settings.data_dir / "keys" / "centre.key"), b"x", settings, force=True)
    with pytest.raises(ValidationError, match="数据目录自身的文件"):
        write_output(str(settings.data_dir / "keys" / "new.pem"), b"x", settings)
    (settings.data_dir / "demo-accounts.txt").write_text("admin")
    with pytest.raises(ValidationError, match="数据目录自身的文件"):
        write_output(str(settings.data_dir / "demo-accounts.txt"), b"x", settings, force=True)
    assert (settings.data_dir / "keys" / "centre.key").read_bytes() == b"secret"
    assert (settings.data_dir / "demo-accounts.txt").read_text() == "admin"
    assert write_output(str(settings.output_dir / "a.pdf"), b"x", settings).is_file()
    assert write_output(str(settings.output_dir / "a.pdf"), b"y", settings, force=True).read_bytes() == b"y"
    assert write_output(str(settings.data_dir / "new.pdf"), b"x", settings).is_file()


def test_no_directory_is_created(settings, tmp_path):
    with pytest.raises(ValidationError, match="输出目录不存在"):
        write_output(str(tmp_path / "no" / "such" / "dir" / "a.pdf"), b"x", settings)
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("target", ["/dev/null", "/proc/self/mem"])
def test_what_is_not_a_plain_file_is_refused(settings, target):
    with pytest.raises(ValidationError, match="不是普通文件"):
        write_output(target, b"x", settings, force=True)


def test_a_symlink_planted_at_the_output_is_refused(settings, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "out.pdf").symlink_to(victim)
    with pytest.raises(ValidationError, match="不是普通文件"):
        write_output(str(tmp_path / "out.pdf"), b"x", settings, force=True)
    assert victim.read_text() == "keep me"


def test_a_failed_write_leaves_no_temporary_file_and_the_old_file_intact(settings, tmp_path, monkeypatch):
    out = tmp_path / "statement.csv"
    out.write_bytes(b"old")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ValidationError, match="无法写入.*No space left on device.*没有留下任何文件"):
        write_output(str(out), b"new", settings, force=True)
    assert out.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_the_command_line_refuses_clobbering_with_exit_code_2(settings, tmp_path, capsys):
    out = tmp_path / "proof.pdf"
    out.write_bytes(b"%PDF-1 mine")
    base = ["--data-dir", str(settings.data_dir), "--database-url", settings.database_url]
    code = main([*base, "channel", "statement", "--date", "2026-03-12", "--out", str(out)])
    assert code == 2
    assert "文件已存在" in capsys.readouterr().err
    assert out.read_bytes() == b"%PDF-1 mine"
