"""Opening a database: unreachable, corrupt or foreign databases give a clear Chinese message."""

import pytest

from registry_desk import config
from registry_desk.bootstrap import open_database
from registry_desk.storage.database import DatabaseUnavailable


def test_unreachable_server_is_named_without_its_password(tmp_path):
    settings = config.resolve("postgresql+psycopg://desk:s3cret@127.0.0.1:1/registry", tmp_path)
    with pytest.raises(DatabaseUnavailable) as err:
        open_database(settings)
    assert "无法连接数据库" in str(err.value)
    assert "127.0.0.1:1/registry" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_corrupt_sqlite_file_is_refused_clearly(tmp_path):
    path = tmp_path / "registry.sqlite3"
    path.write_bytes(b"this is not a database, it is a scanned receipt" * 100)
    settings = config.resolve(f"sqlite:///{path}", tmp_path)
    with pytest.raises(DatabaseUnavailable, match="数据库"):
        open_database(settings)
    assert path.read_bytes().startswith(b"this is not a database")  # nothing overwritten


def test_init_command_reports_and_is_idempotent(tmp_path, capsys):
    from registry_desk.cli import main

    assert main(["--data-dir", str(tmp_path), "init", "--no-demo"]) == 0
    assert main(["--data-dir", str(tmp_path), "init", "--no-demo"]) == 0
    out = capsys.readouterr().out
    assert "数据库已就绪" in out and (tmp_path / "registry.sqlite3").exists()


def test_command_reports_an_unreachable_database_with_exit_status_2(tmp_path, capsys):
    from registry_desk.cli import main

    status = main(
        [
            "--database-url",
            "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "--data-dir",
            str(tmp_path),
            "audit",
            "verify",
        ]
    )
    assert status == 2
    assert "错误：无法连接数据库" in capsys.readouterr().err


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv(config.ENV_DATA_DIR, str(tmp_path / "d"))
    monkeypatch.delenv(config.ENV_DATABASE_URL, raising=False)
    s = config.resolve()
    assert (
        s.data_dir == tmp_path / "d" and s.database_url == f"sqlite:///{tmp_path / 'd' / 'registry.sqlite3'}"
    )
    monkeypatch.setenv(config.ENV_DATABASE_URL, "postgresql+psycopg://x@h/db")
    assert config.resolve().database_url == "postgresql+psycopg://x@h/db"
    assert config.resolve("sqlite:///other.db").database_url == "sqlite:///other.db"
