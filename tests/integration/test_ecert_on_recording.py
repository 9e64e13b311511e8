"""E-certificates follow the register: recording issues the new ones and cancels the replaced ones; a failed or
interrupted publish leaves the case pending until it is finished; a pull converts a unit's old certificates on
demand (marked 存量证照电子化); a tampered e-certificate is refused with its reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from registry_desk.config import Settings
from registry_desk.domain.codes import CertificateStatus, RightStatus, RightType
from registry_desk.exemptions.ecert.local_store import LocalEcertStore
from registry_desk.exemptions.ecert.pull import EcertVerificationFailed
from registry_desk.exemptions.ecert.records import ecert_id_for_certificate
from registry_desk.registration import queries
from registry_desk.exemptions import service as exemptions
from registry_desk.registration.prefill import accept_prefilled, prefill
from registry_desk.storage.tables import AuditEvent, Certificate, Right, Unit
from tests.integration import test_application_form as shared
from tests.integration.test_application_form import buyers_take_ownership, presale_unit
from tests.integration.test_case_helpers import CLERK, MONDAY, REGISTRAR

# The seals and the seal-kit reset, shared with the application-form tests (the demo register comes from
# tests/integration/conftest.py).
pki_settings = shared.pki_settings
trust = shared.trust
_fresh_kits = shared._fresh_kits


@pytest.fixture
def store(tmp_path: Path) -> LocalEcertStore:
    return LocalEcertStore(tmp_path / "ecert")


class BrokenStore(LocalEcertStore):
    """The store's disk is full: every issue fails."""

    def issue(self, record, pdf):
        raise OSError(28, "No space left on device")


def _current_certificates(db, unit_number: str) -> list[str]:
    with db.unit_of_work(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Certificate.number)
                .join(Unit, Unit.id == Certificate.unit_id)
                .where(Unit.unit_number == unit_number, Certificate.status == CertificateStatus.CURRENT)
                .order_by(Certificate.id)
            )
        )


def _actions(db, case_number: str) -> list[str]:
    with db.unit_of_work(write=False) as uow:
        return list(
            uow.session.scalars(
                select(AuditEvent.action).where(AuditEvent.record == case_number).order_by(AuditEvent.seq)
            )
        )


def test_recording_issues_the_new_e_certificate_and_cancels_the_replaced_one(demo, pki_settings, store):
    unit = presale_unit(demo)
    # The developer's certificate was converted when someone pulled it earlier.
    exemptions.backfill_unit(demo, pki_settings, store, unit)
    [old] = [r for r in store.find(unit_number=unit) if r.kind.value == "right_certificate"] or [None]
    assert old is not None and old.is_current and exemptions.BACKFILLED_KEY in old.extra

    outcomes = []

    def record_and_publish(number: str) -> None:
        outcomes.append(
            exemptions.record_and_publish(
                demo,
                REGISTRAR,
                number,
                settings=pki_settings,
                store=store,
                now=MONDAY + timedelta(minutes=30),
            )
        )

    number = buyers_take_ownership(demo, unit, record=record_and_publish)
    [done] = outcomes
    assert done.published and done.publish_error is None
    [new_number] = done.record.issued_certificates
    new = store.get(ecert_id_for_certificate(new_number))
    assert new.is_current and {h.name for h in new.all_holders} == {"刘凤琴", "丁勇建"}
    assert exemptions.BACKFILLED_KEY not in new.extra  # issued on recording, not converted
    assert store.get(old.ecert_id).status is CertificateStatus.CANCELLED
    assert number in store.get(old.ecert_id).cancel_reason
    assert "ecert.published" in _actions(demo, number)
    assert exemptions.pending_cases(demo) == []


def test_a_failed_publish_keeps_the_recording_and_is_finished_later(demo, pki_settings, store, tmp_path):
    unit = presale_unit(demo)
    broken = BrokenStore(tmp_path / "ecert")
    outcomes = []

    def record_and_publish(number: str) -> None:
        outcomes.append(
            exemptions.record_and_publish(demo, REGISTRAR, number, settings=pki_settings, store=broken)
        )

    number = buyers_take_ownership(demo, unit, record=record_and_publish)
    [failed] = outcomes
    assert failed.record.status.value == "recorded"  # the register holds it
    assert not failed.published and "No space left" in failed.publish_error
    assert "ecert.publish_failed" in _actions(demo, number)
    assert exemptions.pending_cases(demo) == [number]
    assert store.find(unit_number=unit) == []

    assert exemptions.publish_pending(demo, pki_settings, store) == {number: None}
    [new_number] = failed.record.issued_certificates
    assert store.get(ecert_id_for_certificate(new_number)).is_current
    assert exemptions.pending_cases(demo) == []
    # Finishing again changes nothing.
    assert exemptions.publish_pending(demo, pki_settings, store) == {}


def test_a_crash_between_recording_and_publishing_leaves_the_case_pending(demo, pki_settings, store):
    unit = presale_unit(demo)
    number = buyers_take_ownership(demo, unit)  # recorded without publishing, as if the window died
    assert exemptions.pending_cases(demo) == [number]
    # A pull on the unit finishes that case's publishing instead of converting its certificate as old stock.
    report = exemptions.backfill_unit(demo, pki_settings, store, unit)
    new_number = _current_certificates(demo, unit)
    issued = [store.get(ecert_id_for_certificate(n)) for n in new_number]
    ownership = [r for r in issued if r.kind.value == "right_certificate"]
    assert ownership and all(exemptions.BACKFILLED_KEY not in r.extra for r in ownership)
    assert report.issued
    assert exemptions.pending_cases(demo) == []


