"""Sealing and verifying PDFs: what an auditor checks about a sealed file."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from registry_desk.documents import pki
from registry_desk.documents.seal import PadesSealer, read_payload, stamp_seal_image, verify_pdf
from registry_desk.documents.seal_image import seal_image_png
from registry_desk.domain.errors import NotFound
from registry_desk.resources_path import resource, seed

FONT = "WQY-test-seal"


def make_pdf(lines: list[str], title: str = "TEST-CONTRACT") -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(resource("fonts", "wqy-microhei.ttc")), subfontIndex=0))
    out = io.BytesIO()
    c = canvas.Canvas(out, initialFontName=FONT)
    c.setTitle(title)
    c.setFont(FONT, 12)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 20 * i, line)
    c.showPage()
    c.save()
    return out.getvalue()


@pytest.fixture(scope="session")
def organisations() -> dict:
    return json.loads(seed("organisations.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def demo(tmp_path_factory, organisations) -> pki.DemoPki:
    return pki.create_demo_pki(tmp_path_factory.mktemp("keys"), organisations)


@pytest.fixture(scope="session")
def stranger(tmp_path_factory, organisations) -> pki.DemoPki:
    """A second PKI with the same organisation names but its own root, unknown to our verifiers."""
    return pki.create_demo_pki(tmp_path_factory.mktemp("other-keys"), organisations)


@pytest.fixture(scope="session")
def trust(demo) -> pki.TrustStore:
    return pki.TrustStore.load(demo.keys_dir)


@pytest.fixture(scope="session")
def contract() -> bytes:
    return make_pdf(["个人住房抵押借款合同", "贷款人：黄河示范银行股份有限公司中卫分行"])


@pytest.fixture(scope="session")
def bank_sealed(demo, contract) -> bytes:
    return PadesSealer.for_identity(demo.identity("bank-hh")).seal(contract, reason="合同签章")


# --- the demo PKI ------------------------------------------------------------------------------------


def test_pki_issues_a_seal_for_the_centre_and_each_bank(demo, organisations):
    expected = {"centre"} | {b["key"] for b in organisations["banks"]}
    assert set(demo.identities) == expected
    bank = demo.identity("bank-sp")
    subject = bank.certificate.subject
    assert (
        subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
        == "沙坡头示范农村商业银行股份有限公司"
    )
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "91640502MA7NP0020E"
    usage = bank.certificate.extensions.get_extension_for_class(pki.x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    assert isinstance(bank.private_key.curve, ec.SECP256R1)
    assert bank.certificate.issuer == demo.root.subject
    root_cn = demo.root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert root_cn == "中卫市不动产登记演示根证书"


def test_seal_found_by_uscc_and_unknown_org_refused(demo):
    assert demo.identity("91640500MA7HH00105").key == "bank-hh"
    with pytest.raises(NotFound, match="没有这个机构的电子印章"):
        demo.identity("91110000600037341L")


def test_private_keys_are_readable_by_owner_only(demo):
    key_files = list(demo.keys_dir.rglob("*key.pem"))
    assert len(key_files) == 1 + len(demo.identities)
    for path in key_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_creating_again_changes_nothing(tmp_path, organisations):
    first = pki.create_demo_pki(tmp_path, organisations)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    second = pki.create_demo_pki(tmp_path, organisations)
    assert second.created == []
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert second.centre.certificate == first.centre.certificate


def test_a_new_bank_in_the_seed_gets_a_seal_without_touching_the_others(tmp_path, organisations):
    first = pki.create_demo_pki(tmp_path, organisations)
    grown = dict(organisations)
    grown["banks"] = [
        *organisations["banks"],
        {"key": "bank-new", "name": "新设示范银行", "uscc": "91640500MA7HH00105"},
    ]
    second = pki.create_demo_pki(tmp_path, grown)
    assert second.created == ["bank-new"]
    assert second.identity("bank-hh").certificate == first.identity("bank-hh").certificate


def test_loading_before_init_tells_what_to_run(tmp_path):
    with pytest.raises(NotFound, match="seal init"):
        pki.load_pki(tmp_path)


def test_trust_store_holds_the_root_and_the_published_centre_seal(demo, trust):
    assert trust.roots == (demo.root,)
    assert trust.known_signers == (demo.centre.certificate,)


# --- sealing and verifying ---------------------------------------------------------------------------


def test_round_trip_names_the_bank_and_passes(bank_sealed, trust):
    report = verify_pdf(bank_sealed, trust)
    assert report.ok, report.problems
    (sig,) = report.signatures
    assert sig.signer_org == "黄河示范银行股份有限公司中卫分行"
    assert sig.signer_uscc == "91640500MA7HH00105"
    assert sig.intact and sig.trusted and sig.covers_whole_document
    assert sig.signing_time is not None
    assert abs(sig.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)


def test_one_flipped_byte_in_the_signed_range_is_detected(bank_sealed, trust):
    start = bank_sealed.index(b"TEST-CONTRACT")
    byte_range = [int(n) for n in re.search(rb"/ByteRange \[([\d ]+)\]", bank_sealed).group(1).split()]
    assert byte_range[0] <= start < byte_range[0] + byte_range[1]  # really inside what was signed
    tampered = bank_sealed[:start] + b"X" + bank_sealed[start + 1 :]
    report = verify_pdf(tampered, trust)
    assert not report.ok
    assert not report.signatures[0].intact
    assert any("文件在盖章后被修改" in p for p in report.problems)


def test_content_appended_after_sealing_is_reported(bank_sealed, trust):
    appended = stamp_seal_image(bank_sealed, seal_image_png("伪造示范公司"))
    report = verify_pdf(appended, trust)
    (sig,) = report.signatures
    assert sig.intact  # the signed bytes are still there ...
    assert not sig.covers_whole_document  # ... but something came after them
    assert any("文件在盖章后被修改" in p for p in report.problems)


def test_signer_from_an_unknown_root_is_not_trusted(stranger, contract, trust):
    forged = PadesSealer.for_identity(stranger.identity("bank-hh")).seal(contract, reason="合同签章")
    report = verify_pdf(forged, trust)
    (sig,) = report.signatures
    assert sig.intact and not sig.trusted
    assert report.problems == (
        "签章人不在信任列表中：黄河示范银行股份有限公司中卫分行（91640500MA7HH00105）",
    )


def test_without_any_trust_root_nothing_is_trusted(bank_sealed):
    report = verify_pdf(bank_sealed, pki.TrustStore())
    assert not report.ok and not report.signatures[0].trusted


def test_certificate_without_non_repudiation_is_refused(contract):
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = pki.make_root_certificate(root_key, now)
    seal_key = ec.generate_private_key(ec.SECP256R1())
    cert = pki.issue_seal_certificate(
        seal_key,
        root,
        root_key,
        "西部示范银行股份有限公司中卫支行",
        "91640500MA7XB0030P",
        now,
        non_repudiation=False,
    )
    sealed = PadesSealer(cert, seal_key, (root,)).seal(contract, reason="合同签章")
    report = verify_pdf(sealed, pki.TrustStore.from_certificates([root]))
    (sig,) = report.signatures
    assert sig.intact and not sig.key_usage_ok and not sig.trusted
    assert any("不可否认" in p for p in report.problems)


def test_unsealed_file_has_no_seal(contract, trust):
    report = verify_pdf(contract, trust)
    assert report.problems == ("文件没有电子签章",)


def test_broken_file_is_reported_not_raised(trust):
    assert not verify_pdf(b"%PDF-1.4\nnot really", trust).ok


def test_bank_then_centre_both_verify(bank_sealed, demo, trust):
    both = PadesSealer.for_identity(demo.centre).seal(bank_sealed, reason="抵押登记")
    report = verify_pdf(both, trust)
    assert report.ok, report.problems
    assert [s.signer_org for s in report.signatures] == [
        "黄河示范银行股份有限公司中卫分行",
        "中卫市自然资源局",
    ]
    assert [s.covers_whole_document for s in report.signatures] == [False, True]


def test_payload_is_written_into_the_signed_revision(demo, contract, trust):
    sealed = PadesSealer.for_identity(demo.centre).seal(contract, reason="登记", payload="ZWBDC1.test")
    assert read_payload(sealed) == "ZWBDC1.test"
    assert verify_pdf(sealed, trust).signatures[0].covers_whole_document
    assert read_payload(contract) is None


# --- drawing the seal into the page ------------------------------------------------------------------


def _red_share(pdf: bytes, box: tuple[float, float, float, float]) -> float:
    """Share of clearly red pixels inside `box` (x1, y1, x2, y2 in points from the lower left)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        image = doc[len(doc) - 1].render(scale=1).to_pil().convert("RGB")
    finally:
        doc.close()
    height = image.height
    x1, y1, x2, y2 = box
    crop = image.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
    raw = crop.tobytes()
    pixels = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    return sum(1 for r, g, b in pixels if r > 150 and g < 100 and b < 100) / len(pixels)


