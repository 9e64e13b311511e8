"""`registry-desk print certificate|receipt` and `registry-desk ecert list|show|export|import`, run in-process
as a clerk would type them: exit 0 on success, 2 on a refusal, 1 when a file fails verification."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from registry_desk import config
from registry_desk.cli import main
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade
from tests.unit.exemptions.ecert.register import BUYER, STRANGER, build_tiny_register


def run(data_dir: Path, *args) -> int:
    return main(["--data-dir", str(data_dir), *map(str, args)])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A data directory with the tiny register in its default SQLite database and no seal keys yet."""
    data_dir = tmp_path_factory.mktemp("cli-data")
    db = Database(config.resolve(None, data_dir).database_url)
    try:
        upgrade(db.engine)
        reg = build_tiny_register(db)
    finally:
        db.dispose()
    return data_dir, reg


@pytest.fixture(scope="module")
def printed_other(installed, tmp_path_factory) -> Path:
    data_dir, reg = installed
    out = tmp_path_factory.mktemp("out") / "other.pdf"
    assert run(data_dir, "print", "certificate", reg.other_certificate, "--out", out) == 0
    return out


def test_print_certificate_with_full_width_brackets_then_verify(installed, tmp_path, capsys):
    data_dir, reg = installed
    (tmp_path / "sub").mkdir()  # --out creates no directory
    out = tmp_path / "sub" / "buyer.pdf"
    full_width = reg.buyer_certificate.replace("(", "（").replace(")", "）")
    assert run(data_dir, "print", "certificate", full_width, "--out", out) == 0
    printed = capsys.readouterr().out
    assert f"已输出不动产权证书 {reg.buyer_certificate}" in printed and "注意" not in printed
    assert run(data_dir, "verify", out) == 0
    assert "结论：验证通过" in capsys.readouterr().out


def test_reprinting_a_cancelled_certificate_warns(installed, tmp_path, capsys):
    data_dir, reg = installed
    assert run(data_dir, "print", "certificate", reg.couple_certificate, "--out", tmp_path / "old.pdf") == 0
    assert "该不动产权证书已注销，补打件仅供查档" in capsys.readouterr().out


def test_print_receipt(installed, tmp_path, capsys):
    data_dir, reg = installed
    out = tmp_path / "receipt.pdf"
    assert run(data_dir, "print", "receipt", reg.open_case, "--out", out) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert run(data_dir, "verify", out) == 0


def test_unknown_numbers_are_refused_with_exit_2(installed, tmp_path, capsys):
    data_dir, _ = installed
    assert (
        run(
            data_dir, "print", "certificate", "宁(2026)中卫市不动产权第0000099号", "--out", tmp_path / "x.pdf"
        )
        == 2
    )
    assert "错误：没有证号为 宁(2026)中卫市不动产权第0000099号 的证书或证明" in capsys.readouterr().err
    assert run(data_dir, "print", "receipt", "209901010001", "--out", tmp_path / "y.pdf") == 2
    assert "没有业务号为 209901010001 的业务" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "y.pdf").exists()


def test_import_list_show_export(installed, printed_other, tmp_path, capsys):
    data_dir, reg = installed
    capsys.readouterr()
    assert run(data_dir, "ecert", "import", printed_other) == 0
    imported = capsys.readouterr().out
    assert "已导入电子证照 1.2.156.3005.2.11100000MB03271699001.640500.20210000203.001." in imported
    ecert_id = re.search(r"1\.2\.156\.3005\.2\.[0-9A-Z.]+", imported).group(0)

    assert run(data_dir, "ecert", "list", "--holder", STRANGER[1]) == 0
    listing = capsys.readouterr().out
    assert ecert_id in listing and "现势" in listing and "共 1 本" in listing
    assert run(data_dir, "ecert", "list", "--unit", reg.other_flat, "--status", "cancelled") == 0
    assert "没有符合条件的电子证照" in capsys.readouterr().out

    assert run(data_dir, "ecert", "show", ecert_id) == 0
    shown = capsys.readouterr().out
    assert f"持证人：{STRANGER[0]}（居民身份证，代码 111）{STRANGER[1]}" in shown
    assert "核验：通过" in shown and reg.other_certificate in shown

    out = tmp_path / "export.pdf"
    assert run(data_dir, "ecert", "export", ecert_id, "--out", out) == 0
    assert out.read_bytes() == printed_other.read_bytes()

    # The same file again: it is already there (a refusal, exit 2), and nothing is overwritten.
    assert run(data_dir, "ecert", "import", printed_other) == 2
    assert "已在电子证照库中" in capsys.readouterr().err


def test_import_refuses_a_tampered_file(installed, printed_other, tmp_path, capsys):
    data_dir, _ = installed
    data = printed_other.read_bytes()
    at = data.index(b"/Producer")
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(data[:at] + b"/Producxr" + data[at + 9 :])
    assert run(data_dir, "ecert", "import", bad) == 1
    assert "文件签章无效，拒绝导入：文件在盖章后被修改" in capsys.readouterr().err


def test_import_refuses_a_file_sealed_by_another_installation(installed, tmp_path, capsys):
    data_dir, reg = installed
    # Same register, different keys: a forger's copy of a genuine certificate.
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "registry.sqlite3").write_bytes((data_dir / "registry.sqlite3").read_bytes())
    forged = tmp_path / "forged.pdf"
    assert run(stranger, "print", "certificate", reg.buyer_certificate, "--out", forged) == 0
    capsys.readouterr()
    assert run(data_dir, "ecert", "import", forged) == 1
    assert "签章人不在信任列表中" in capsys.readouterr().err
    assert run(data_dir, "ecert", "list", "--holder", BUYER[1]) == 0
    assert "没有符合条件的电子证照" in capsys.readouterr().out


def test_show_reports_a_damaged_ecert_with_exit_1(installed, printed_other, tmp_path, capsys):
    data_dir, _reg = installed
    store_dir = data_dir / "ecerts"
    run(data_dir, "ecert", "import", printed_other)  # may already be there from another test
    capsys.readouterr()
    ecert_id = next((store_dir / "records").glob("*.json")).stem
    pdf_path = store_dir / "pdf" / f"{ecert_id}.pdf"
    original = pdf_path.read_bytes()
    try:
        pdf_path.write_bytes(original + b"\n% appended\n")
        assert run(data_dir, "ecert", "show", ecert_id) == 1
        assert "核验：未通过" in capsys.readouterr().out
    finally:
        pdf_path.write_bytes(original)


def test_show_and_import_of_missing_things(installed, tmp_path, capsys):
    data_dir, _ = installed
    assert (
        run(data_dir, "ecert", "show", "1.2.156.3005.2.11100000MB03271699001.640500.20210009999.001.0") == 2
    )
    assert "错误：" in capsys.readouterr().err
    assert run(data_dir, "ecert", "import", tmp_path / "nothing.pdf") == 2
    assert "找不到文件" in capsys.readouterr().err
