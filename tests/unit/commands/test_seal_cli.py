"""`registry-desk seal init|sign` and `registry-desk verify`, run in-process as a user would type them."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
import qrcode
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from registry_desk.cli import main
from registry_desk.documents import pki
from registry_desk.documents.seal import PadesSealer
from registry_desk.documents.verification import make_payload
from registry_desk.resources_path import resource

FONT = "WQY-test-seal-cli"


def make_pdf(path: Path, lines: list[str], qr_text: str | None = None) -> Path:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(resource("fonts", "wqy-microhei.ttc")), subfontIndex=0))
    c = canvas.Canvas(str(path), initialFontName=FONT)
    c.setTitle("CLI-TEST-DOCUMENT")
    c.setFont(FONT, 12)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 20 * i, line)
    if qr_text is not None:
        png = io.BytesIO()
        qrcode.make(qr_text, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4).save(png)
        c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 72, 72, 120, 120)
    c.showPage()
    c.save()
    return path


def run(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *map(str, args)])


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data")
    assert run(path, "seal", "init") == 0
    return path


@pytest.fixture(scope="session")
def stranger_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stranger-data")
    assert run(path, "seal", "init") == 0
    return path


@pytest.fixture(scope="session")
def contract(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("contract")
    return make_pdf(
        folder / "contract.pdf", ["个人住房抵押借款合同", "贷款人：黄河示范银行股份有限公司中卫分行"]
    )


@pytest.fixture(scope="session")
def signed(data_dir, contract, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "signed.pdf"
    assert run(data_dir, "seal", "sign", "--org", "bank-hh", contract, out) == 0
    return out


def test_init_reports_what_it_made_and_is_idempotent(tmp_path, capsys):
    assert run(tmp_path, "seal", "init") == 0
    first = capsys.readouterr().out
    assert "本次新建：根证书" in first and "黄河示范银行股份有限公司中卫分行" in first
    key_file = tmp_path / "keys" / "seals" / "centre.key.pem"
    before = key_file.read_bytes()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    assert run(tmp_path, "seal", "init") == 0
    assert "演示证书已存在，未做任何更改" in capsys.readouterr().out
    assert key_file.read_bytes() == before


def test_signed_contract_verifies(signed, data_dir, capsys):
    capsys.readouterr()
    assert run(data_dir, "verify", signed) == 0
    out = capsys.readouterr().out
    assert "黄河示范银行股份有限公司中卫分行（91640500MA7HH00105）" in out
    assert "内容完整：是" in out and "签章人可信：是" in out
    assert "结论：验证通过" in out


def test_sign_by_uscc_works_too(data_dir, contract, tmp_path):
    out = tmp_path / "by-uscc.pdf"
    assert run(data_dir, "seal", "sign", "--org", "91640502MA7NP0020E", contract, out) == 0
    assert run(data_dir, "verify", out) == 0


def test_one_flipped_byte_fails(signed, data_dir, tmp_path, capsys):
    data = signed.read_bytes()
    at = data.index(b"CLI-TEST-DOCUMENT")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data[:at] + b"K" + data[at + 1 :])
    capsys.readouterr()
    assert run(data_dir, "verify", tampered) == 1
    out = capsys.readouterr().out
    assert "文件在盖章后被修改" in out and "内容完整：否" in out


def test_unknown_root_fails(stranger_dir, data_dir, contract, tmp_path, capsys):
    forged = tmp_path / "forged.pdf"
    assert run(stranger_dir, "seal", "sign", "--org", "bank-hh", contract, forged) == 0
    assert run(stranger_dir, "verify", forged) == 0  # the forger's own trust list accepts it ...
    capsys.readouterr()
    assert run(data_dir, "verify", forged) == 1  # ... ours does not
    assert "签章人不在信任列表中" in capsys.readouterr().out


def test_unsigned_file_fails(contract, data_dir, capsys):
    capsys.readouterr()
    assert run(data_dir, "verify", contract) == 1
    assert "文件没有电子签章" in capsys.readouterr().out


def test_without_a_trust_list_nothing_verifies(signed, tmp_path, data_dir, capsys):
    capsys.readouterr()
    assert run(tmp_path, "verify", signed) == 1
    assert "没有配置信任根证书" in capsys.readouterr().out
    # Pointing at the published trust folder is enough: no keys are needed to verify.
    assert run(tmp_path, "verify", "--trust", data_dir / "keys" / "trust", signed) == 0


def _issued(data_dir: Path, path: Path, printed_holder: str, qr_payload_fields: dict | None = None) -> Path:
    centre = pki.load_pki(data_dir / "keys").centre
    fields = {"number": "宁(2026)中卫市不动产权第0000007号", "holders": ["马玥"], "issued_on": "2026-03-05"}
    payload = make_payload(fields, centre)
    qr = make_payload(qr_payload_fields, centre) if qr_payload_fields else payload
    raw = make_pdf(
        path.with_suffix(".raw.pdf"),
        ["不动产权证书", "宁（2026）中卫市不动产权第0000007号", f"权利人：{printed_holder}", "2026年3月5日"],
        qr_text=qr,
    )
    path.write_bytes(PadesSealer.for_identity(centre).seal(raw.read_bytes(), reason="登记", payload=payload))
    return path


def test_issued_certificate_with_payload_verifies(data_dir, tmp_path, capsys):
    good = _issued(data_dir, tmp_path / "good.pdf", "马玥")
    capsys.readouterr()
    assert run(data_dir, "verify", good) == 0
    out = capsys.readouterr().out
    assert "验真码：签名有效（签发：中卫市自然资源局）" in out
    assert "权利人：马玥" in out


def test_payload_that_does_not_match_the_printed_text_fails(data_dir, tmp_path, capsys):
    bad = _issued(data_dir, tmp_path / "bad.pdf", "马月")
    capsys.readouterr()
    assert run(data_dir, "verify", bad) == 1
    assert "验真码中的权利人“马玥”与文件内容不符" in capsys.readouterr().out


def test_qr_that_does_not_match_the_payload_fails(data_dir, tmp_path, capsys):
    other = {"number": "宁(2026)中卫市不动产权第0000008号", "holders": ["马玥"], "issued_on": "2026-03-05"}
    bad = _issued(data_dir, tmp_path / "bad-qr.pdf", "马玥", qr_payload_fields=other)
    capsys.readouterr()
    assert run(data_dir, "verify", bad) == 1
    assert "页面二维码与文件中的验真码不一致" in capsys.readouterr().out


def test_unknown_organisation_and_missing_file_are_user_errors(data_dir, contract, tmp_path, capsys):
    assert run(data_dir, "seal", "sign", "--org", "no-such-bank", contract, tmp_path / "x.pdf") == 2
    assert "没有这个机构的电子印章" in capsys.readouterr().err
    assert run(data_dir, "verify", tmp_path / "missing.pdf") == 2
    assert "找不到文件" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def test_sign_before_init_says_to_run_init(tmp_path, contract, capsys):
    assert run(tmp_path, "seal", "sign", "--org", "bank-hh", contract, tmp_path / "x.pdf") == 2
    assert "seal init" in capsys.readouterr().err


def test_a_bank_embeds_its_contract_data_under_its_seal(data_dir, contract, tmp_path, capsys):
    """`seal sign --contract-data`: the data is checked, must name the sealing bank, and is sealed with the
    pages, so the window's F6 reads it back through the seal check."""
    import json

    from registry_desk.documents.pki import TrustStore
    from registry_desk.exemptions.bank_contracts import FORMAT, read_bank_contract

    data = {
        "format": FORMAT, "contract_no": "HH-2026-0420", "bank_uscc": "91640500MA7HH00105",
        "bank_name": "黄河示范银行股份有限公司中卫分行", "unit_number": "640502002001GB00001F00010101",
        "mortgagor_id_numbers": ["640502199001011239"], "debtor_id_numbers": [], "mode": "general",
        "amount_yuan": "300000.00", "debt_start": "2026-03-02", "debt_end": "2046-03-01",
        "guarantee_scope": "主债权及利息", "no_transfer": False, "mortgaged_area": None, "assessed_value_yuan": None,
    }  # fmt: skip
    json_file = tmp_path / "data.json"
    json_file.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    out = tmp_path / "sealed.pdf"
    assert run(data_dir, "seal", "sign", "--org", "bank-hh", "--contract-data", json_file, contract, out) == 0
    read = read_bank_contract(
        out.read_bytes(), TrustStore.load(data_dir / "keys"), unit_number=data["unit_number"]
    )
    assert read.data.contract_no == "HH-2026-0420" and read.mortgagor_id_numbers == ("640502199001011239",)

    # Another bank cannot seal data naming 黄河示范银行 as mortgagee; bad data is refused before sealing.
    assert (
        run(
            data_dir,
            "seal",
            "sign",
            "--org",
            "bank-xb",
            "--contract-data",
            json_file,
            contract,
            out,
            "--force",
        )
        == 2
    )
    assert "不是盖章机构" in capsys.readouterr().err
    json_file.write_text(json.dumps({**data, "debt_end": "明年"}, ensure_ascii=False), "utf-8")
    assert (
        run(
            data_dir,
            "seal",
            "sign",
            "--org",
            "bank-hh",
            "--contract-data",
            json_file,
            contract,
            out,
            "--force",
        )
        == 2
    )
    assert "数据有误" in capsys.readouterr().err
