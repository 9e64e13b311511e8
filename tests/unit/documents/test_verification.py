"""The verification payload (验真码): anyone can check a scanned QR offline, and tampering shows."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import qrcode
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from registry_desk.documents import pki
from registry_desk.documents.seal import PadesSealer
from registry_desk.documents.verification import (
    MAX_PAYLOAD_CHARS,
    check_document,
    make_payload,
    payload_mismatches,
    verify_payload,
)
from registry_desk.domain.errors import ValidationError
from registry_desk.resources_path import resource, seed

FONT = "WQY-test-verification"

CERTIFICATE_FIELDS = {
    "kind": "right_certificate",
    "number": "宁(2026)中卫市不动产权第0000001号",
    "unit_number": "640502009009GB00054F03031101",
    "holders": ["张三", "李玥"],
    "issued_on": "2026-03-05",
}


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> pki.DemoPki:
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    return pki.create_demo_pki(tmp_path_factory.mktemp("keys"), organisations)


@pytest.fixture(scope="session")
def stranger(tmp_path_factory) -> pki.DemoPki:
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    return pki.create_demo_pki(tmp_path_factory.mktemp("other-keys"), organisations)


@pytest.fixture(scope="session")
def trust(demo) -> pki.TrustStore:
    return pki.TrustStore.load(demo.keys_dir)


@pytest.fixture(scope="session")
def payload(demo) -> str:
    return make_payload(CERTIFICATE_FIELDS, demo.centre)


def _replace_body(text: str, fields: dict) -> str:
    """Re-encodes the fields but keeps the original signature, as a forger would."""
    prefix, kid, _, signature = text.split(".")
    raw = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    body = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return ".".join([prefix, kid, body, signature])


def test_round_trip_gives_back_the_fields_and_the_centre(payload, trust):
    result = verify_payload(payload, trust)
    assert result.ok, result.problem
    assert result.fields == CERTIFICATE_FIELDS
    assert result.signer_org == "中卫市自然资源局"


def test_typical_certificate_payload_fits_a_level_m_qr(payload):
    assert payload.startswith("ZWBDC1.")
    assert len(payload) < MAX_PAYLOAD_CHARS <= 400
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    assert code.version <= 15


def test_a_changed_holder_is_rejected(payload, trust):
    forged = _replace_body(payload, dict(CERTIFICATE_FIELDS, holders=["王五"]))
    result = verify_payload(forged, trust)
    assert not result.ok
    assert result.problem == "验真码签名不符，内容可能被篡改"
    assert result.fields["holders"] == ["王五"]  # shown, so the reader sees what was claimed


def test_a_changed_signature_is_rejected(payload, trust):
    head, signature = payload.rsplit(".", 1)
    flipped = ("A" if signature[5] != "A" else "B").join([signature[:5], signature[6:]])
    assert not verify_payload(f"{head}.{flipped}", trust).ok


def test_payload_signed_by_an_unknown_root_is_rejected(stranger, trust):
    foreign = make_payload(CERTIFICATE_FIELDS, stranger.centre)
    result = verify_payload(foreign, trust)
    assert not result.ok and "不在信任列表" in result.problem
    # Offering the stranger's certificate does not help: it was not issued by a trusted root.
    assert not verify_payload(foreign, trust, extra_certs=[stranger.centre.certificate]).ok


def test_a_bank_certificate_from_our_root_can_be_offered_alongside(demo, trust):
    by_bank = make_payload({"number": "X"}, demo.identity("bank-xb"))
    assert not verify_payload(by_bank, trust).ok  # not published in the trust folder
    result = verify_payload(by_bank, trust, extra_certs=[demo.identity("bank-xb").certificate])
    assert result.ok and result.signer_org == "西部示范银行股份有限公司中卫支行"


@pytest.mark.parametrize("text", ["", "宁(2026)中卫市不动产权第0000001号", "ZWBDC1.a.b", "ZWBDC1.!!.??.**"])
def test_foreign_or_garbled_text_is_rejected(text, trust):
    assert not verify_payload(text, trust).ok


def test_too_many_fields_are_refused_before_printing(demo):
    fields = dict(CERTIFICATE_FIELDS, location="中卫市沙坡头区鼓楼东街八十八号示范小区一幢一单元一零一室" * 3)
    with pytest.raises(ValidationError, match="验真码过长"):
        make_payload(fields, demo.centre)


def test_dates_and_decimals_are_written_as_text_and_floats_refused(demo, trust):
    text = make_payload({"issued_on": dt.date(2026, 3, 5), "area": Decimal("255.87")}, demo.centre)
    assert verify_payload(text, trust).fields == {"issued_on": "2026-03-05", "area": "255.87"}
    with pytest.raises(ValidationError, match="面积"):
        make_payload({"area": 255.87}, demo.centre)


def test_printed_text_matches_despite_bracket_width_and_date_style():
    printed = "不动产权证书 宁（2026）中卫市不动产权第0000001号\n权利人 张三、李玥\n640502009009GB00054F03031101\n2026年3月5日"
    assert payload_mismatches(CERTIFICATE_FIELDS, printed) == []


def test_printed_text_with_another_holder_is_a_mismatch():
    printed = (
        "不动产权证书 宁(2026)中卫市不动产权第0000001号 权利人 张三 640502009009GB00054F03031101 2026年3月5日"
    )
    assert payload_mismatches(CERTIFICATE_FIELDS, printed) == ["验真码中的权利人“李玥”与文件内容不符"]


# --- a whole issued document -------------------------------------------------------------------------


def issued_pdf(lines: list[str], qr_text: str | None) -> bytes:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(resource("fonts", "wqy-microhei.ttc")), subfontIndex=0))
    out = io.BytesIO()
    c = canvas.Canvas(out, initialFontName=FONT)
    c.setFont(FONT, 12)
    for i, line in enumerate(lines):
        c.drawString(72, 760 - 20 * i, line)
    if qr_text is not None:
        image = qrcode.make(qr_text, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4)
        png = io.BytesIO()
        image.save(png)
        c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 72, 72, 120, 120)
    c.showPage()
    c.save()
    return out.getvalue()


CERTIFICATE_LINES = [
    "不动产权证书",
    "宁(2026)中卫市不动产权第0000001号",
    "权利人：张三、李玥",
    "不动产单元号：640502009009GB00054F03031101",
    "发证日期：2026年3月5日",
    "登记机构（章）中卫市自然资源局",
]


def test_issued_document_verifies_with_its_qr(demo, trust, payload):
    pdf = PadesSealer.for_identity(demo.centre).seal(
        issued_pdf(CERTIFICATE_LINES, payload), reason="不动产登记", payload=payload
    )
    report = check_document(pdf, trust)
    assert report.ok, report.problems
    assert report.payload is not None and report.payload.ok
    assert report.qr_texts == (payload,)


def test_document_whose_qr_differs_from_its_payload_fails(demo, trust, payload):
    other = make_payload(dict(CERTIFICATE_FIELDS, number="宁(2026)中卫市不动产权第0000002号"), demo.centre)
    pdf = PadesSealer.for_identity(demo.centre).seal(
        issued_pdf(CERTIFICATE_LINES, other), reason="不动产登记", payload=payload
    )
    assert check_document(pdf, trust).problems == ("页面二维码与文件中的验真码不一致",)


def test_document_text_that_differs_from_the_payload_fails(demo, trust, payload):
    lines = [line.replace("李玥", "王五") for line in CERTIFICATE_LINES]
    pdf = PadesSealer.for_identity(demo.centre).seal(
        issued_pdf(lines, payload), reason="登记", payload=payload
    )
    assert check_document(pdf, trust).problems == ("验真码中的权利人“李玥”与文件内容不符",)


def test_bank_contract_without_payload_is_checked_by_its_seal_only(demo, trust):
    pdf = PadesSealer.for_identity(demo.identity("bank-hh")).seal(
        issued_pdf(["抵押合同"], None), reason="合同签章"
    )
    report = check_document(pdf, trust)
    assert report.ok and report.payload is None
    assert report.notes == ("文件不含验真码，只核验了电子签章",)


def test_a_certificate_issued_and_sealed_by_a_bank_is_not_a_certificate(demo, trust):
    # The bank's seal chains to the same root (it is trusted on contracts), so seal and payload both check
    # out cryptographically; but a bank is not the authority that issues 不动产权证书.
    bank = demo.identity("bank-hh")
    forged = make_payload(CERTIFICATE_FIELDS, bank)
    pdf = PadesSealer.for_identity(bank).seal(
        issued_pdf(CERTIFICATE_LINES, forged), reason="登记", payload=forged
    )
    report = check_document(pdf, trust)
    assert report.seals.signatures[0].trusted  # the seal itself is genuine
    assert not report.ok
    assert report.problems == (
        "验真码由“黄河示范银行股份有限公司中卫分行”签发，该机构不是信任目录中公布的发证机关，"
        "其签发的验真码不能证明不动产登记证书或证明",
    )


def test_a_genuine_payload_copied_onto_a_page_someone_else_sealed_fails(demo, trust, payload):
    bank = demo.identity("bank-hh")
    pdf = PadesSealer.for_identity(bank).seal(
        issued_pdf(CERTIFICATE_LINES, payload), reason="登记", payload=payload
    )
    report = check_document(pdf, trust)
    assert report.payload is not None and not report.payload.ok
    assert report.problems == (
        "文件由“黄河示范银行股份有限公司中卫分行”盖章，验真码却由“中卫市自然资源局”签发："
        "盖章机构与发证机关不一致，验真码可能是从其他证书复制的",
    )
