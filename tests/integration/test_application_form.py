"""The 不动产登记申请书 of a case: filled from the case, signed by every natural-person applicant on the pad,
sealed by the centre and kept as the case's application material; every refusal saves nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import func, select

from registry_desk.config import Settings
from registry_desk.documents.pki import TrustStore, create_demo_pki
from registry_desk.documents.verification import check_document, document_text
from registry_desk.domain.codes import AdvanceNoticeKind, RightStatus
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.resources_path import seed
from registry_desk.registration import certificates, intake, payment_status, recording
from registry_desk.registration import issuing
from registry_desk.exemptions.application_form import (
    ATTACHMENT_KIND,
    application_form_pdf,
    sign_application_form,
    signers,
)
from registry_desk.registration.prefill import accept_prefilled, prefill
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Attachment, AuditEvent, Case, CaseMaterial, Right, Unit
from tests.integration.test_case_helpers import CASHIER, CLERK, MONDAY, REGISTRAR


def signature_png(seed_value: int = 0) -> bytes:
    """A stroke on a transparent background, as the pad exports it."""
    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.line(
        [(10, 90), (60 + seed_value, 20), (130, 100), (220, 30), (330, 80)], fill=(0, 0, 0, 255), width=6
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pki_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data_dir, database_url="sqlite://")
    create_demo_pki(settings.keys_dir, json.loads(seed("organisations.json").read_text("utf-8")))
    return settings


@pytest.fixture(scope="module")
def trust(pki_settings: Settings) -> TrustStore:
    return TrustStore.load(pki_settings.keys_dir)


def presale_unit(db: Database) -> str:
    """A new flat with a 预售商品房抵押权预告登记 (its buyers not yet owners)."""
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        notice = s.scalars(
            select(Right)
            .where(
                Right.notice_kind == AdvanceNoticeKind.PRESALE_MORTGAGE, Right.status == RightStatus.CURRENT
            )
            .order_by(Right.id)
        ).first()
        return s.scalar(select(Unit.unit_number).where(Unit.id == notice.unit_id))


def buyers_take_ownership(db: Database, unit_number: str, *, record=None) -> str:
    """The presale buyers' transfer, carried through with paper materials; returns the case number.
    `record(case_number)` replaces plain recording (e.g. record and publish)."""
    p = prefill(db, CLERK, "transfer", unit_number)
    accepted = accept_prefilled(db, CLERK, p, now=MONDAY)
    for material in accepted.missing_materials:
        intake.receive_material(db, CLERK, accepted.case_number, material.code, now=MONDAY)
    payment_status.confirm_payment(db, CASHIER, accepted.case_number, now=MONDAY)
    if record is None:
        recording.record_case(db, REGISTRAR, accepted.case_number, now=MONDAY + timedelta(minutes=30))
    else:
        record(accepted.case_number)
    # 缮证 and 发证 finish the case, so the unit is free for the mortgage.
    certificates.mark_certificate_ready(
        db, REGISTRAR, accepted.case_number, now=MONDAY + timedelta(minutes=40)
    )
    certificates.issue_certificate(
        db, CLERK, accepted.case_number, "刘凤琴", now=MONDAY + timedelta(minutes=45)
    )
    return accepted.case_number


def accepted_first_mortgage(db: Database, unit_number: str) -> str:
    """The buyers own the flat; the bank's first mortgage is prefilled from its notice and accepted."""
    buyers_take_ownership(db, unit_number)
    p = prefill(db, CLERK, "mortgage_first", unit_number)
    return accept_prefilled(db, CLERK, p, now=MONDAY + timedelta(hours=1)).case_number


def _attachments(db: Database, case_number: str) -> int:
    with db.unit_of_work(write=False) as uow:
        return uow.session.scalar(
            select(func.count(Attachment.id))
            .join(Case, Case.id == Attachment.case_id)
            .where(Case.case_number == case_number, Attachment.kind == ATTACHMENT_KIND)
        )


def _material(db: Database, case_number: str, code: str = "application") -> CaseMaterial:
    with db.unit_of_work(write=False) as uow:
        row = uow.session.scalars(
            select(CaseMaterial)
            .join(Case, Case.id == CaseMaterial.case_id)
            .where(Case.case_number == case_number, CaseMaterial.code == code)
        ).one()
        uow.session.expunge(row)
        return row


@pytest.fixture(autouse=True)
def _fresh_kits() -> Iterator[None]:
    yield
    issuing.forget_centre_kits()