def _singly_mortgaged_unit(db) -> tuple[str, str]:
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        for m in s.scalars(
            select(Right)
            .where(Right.right_type == RightType.MORTGAGE, Right.status == RightStatus.CURRENT)
            .order_by(Right.id)
        ):
            count = len(
                s.scalars(
                    select(Right.id).where(
                        Right.unit_id == m.unit_id,
                        Right.right_type == RightType.MORTGAGE,
                        Right.status == RightStatus.CURRENT,
                    )
                ).all()
            )
            if count == 1:
                unit = s.scalar(select(Unit.unit_number).where(Unit.id == m.unit_id))
                proof = s.scalar(select(Certificate.number).where(Certificate.right_id == m.id))
                return unit, proof
    raise AssertionError("no singly mortgaged unit in the demo register")


def test_pull_converts_the_unit_on_demand_and_refuses_a_tampered_file(demo, pki_settings, store):
    unit, proof = _singly_mortgaged_unit(demo)
    number = accept_prefilled(
        demo, CLERK, prefill(demo, CLERK, "mortgage_cancel", unit), now=MONDAY
    ).case_number
    assert store.count() == 0

    verified = exemptions.pull_ecert(demo, CLERK, pki_settings, store, number, "proof_certificate")
    assert verified.record.number == proof
    assert exemptions.BACKFILLED_KEY in verified.record.extra
    materials = exemptions.case_materials(demo, CLERK, number)
    pulled = materials.get("proof_certificate")
    assert (pulled.status, pulled.ecert_id) == ("ecert", verified.ecert_id)
    assert exemptions.material_pdf(demo, CLERK, number, "proof_certificate", store=store).startswith(b"%PDF")

    # Someone edits the stored PDF: the next pull names the reason and records nothing.
    second = accept_prefilled(
        demo, CLERK, prefill(demo, CLERK, "mortgage_cancel", _other_unit(demo, unit)), now=MONDAY
    ).case_number
    exemptions.backfill_unit(demo, pki_settings, store, _unit_of(demo, second))
    [target] = [
        r for r in store.find(unit_number=_unit_of(demo, second)) if r.kind.value == "registration_proof"
    ]
    pdf_path = store.folder / "pdf" / f"{target.ecert_id}.pdf"
    data = bytearray(pdf_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf_path.write_bytes(bytes(data))
    with pytest.raises(EcertVerificationFailed, match="摘要不符"):
        exemptions.pull_ecert(demo, CLERK, pki_settings, store, second, "proof_certificate")
    assert exemptions.case_materials(demo, CLERK, second).get("proof_certificate").status == "missing"


def _unit_of(db, case_number: str) -> str:
    return queries.get_case(db, CLERK, case_number).unit_number


def _other_unit(db, not_this: str) -> str:
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        for m in s.scalars(
            select(Right)
            .where(Right.right_type == RightType.MORTGAGE, Right.status == RightStatus.CURRENT)
            .order_by(Right.id)
        ):
            unit = s.scalar(select(Unit.unit_number).where(Unit.id == m.unit_id))
            count = len(
                s.scalars(
                    select(Right.id).where(
                        Right.unit_id == m.unit_id,
                        Right.right_type == RightType.MORTGAGE,
                        Right.status == RightStatus.CURRENT,
                    )
                ).all()
            )
            if unit != not_this and count == 1:
                return unit
    raise AssertionError("no second singly mortgaged unit")


def test_identity_is_recorded_as_checked_electronically(demo, pki_settings, store):
    unit, _proof = _singly_mortgaged_unit(demo)
    number = accept_prefilled(
        demo, CLERK, prefill(demo, CLERK, "mortgage_cancel", unit), now=MONDAY
    ).case_number
    assert exemptions.pull_ecert(demo, CLERK, pki_settings, store, number, "identity") is None
    assert exemptions.case_materials(demo, CLERK, number).get("identity").status == "ecert"


def test_settings_store_lives_in_the_data_directory(pki_settings: Settings):
    assert exemptions.ecert_store(pki_settings).folder == pki_settings.ecert_dir


def test_pending_publishing_is_finished_from_the_command_line(demo, pki_settings, capsys):
    from registry_desk.cli import main

    unit = presale_unit(demo)
    number = buyers_take_ownership(demo, unit)  # recorded, e-certificates not published (the window died)
    command = [
        "--data-dir",
        str(pki_settings.data_dir),
        "--database-url",
        demo.url,
        "ecert",
        "publish-pending",
    ]

    assert main([*command, "--dry-run"]) == 0
    listed = capsys.readouterr().out
    assert number in listed and "待补发电子证照的业务 1 件" in listed
    assert exemptions.pending_cases(demo) == [number]  # a dry run changes nothing

    assert main(command) == 0
    done = capsys.readouterr().out
    assert f"{number}\t已签发" in done and "完成 1 件，失败 0 件" in done
    assert exemptions.pending_cases(demo) == []
    assert main(command) == 0
    assert "完成 0 件，失败 0 件" in capsys.readouterr().out
