"""The e-certificate store fed from the register: issue after 登簿 (idempotent, cancelling what the case
cancelled), then 免提交 — pull, verify and record on the case — with each kind of bad e-certificate refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from registry_desk.config import Settings
from registry_desk.documents.pki import TrustStore
from registry_desk.domain.codes import CertificateStatus, Role
from registry_desk.domain.errors import NotFound, RuleViolation
from registry_desk.demo.demo_ecerts import seed_demo_ecerts
from registry_desk.exemptions.ecert.local_store import LocalEcertStore
from registry_desk.exemptions.ecert.publish import (
    backfill_unit_ecerts,
    issue_ecerts_for_case,
    record_for_certificate,
)
from registry_desk.exemptions.ecert.pull import EcertVerificationFailed, attach_ecert_to_case, pull_for_case
from registry_desk.registration import issuing
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.storage.tables import AuditEvent, CaseMaterial, Certificate
from tests.conftest import migrated_sqlite
from tests.unit.exemptions.ecert.register import (
    BUYER,
    HUSBAND,
    STRANGER,
    WIFE,
    build_tiny_register,
    settings_for,
)

CLERK = Actor(user_id=None, username="clerk01", display_name="受理员甲", role=Role.CLERK, window="3")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ecert-data")


@pytest.fixture(scope="module")
def stranger_dir(tmp_path_factory):
    """Another installation with its own demo root: its seals mean nothing to ours."""
    return tmp_path_factory.mktemp("stranger-data")


@pytest.fixture(scope="module")
def register(tmp_path_factory, data_dir):
    """One register for the module (rendering is what costs): the tests only add payloads, e-certificate
    ids and material states to it, which every test tolerates; each test gets a store of its own."""
    with migrated_sqlite(tmp_path_factory.mktemp("ecert-db")) as db:
        yield db, Settings(data_dir=data_dir, database_url=db.url), build_tiny_register(db)


@pytest.fixture
def env(register, tmp_path):
    db, settings, reg = register
    return db, settings, LocalEcertStore(tmp_path / "ecerts"), reg


def trust(settings) -> TrustStore:
    return TrustStore.load(settings.keys_dir)


_printed: dict[tuple[str, str], bytes] = {}


def printed(db, settings, number) -> bytes:
    key = (str(settings.data_dir), number)
    if key not in _printed:
        _printed[key] = issuing.certificate_pdf(db, SYSTEM, number, settings=settings)
    return _printed[key]


def put_in_store(db, settings, store, number):
    """Issue one certificate into the store as the registry would have (also one it has since cancelled)."""
    pdf = printed(db, settings, number)
    with db.unit_of_work(write=False) as uow:
        cert = uow.session.scalar(select(Certificate).where(Certificate.number == number))
        record = record_for_certificate(uow.session, cert, issuer_name="中卫市自然资源局")
    return store.issue(record, pdf)


def test_issue_after_recording_then_pull_and_verify(env):
    db, settings, store, reg = env
    report = issue_ecerts_for_case(db, settings, store, reg.recorded_case)
    assert len(report.issued) == 1 and report.cancelled == []
    with db.unit_of_work(write=False) as uow:
        ecert_id = uow.session.scalar(
            select(Certificate.ecert_id).where(Certificate.number == reg.buyer_certificate)
        )
    assert report.issued == [ecert_id]

    verified = pull_for_case(store, trust(settings), holder_id_number=BUYER[1], unit_number=reg.flat)
    assert verified.ecert_id == ecert_id and verified.record.number == reg.buyer_certificate
    assert verified.record.holder_id_type == "111" and verified.record.holder_name == BUYER[0]
    assert verified.signer_org == "中卫市自然资源局" and verified.signer_uscc == "11640500MB0A1W001J"
    assert verified.payload_fields["number"] == reg.buyer_certificate
    # The e-certificate's own PDF prints its 电子证照标识.
    from registry_desk.documents.verification import document_text

    assert ecert_id in document_text(store.pdf(ecert_id)).replace("\n", "")


def test_issuing_again_changes_nothing_and_old_ecerts_are_cancelled(env):
    db, settings, store, reg = env
    couple = put_in_store(db, settings, store, reg.couple_certificate)  # issued before the transfer
    first = issue_ecerts_for_case(db, settings, store, reg.recorded_case)
    assert first.cancelled == [couple.ecert_id]
    again = issue_ecerts_for_case(db, settings, store, reg.recorded_case)
    assert not again.changed and set(again.already_done) == {*first.issued, couple.ecert_id}
    assert len(store.find()) == 2
    gone = store.get(couple.ecert_id)
    assert gone.status is CertificateStatus.CANCELLED and "202603020001" in gone.cancel_reason

    # The seller brings no paper: the store's copy is 注销 and is refused with the e-certificate named.
    with pytest.raises(
        EcertVerificationFailed, match=f"电子证照 {couple.ecert_id.replace('.', '[.]')} 已注销"
    ):
        pull_for_case(store, trust(settings), holder_id_number=HUSBAND[1], unit_number=reg.flat)


def test_a_retry_after_a_crash_between_the_register_and_the_store_finishes_the_job(env):
    db, settings, store, reg = env
    # The first attempt saved the ecert id on the certificate, then died before the store was written.
    with db.unit_of_work() as uow:
        from registry_desk.exemptions.ecert.records import ecert_id_for_certificate

        cert = uow.session.scalar(select(Certificate).where(Certificate.number == reg.buyer_certificate))
        cert.ecert_id = ecert_id_for_certificate(cert.number)
        uow.commit()
    report = issue_ecerts_for_case(db, settings, store, reg.recorded_case)
    assert report.issued == [cert.ecert_id] and store.get(cert.ecert_id).is_current


def test_a_co_owner_may_use_the_joint_certificate(env):
    db, settings, store, reg = env
    couple = put_in_store(db, settings, store, reg.couple_certificate)
    # Before the transfer was recorded, the wife (not the 持证人) could have used it too.
    verified = pull_for_case(
        store, trust(settings), holder_id_number=WIFE[1], unit_number=reg.flat, number=reg.couple_certificate
    )
    assert verified.ecert_id == couple.ecert_id and verified.record.holder_name == HUSBAND[0]


def test_tampered_bytes_are_refused(env):
    db, settings, store, reg = env
    rec = put_in_store(db, settings, store, reg.other_certificate)
    path = store.folder / "pdf" / f"{rec.ecert_id}.pdf"
    data = path.read_bytes()
    at = data.index(b"/Producer")
    path.write_bytes(data[:at] + b"/Producxr" + data[at + 9 :])
    with pytest.raises(EcertVerificationFailed, match="文件被改动"):
        pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)


def test_tampered_bytes_with_a_matching_digest_still_fail_the_seal(env):
    db, settings, store, reg = env
    rec = put_in_store(db, settings, store, reg.other_certificate)
    path = store.folder / "pdf" / f"{rec.ecert_id}.pdf"
    data = path.read_bytes()
    at = data.index(b"/Producer")
    tampered = data[:at] + b"/Producxr" + data[at + 9 :]
    path.write_bytes(tampered)
    # Whoever changed the file also changed the digest in the record: the seal still gives it away.
    import hashlib

    record_path = store.folder / "records" / f"{rec.ecert_id}.json"
    meta = json.loads(record_path.read_text("utf-8"))
    meta["sha256"] = hashlib.sha256(tampered).hexdigest()
    record_path.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    with pytest.raises(EcertVerificationFailed, match="电子证照 .* 签章无效：文件被改动"):
        pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)


def test_wrong_holder_and_wrong_unit_are_refused(env):
    db, settings, store, reg = env
    put_in_store(db, settings, store, reg.other_certificate)
    with pytest.raises(RuleViolation, match="电子证照持证人与申请人不一致"):
        pull_for_case(store, trust(settings), holder_id_number=BUYER[1], unit_number=reg.other_flat)
    with pytest.raises(RuleViolation, match=f"与本业务的单元 {reg.flat} 不一致"):
        pull_for_case(
            store,
            trust(settings),
            holder_id_number=STRANGER[1],
            unit_number=reg.flat,
            number=reg.other_certificate,
        )
    with pytest.raises(NotFound, match="没有不动产单元"):
        pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.flat)


def test_a_pdf_sealed_under_another_root_is_refused(env, stranger_dir):
    db, settings, store, reg = env
    foreign = settings_for(stranger_dir, db)
    pdf = issuing.certificate_pdf(db, SYSTEM, reg.other_certificate, settings=foreign)
    with db.unit_of_work(write=False) as uow:
        cert = uow.session.scalar(select(Certificate).where(Certificate.number == reg.other_certificate))
        record = record_for_certificate(uow.session, cert, issuer_name="中卫市自然资源局")
    store.issue(record, pdf)
    with pytest.raises(EcertVerificationFailed, match="签章人不在信任列表中"):
        pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)


def test_a_pdf_of_another_certificate_under_this_record_is_refused(env):
    db, settings, store, reg = env
    wrong_pdf = printed(db, settings, reg.buyer_certificate)
    with db.unit_of_work(write=False) as uow:
        cert = uow.session.scalar(select(Certificate).where(Certificate.number == reg.other_certificate))
        record = record_for_certificate(uow.session, cert, issuer_name="中卫市自然资源局")
    store.issue(record, wrong_pdf)
    with pytest.raises(EcertVerificationFailed, match="验真码与证照库记录不符：证号不同"):
        pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)


def _material(db, case_number, code) -> CaseMaterial:
    with db.unit_of_work(write=False) as uow:
        from registry_desk.storage.tables import Case

        case_id = uow.session.scalar(select(Case.id).where(Case.case_number == case_number))
        m = uow.session.scalar(
            select(CaseMaterial).where(CaseMaterial.case_id == case_id, CaseMaterial.code == code)
        )
        uow.session.expunge(m)
        return m


def test_the_verified_ecert_satisfies_the_title_certificate_material(env):
    db, settings, store, reg = env
    rec = put_in_store(db, settings, store, reg.other_certificate)
    verified = pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)
    attach_ecert_to_case(db, CLERK, reg.open_case, "title_certificate", verified)
    material = _material(db, reg.open_case, "title_certificate")
    assert (material.status, material.ecert_id, material.note) == ("ecert", rec.ecert_id, "电子证照 已核验")
    assert material.received_at is not None
    with db.unit_of_work(write=False) as uow:
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.material_ecert"))
        assert (
            event.record == f"{reg.open_case}:title_certificate" and event.after["ecert_id"] == rec.ecert_id
        )
        assert event.after["sha256"] == rec.sha256 and event.before["status"] == "missing"


def test_an_ecert_cannot_satisfy_another_case_or_a_paper_only_material(env):
    db, settings, store, reg = env
    issue_ecerts_for_case(db, settings, store, reg.recorded_case)
    buyers = pull_for_case(store, trust(settings), holder_id_number=BUYER[1], unit_number=reg.flat)
    with pytest.raises(RuleViolation, match="与业务 202603030001 的单元 .* 不一致"):
        attach_ecert_to_case(db, CLERK, reg.open_case, "title_certificate", buyers)
    put_in_store(db, settings, store, reg.other_certificate)
    own = pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)
    with pytest.raises(RuleViolation, match="存量房买卖合同”不能以电子证照代替"):
        attach_ecert_to_case(db, CLERK, reg.open_case, "sale_contract", own)
    assert _material(db, reg.open_case, "sale_contract").status == "missing"  # nothing half-saved


def test_seeding_issues_the_scenario_units_once(env):
    db, settings, store, reg = env
    report = seed_demo_ecerts(db, settings, store)
    # The mortgaged flat's current certificates: the buyer's and the bank's 证明 (the couple's is cancelled).
    assert len(report.issued) == 2
    assert {r.number for r in store.find(unit_number=reg.flat)} == {reg.buyer_certificate, reg.mortgage_proof}
    assert not seed_demo_ecerts(db, settings, store).changed


def test_a_unit_converted_on_demand_can_be_pulled_at_once(env):
    db, settings, store, reg = env
    with pytest.raises(NotFound):
        pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)
    report = backfill_unit_ecerts(db, settings, store, reg.other_flat)
    assert len(report.issued) == 1
    assert pull_for_case(store, trust(settings), holder_id_number=STRANGER[1], unit_number=reg.other_flat)
    assert not backfill_unit_ecerts(db, settings, store, reg.other_flat).changed