def test_stamped_seal_is_drawn_where_asked_and_then_signed(demo, contract, trust):
    png = seal_image_png("黄河示范银行股份有限公司中卫分行", "合同专用章")
    stamped = stamp_seal_image(contract, png, rect=(300, 100, 420, 220))
    assert _red_share(stamped, (300, 100, 420, 220)) > 0.05
    assert _red_share(stamped, (72, 300, 192, 420)) == 0
    assert _red_share(contract, (300, 100, 420, 220)) == 0
    sealed = PadesSealer.for_identity(demo.identity("bank-hh")).seal(stamped, reason="合同签章")
    assert verify_pdf(sealed, trust).ok


def test_default_seal_position_is_lower_right(contract):
    stamped = stamp_seal_image(contract, seal_image_png("中卫市自然资源局"))
    width = 612  # reportlab's default page (letter)
    assert _red_share(stamped, (width - 72 - 119, 72, width - 72, 72 + 119)) > 0.05


def test_stamping_a_page_that_does_not_exist_is_refused(contract):
    from registry_desk.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="没有第"):
        stamp_seal_image(contract, seal_image_png("中卫市自然资源局"), page=5)


def test_keys_never_land_in_the_repository(demo):
    repo = Path(__file__).resolve().parents[3]
    assert repo not in demo.keys_dir.resolve().parents


def test_a_broken_file_in_the_trust_folder_is_named(tmp_path):
    from registry_desk.domain.errors import ValidationError

    (tmp_path / "trust").mkdir()
    (tmp_path / "trust" / "bank-root.pem").write_text("not a certificate")
    with pytest.raises(ValidationError, match="bank-root.pem"):
        pki.TrustStore.load(tmp_path)
