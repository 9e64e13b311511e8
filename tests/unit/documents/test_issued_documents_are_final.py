"""What the registry issues is final: its seal certifies the document with a DocMDP that permits no change,
and a verifier refuses any revision after an issuing seal (signed or not, whatever pyHanko calls it), any
unsigned revision after any seal, anything drawn outside the page content, and a certificate without the
registration authority's payload."""

from __future__ import annotations

import io
import json

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields
from pyhanko.sign.signers.pdf_signer import PdfSigner

from registry_desk.documents import pki
from registry_desk.documents.seal import PadesSealer, verify_pdf
from registry_desk.documents.verification import check_document, make_payload
from registry_desk.domain.errors import ValidationError
from registry_desk.resources_path import seed
from tests.unit.documents.test_verification import CERTIFICATE_FIELDS, CERTIFICATE_LINES, issued_pdf

FALSE_NAME = b"WANG WU"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> pki.DemoPki:
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    return pki.create_demo_pki(tmp_path_factory.mktemp("keys"), organisations)


@pytest.fixture(scope="module")
def trust(demo) -> pki.TrustStore:
    return pki.TrustStore.load(demo.keys_dir)


@pytest.fixture(scope="module")
def certificate(demo) -> bytes:
    payload = make_payload(CERTIFICATE_FIELDS, demo.centre)
    return PadesSealer.for_identity(demo.centre).seal(
        issued_pdf(CERTIFICATE_LINES, payload), reason="不动产登记", payload=payload
    )


def paint_over(pdf: bytes, *, box=(120, 690, 420, 730)) -> bytes:
    """The attack: an incremental update adding an empty signature field whose appearance paints a white
    box and another name over 权利人. pyHanko rates it FORM_FILLING; pdfium and poppler draw it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields.append_signature_field(writer, fields.SigFieldSpec("Overlay", box=box))
    width, height = box[2] - box[0], box[3] - box[1]
    font = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )
    appearance = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [
                    generic.NumberObject(0),
                    generic.NumberObject(0),
                    generic.NumberObject(width),
                    generic.NumberObject(height),
                ]
            ),
            generic.NameObject("/Resources"): generic.DictionaryObject(
                {
                    generic.NameObject("/Font"): generic.DictionaryObject(
                        {generic.NameObject("/F1"): writer.add_object(font)}
                    )
                }
            ),
        },
        stream_data=b"1 1 1 rg 0 0 %d %d re f 0 g BT /F1 18 Tf 4 12 Td (%s) Tj ET"
        % (width, height, FALSE_NAME),
    )
    ((_name, _value, ref),) = [f for f in fields.enumerate_sig_fields(writer) if f[0] == "Overlay"]
    widget = ref.get_object()
    widget[generic.NameObject("/AP")] = generic.DictionaryObject(
        {generic.NameObject("/N"): writer.add_object(appearance)}
    )
    writer.mark_update(ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_registry_certifies_what_it_issues_and_permits_no_change(certificate, trust):
    (signature,) = PdfFileReader(io.BytesIO(certificate)).embedded_signatures
    assert signature.docmdp_level is fields.MDPPerm.NO_CHANGES
    assert check_document(certificate, trust).ok


def test_a_name_painted_over_the_certificate_by_an_empty_signature_field_is_refused(certificate, trust):
    forged = paint_over(certificate)
    assert FALSE_NAME in forged
    report = verify_pdf(forged, trust)
    assert not report.ok
    assert report.problems == (
        "文件在盖章后被修改：中卫市自然资源局（12640500MB1234567X）签发的文件不允许盖章后再作任何修改，"
        "文件却又被追加了内容",
    ) or any("不允许盖章后再作任何修改" in p for p in report.problems)
    assert not check_document(forged, trust).ok


def test_our_sealer_will_not_seal_over_a_certified_document(certificate, demo):
    with pytest.raises(ValidationError, match="不允许再盖章"):
        PadesSealer.for_identity(demo.identity("bank-hh")).seal(certificate, reason="确认")


def test_a_bank_seal_after_the_registry_seal_is_refused(certificate, demo, trust, monkeypatch):
    # pyHanko will not sign over a certification that forbids changes; a forger's tool would.
    monkeypatch.setattr(PdfSigner, "_enforce_certification_constraints", lambda self, reader: None)
    countersigned = PadesSealer.for_identity(demo.identity("bank-hh")).seal(certificate, reason="确认")
    report = verify_pdf(countersigned, trust)
    centre, bank = report.signatures
    assert centre.signer_org == "中卫市自然资源局" and not centre.later_changes_allowed
    assert bank.ok
    assert any("不允许盖章后再作任何修改" in p for p in report.problems)


def test_an_unsigned_form_filling_revision_after_a_bank_seal_is_refused(demo, trust):
    contract = PadesSealer.for_identity(demo.identity("bank-hh")).seal(
        issued_pdf(["抵押合同", "抵押人：张三"], None), reason="合同签章"
    )
    report = verify_pdf(paint_over(contract), trust)
    (sig,) = report.signatures
    assert sig.intact and not sig.later_changes_allowed
    assert any("盖章之后文件又被追加了内容" in p for p in report.problems)


def test_a_bank_contract_countersigned_by_the_registry_still_verifies(demo, trust):
    contract = PadesSealer.for_identity(demo.identity("bank-hh")).seal(
        issued_pdf(["抵押合同"], None), reason="合同签章"
    )
    both = PadesSealer.for_identity(demo.centre).seal(contract, reason="抵押登记")
    report = verify_pdf(both, trust)
    assert report.ok, report.problems
    # A certification is possible only as a document's first signature: the registry's is an approval here.
    bank_signature, centre_signature = PdfFileReader(io.BytesIO(both)).embedded_signatures
    assert centre_signature.docmdp_level is None or bank_signature.docmdp_level is None


def test_a_visible_annotation_on_an_issued_document_is_refused(demo, trust):
    # Drawn by whoever held the centre's key before sealing: the payload's text check cannot see it.
    payload = make_payload(CERTIFICATE_FIELDS, demo.centre)
    painted = paint_over(issued_pdf(CERTIFICATE_LINES, payload))
    sealed = PadesSealer.for_identity(demo.centre).seal(painted, reason="不动产登记", payload=payload)
    assert verify_pdf(sealed, trust).ok
    report = check_document(sealed, trust)
    assert not report.ok
    assert any("页面内容之外另有可见的批注或表单外观" in p and "Overlay" in p for p in report.problems)


def test_a_page_laid_out_as_a_certificate_and_sealed_by_a_bank_without_payload_is_no_certificate(demo, trust):
    forged = PadesSealer.for_identity(demo.identity("bank-hh")).seal(
        issued_pdf(CERTIFICATE_LINES, None), reason="登记"
    )
    assert verify_pdf(forged, trust).ok  # the bank's seal itself is genuine
    report = check_document(forged, trust)
    assert report.problems == (
        "文件标题为“不动产权证书”，却没有不动产登记机构签发的验真码：不动产权证书须由登记机构盖章并带验真码，"
        "本文件不是有效的不动产权证书",
    )