def test_signed_form_carries_every_applicant_and_is_kept_sealed_with_the_case(demo, pki_settings, trust):
    number = accepted_first_mortgage(demo, presale_unit(demo))
    people = signers(demo, CLERK, number)
    bank = [p for p in people if p.is_organisation]
    mortgagors = [p for p in people if not p.is_organisation]
    assert [b.name for b in bank] == ["黄河示范银行股份有限公司中卫分行"]
    assert [m.name for m in mortgagors] == ["刘凤琴", "丁勇建"]
    assert all(m.role_label == "申请人（抵押人）" for m in mortgagors)

    # One mortgagor has not signed yet: refused, naming them, and nothing kept.
    with pytest.raises(ValidationError, match="丁勇建尚未签名"):
        sign_application_form(
            demo, CLERK, number, {mortgagors[0].id_number: signature_png()}, settings=pki_settings
        )
    assert _attachments(demo, number) == 0
    assert _material(demo, number).status == "missing"

    signed = sign_application_form(
        demo,
        CLERK,
        number,
        {mortgagors[0].id_number: signature_png(1), mortgagors[1].position: signature_png(2)},
        settings=pki_settings,
        now=MONDAY + timedelta(hours=2),
    )
    assert signed.signed_by == ("刘凤琴", "丁勇建")
    assert signed.material_status == "sealed"
    material = _material(demo, number)
    assert (material.status, material.attachment_id) == ("sealed", signed.attachment_id)
    assert "刘凤琴、丁勇建" in material.note
    assert _attachments(demo, number) == 1

    report = check_document(signed.pdf, trust)
    assert report.ok, report.problems
    assert report.seals.signatures[0].signer_org == "中卫市自然资源局"
    assert report.payload is not None and report.payload.fields["case_number"] == number
    text = document_text(signed.pdf)
    for expected in (
        number,
        "黄河示范银行股份有限公司中卫分行",
        "刘凤琴",
        "丁勇建",
        "被担保主债权数额",
        "以本单位电子签章确认",
        "抵押权首次登记",
    ):
        assert expected in text
    # The two signatures are on the page as images (the seal is a third).
    images = [img for page in PdfReader(io.BytesIO(signed.pdf)).pages for img in page.images]
    assert len(images) >= 3

    with demo.unit_of_work(write=False) as uow:
        event = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.application_signed")
        ).one()
        assert event.after["signed_by"] == ["刘凤琴", "丁勇建"] and event.after["sha256"] == signed.sha256


def test_preview_before_signing_shows_empty_cells_and_saves_nothing(demo, pki_settings, trust):
    number = accepted_first_mortgage(demo, presale_unit(demo))
    pdf = application_form_pdf(demo, CLERK, number, {}, settings=pki_settings)
    assert "（未签名）" in document_text(pdf)
    assert check_document(pdf, trust).ok
    assert _attachments(demo, number) == 0


def test_a_signature_that_is_not_a_png_and_a_recorded_case_are_refused(demo, pki_settings):
    unit = presale_unit(demo)
    transfer = buyers_take_ownership(demo, unit)  # recorded and issued
    with pytest.raises(RuleViolation, match="不能再签署申请书"):
        sign_application_form(demo, CLERK, transfer, {}, settings=pki_settings)
    number = accept_prefilled(
        demo, CLERK, prefill(demo, CLERK, "mortgage_first", unit), now=MONDAY + timedelta(hours=1)
    ).case_number
    people = [p for p in signers(demo, CLERK, number) if not p.is_organisation]
    with pytest.raises(ValidationError, match="不是 PNG 图片"):
        sign_application_form(
            demo, CLERK, number, {p.id_number: b"GIF89a" for p in people}, settings=pki_settings
        )
    assert _attachments(demo, number) == 0


def test_a_transfer_keeps_the_signed_form_but_still_needs_the_paper_original(demo, pki_settings):
    unit = presale_unit(demo)
    p = prefill(demo, CLERK, "transfer", unit)
    number = accept_prefilled(demo, CLERK, p, now=MONDAY).case_number
    people = signers(demo, CLERK, number)
    signed = sign_application_form(
        demo, CLERK, number, {s.id_number: signature_png() for s in people}, settings=pki_settings
    )
    # business_types.json lists the transfer's 申请书 as paper only: the material is not marked received.
    assert signed.material_status == "missing"
    assert "纸质申请书原件" in signed.material_note
    assert _attachments(demo, number) == 1
