"""免盖章: a bank's sealed PDF satisfies a material only when intact, trusted and sealed by the case's own bank;
every refusal names its reason and saves nothing; an accepted one is kept with the case and audited."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from registry_desk.config import Settings
from registry_desk.documents.pki import TrustStore, create_demo_pki
from registry_desk.domain.codes import CaseStatus, RightStatus, RightType
from registry_desk.domain.errors import NotFound, PermissionDenied, RuleViolation
from registry_desk.resources_path import seed
from registry_desk.registration import intake, queries, recording
from registry_desk.registration.prefill import accept_prefilled, prefill
from registry_desk.demo.demo_contracts import make_demo_bank_contract, push_demo_bank_documents
from registry_desk.documents.bank_document_pdf import render_bank_document
from registry_desk.exemptions.sealed_materials import attach_sealed_document
from registry_desk.storage.tables import Attachment, AuditEvent, Case, CaseMaterial, Right, Unit
from tests.integration.test_case_helpers import CASHIER, CLERK, MONDAY, REGISTRAR


def _organisations() -> dict:
    return json.loads(seed("organisations.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def pki_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), database_url="sqlite://")
    create_demo_pki(settings.keys_dir, _organisations())
    return settings


@pytest.fixture(scope="module")
def trust(pki_settings: Settings) -> TrustStore:
    return TrustStore.load(pki_settings.keys_dir)


@pytest.fixture
def cancellation(demo):
    """An accepted 抵押权注销 of a demo mortgage held by 黄河示范银行 (its materials still missing), and its prefill."""
    with demo.unit_of_work(write=False) as uow:
        s = uow.session
        single = (
            select(Right.unit_id)
            .where(Right.right_type == RightType.MORTGAGE, Right.status == RightStatus.CURRENT)
            .group_by(Right.unit_id)
            .having(func.count() == 1)
        )
        unit_numbers = list(s.scalars(select(Unit.unit_number).where(Unit.id.in_(single)).order_by(Unit.id)))
    for number in unit_numbers:
        p = prefill(demo, CLERK, "mortgage_cancel", number)
        if p.request.parties[0].id_number == "91640500MA7HH00105":
            return accept_prefilled(demo, CLERK, p, now=MONDAY), p
    raise AssertionError("no demo mortgage of 黄河示范银行 on a singly mortgaged unit")


@pytest.fixture(scope="module")
def sealed(pki_settings: Settings):
    """The bank's sealed documents for the cancellation, made once per (bank, material) for the module: the
    demo copy is the same in every test, so the documents are too."""
    made: dict[tuple[str, str], bytes] = {}

    def get(p, bank_key: str, code: str) -> bytes:
        if (bank_key, code) not in made:
            made[bank_key, code] = make_demo_bank_contract(pki_settings, p, bank_key, material_code=code)
        return made[bank_key, code]

    return get


def _material(db, case_number: str, code: str) -> CaseMaterial:
    with db.unit_of_work(write=False) as uow:
        case_id = uow.session.scalar(select(Case.id).where(Case.case_number == case_number))
        row = uow.session.scalar(
            select(CaseMaterial).where(CaseMaterial.case_id == case_id, CaseMaterial.code == code)
        )
        uow.session.expunge(row)
        return row


def _count(db, model, *where) -> int:
    with db.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)))


def test_the_banks_sealed_proof_of_repayment_is_kept_with_the_case_and_audited(
    demo, cancellation, sealed, trust
):
    summary, p = cancellation
    pdf = sealed(p, "bank-hh", "extinction_proof")

    result = attach_sealed_document(demo, CLERK, summary.case_number, "extinction_proof", pdf, trust=trust)

    assert (
        result.signer_org == "黄河示范银行股份有限公司中卫分行" and result.signer_uscc == "91640500MA7HH00105"
    )
    assert re.fullmatch(
        r"电子签章 已核验：黄河示范银行股份有限公司中卫分行（\d{4}-\d\d-\d\d \d\d:\d\d）", result.note
    )
    material = _material(demo, summary.case_number, "extinction_proof")
    assert (material.status, material.note, material.attachment_id) == (
        "sealed",
        result.note,
        result.attachment_id,
    )
    with demo.unit_of_work(write=False) as uow:
        stored = uow.session.get(Attachment, result.attachment_id)
        assert stored.content == pdf and stored.sha256 == hashlib.sha256(pdf).hexdigest()
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.sealed_material"))
        assert event.record == f"{summary.case_number}:extinction_proof"
        assert event.before["status"] == "missing"
        assert event.after["signer_uscc"] == "91640500MA7HH00105" and event.after["sha256"] == stored.sha256
    assert "extinction_proof" not in {m.code for m in result.summary.missing_materials}
    # What the bank sealed is readable: the document names the mortgage being cancelled.
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "贷款结清证明" in text and p.request.cancellation.mortgage in text


def _assert_nothing_saved(db, case_number: str, code: str) -> None:
    assert _material(db, case_number, code).status == "missing"
    assert _count(db, Attachment) == 0
    assert _count(db, AuditEvent, AuditEvent.action == "case.sealed_material") == 0


def test_one_changed_byte_is_refused(demo, cancellation, sealed, trust):
    summary, p = cancellation
    pdf = sealed(p, "bank-hh", "extinction_proof")
    at = pdf.index(b"ReportLab Generated")
    byte_range = [int(n) for n in re.search(rb"/ByteRange \[([\d ]+)\]", pdf).group(1).split()]
    assert byte_range[0] <= at < byte_range[0] + byte_range[1]  # inside what the bank signed
    tampered = pdf[:at] + b"X" + pdf[at + 1 :]

    with pytest.raises(RuleViolation, match="文件在盖章后被修改") as caught:
        attach_sealed_document(demo, CLERK, summary.case_number, "extinction_proof", tampered, trust=trust)
    assert summary.case_number in str(caught.value)
    _assert_nothing_saved(demo, summary.case_number, "extinction_proof")


def test_a_contract_sealed_by_another_bank_is_refused_naming_both(demo, cancellation, sealed, trust):
    summary, p = cancellation
    pdf = sealed(p, "bank-sp", "application")
    with pytest.raises(RuleViolation) as caught:
        attach_sealed_document(demo, CLERK, summary.case_number, "application", pdf, trust=trust)
    message = str(caught.value)
    assert "沙坡头示范农村商业银行股份有限公司" in message and "不是本业务的抵押权人" in message
    assert "黄河示范银行股份有限公司中卫分行" in message
    _assert_nothing_saved(demo, summary.case_number, "application")


def test_a_seal_from_an_unknown_root_is_refused(demo, cancellation, tmp_path, trust):
    summary, p = cancellation
    # A look-alike PKI: same bank name and USCC, but a root the registry never trusted.
    forged = Settings(data_dir=tmp_path / "forged", database_url="sqlite://")
    create_demo_pki(forged.keys_dir, _organisations())
    pdf = make_demo_bank_contract(forged, p, "bank-hh", material_code="extinction_proof")
    with pytest.raises(RuleViolation, match="签章人不在信任列表中"):
        attach_sealed_document(demo, CLERK, summary.case_number, "extinction_proof", pdf, trust=trust)
    _assert_nothing_saved(demo, summary.case_number, "extinction_proof")


def test_unsigned_or_non_pdf_files_are_refused(demo, cancellation, trust):
    summary, _p = cancellation
    unsigned = render_bank_document(
        "贷款结清证明", "黄河示范银行股份有限公司中卫分行", [("抵押权人", "黄河示范银行")]
    )
    with pytest.raises(RuleViolation, match="没有电子签章"):
        attach_sealed_document(demo, CLERK, summary.case_number, "extinction_proof", unsigned, trust=trust)
    with pytest.raises(RuleViolation, match="不是 PDF"):
        attach_sealed_document(
            demo, CLERK, summary.case_number, "extinction_proof", b"GIF89a....", trust=trust
        )
    _assert_nothing_saved(demo, summary.case_number, "extinction_proof")


def test_materials_that_a_seal_cannot_replace_are_refused(demo, cancellation, sealed, trust):
    summary, p = cancellation
    pdf = sealed(p, "bank-hh", "extinction_proof")
    with pytest.raises(RuleViolation, match="不能以电子签章件已核验代替"):
        attach_sealed_document(demo, CLERK, summary.case_number, "identity", pdf, trust=trust)
    with pytest.raises(NotFound, match="mortgage_contract"):
        attach_sealed_document(demo, CLERK, summary.case_number, "mortgage_contract", pdf, trust=trust)
    with pytest.raises(PermissionDenied):
        attach_sealed_document(demo, CASHIER, summary.case_number, "extinction_proof", pdf, trust=trust)
    with pytest.raises(NotFound, match="202699999999"):
        attach_sealed_document(demo, CLERK, "202699999999", "extinction_proof", pdf, trust=trust)
    _assert_nothing_saved(demo, summary.case_number, "identity")


def test_no_sealed_material_after_recording(demo, cancellation, sealed, trust):
    summary, p = cancellation
    for code in ("application", "identity", "proof_certificate", "extinction_proof"):
        intake.receive_material(demo, CLERK, summary.case_number, code, "paper")
    recording.record_case(demo, REGISTRAR, summary.case_number, now=MONDAY + timedelta(hours=1))
    assert queries.get_case(demo, CLERK, summary.case_number).status is CaseStatus.ISSUED
    pdf = sealed(p, "bank-hh", "extinction_proof")
    with pytest.raises(RuleViolation, match="不能再提交材料"):
        attach_sealed_document(demo, CLERK, summary.case_number, "extinction_proof", pdf, trust=trust)


def test_the_demo_bank_pushes_its_missing_sealed_materials_once(demo, cancellation, pki_settings):
    summary, _p = cancellation

    pushed = push_demo_bank_documents(demo, CLERK, pki_settings, summary.case_number)

    assert pushed and {r.signer_uscc for r in pushed} == {"91640500MA7HH00105"}
    assert "extinction_proof" in {r.material_code for r in pushed}
    for result in pushed:
        assert _material(demo, summary.case_number, result.material_code).status == "sealed"
    assert (
        push_demo_bank_documents(demo, CLERK, pki_settings, summary.case_number) == []
    )  # nothing missing now
