"""Issue #12, item 7: the kiosk hands a certificate only to the person entitled, on SQLite and PostgreSQL.

Each test is a failure found on the old kiosk: the ID number alone sufficed; the service trusted an
`Identified` any caller could build; the kiosk account read any case's orders with full taxpayer IDs; an
administrator could do kiosk work; a reprinted receipt, a second pickup and a case from before the codes.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from registry_desk.config import Settings
from registry_desk.domain.cases import AgentInput
from registry_desk.domain.codes import IdType, Role
from registry_desk.domain.errors import PermissionDenied, RuleViolation
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kiosk.identify import Identified, check_case, identify
from registry_desk.kiosk.payment import payment_state
from registry_desk.kiosk.printing import print_certificate
from registry_desk.kiosk.progress import case_status
from registry_desk.payments import orders
from registry_desk.registration import intake, issuing, pickup
from registry_desk.storage.kiosk.tables import KioskPickupCode
from registry_desk.storage.tables import AuditEvent
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import CLERK, LIU, MONDAY, WANG, ZHAO, transfer
from tests.integration.test_kiosk_helpers import (
    ADMIN,
    BUYER,
    KIOSK,
    SELLER,
    kiosk_identify,
    load_paper,
    make_ready,
    open_case,
    pay_side,
    print_receipts,
    receipt_codes,
)

any_register = _helpers.any_register
sqlite_register = _helpers.sqlite_register
register_template = _helpers.register_template


def _to_file(pdf: bytes, name: str) -> str:
    return f"/dev/null/{name}"


def _actions(db, action: str) -> list[AuditEvent]:
    with db.unit_of_work(write=False) as uow:
        events = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        uow.session.expunge_all()
        return events


def test_an_id_number_without_the_receipts_pickup_code_is_refused_and_counted(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    wrong = "0" * 8 if kc.codes[BUYER[1]] != "0" * 8 else "1" * 8
    with pytest.raises(PermissionDenied, match="证件号码或取件码.*还可再试 4 次"):
        identify(any_db, KIOSK, kc.case_number, BUYER[1], wrong, settings=kc.settings)
    # The seller's code does not open the buyer's side either: a code is its own applicant's.
    with pytest.raises(PermissionDenied, match="还可再试 3 次"):
        identify(any_db, KIOSK, kc.case_number, BUYER[1], kc.codes[SELLER[1]], settings=kc.settings)
    assert len(_actions(any_db, "kiosk.identify_failed")) == 2
    who = kiosk_identify(any_db, kc, BUYER)
    assert who.name_masked == "赵*" and kc.codes[BUYER[1]] not in repr(who)


def test_the_code_is_printed_on_its_applicants_copy_only_and_stored_as_a_keyed_hash(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    buyer_code, seller_code = kc.codes[BUYER[1]], kc.codes[SELLER[1]]
    assert buyer_code != seller_code and len(buyer_code) == 8
    # The file copy (no applicant) prints no code at all.
    assert (
        pickup.code_printed_on(
            issuing.acceptance_receipt_pdf(any_db, CLERK, kc.case_number, settings=kc.settings)
        )
        is None
    )
    with any_db.unit_of_work(write=False) as uow:
        hashes = list(
            uow.session.scalars(
                select(KioskPickupCode.code_hash).where(KioskPickupCode.case_id == kc.case_id)
            )
        )
    assert len(hashes) == 2
    for stored in hashes:
        assert buyer_code not in stored and seller_code not in stored and len(stored) == 64
    key_file = kc.settings.keys_dir / pickup.KEY_FILE
    assert key_file.stat().st_mode & 0o077 == 0  # the key is outside the database and the account's alone
    issued = _actions(any_db, pickup.ISSUED_ACTION)
    assert len(issued) == 2 and all(buyer_code not in str(e.after) for e in issued)


def test_a_reprint_issues_a_new_code_voids_the_old_one_and_its_sessions_audited(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    old_code = kc.codes[BUYER[1]]
    old_session = kiosk_identify(any_db, kc, BUYER)
    print_receipts(any_db, kc)  # the window reprints both copies
    assert kc.codes[BUYER[1]] != old_code
    with pytest.raises(PermissionDenied, match="证件号码或取件码"):
        identify(any_db, KIOSK, kc.case_number, BUYER[1], old_code, settings=kc.settings)
    with pytest.raises(PermissionDenied, match="身份核验已失效"):
        case_status(any_db, KIOSK, old_session)
    assert kiosk_identify(any_db, kc, BUYER).case_number == kc.case_number
    reissued = _actions(any_db, pickup.REISSUED_ACTION)
    assert len(reissued) == 2 and all(e.after["earlier_code_void"] for e in reissued)


def test_the_code_is_used_up_when_the_certificate_is_handed_over(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    pay_side(any_db, kc, "buyer")
    pay_side(any_db, kc, "seller")
    make_ready(any_db, kc)
    load_paper(any_db)
    who = kiosk_identify(any_db, kc, BUYER)
    (cert,) = [c for c in case_status(any_db, KIOSK, who).certificates if c.can_print]
    assert print_certificate(any_db, KIOSK, who, cert.number, _to_file, settings=kc.settings).ok
    with pytest.raises(RuleViolation, match="取件码已使用"):
        kiosk_identify(any_db, kc, BUYER)
    assert len(_actions(any_db, "kiosk.pickup_code_used")) == 1


def test_a_session_the_caller_builds_or_alters_is_refused(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    real = kiosk_identify(any_db, kc, SELLER)
    with any_db.unit_of_work(write=False) as uow:
        buyer_id = next(
            r.party_id
            for r in uow.session.scalars(select(KioskPickupCode).where(KioskPickupCode.case_id == kc.case_id))
            if r.party_id != real.party_id
        )
    built = Identified(kc.case_number, buyer_id, "赵*", "x", "买方")
    moved = dataclasses.replace(real, party_id=buyer_id)  # the seller's token, the buyer's id
    body, mac = real.token.split(".")
    tampered = dataclasses.replace(real, token=body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac)
    # Only the token counts: the dataclass's own party id is display, and changing it changes nothing.
    assert [o.side for o in payment_state(any_db, KIOSK, moved).orders] == ["seller"]
    for forged in (built, tampered):
        for call in (case_status, payment_state):
            with pytest.raises(PermissionDenied, match="身份核验已失效"):
                call(any_db, KIOSK, forged)
    other_terminal = Actor(None, "kiosk02", "自助终端2", Role.KIOSK)
    with pytest.raises(PermissionDenied, match="身份核验已失效"):
        case_status(any_db, other_terminal, real)
    expired = kiosk_identify(any_db, kc, SELLER, now=utc_now() - timedelta(hours=1))
    with pytest.raises(PermissionDenied, match="身份核验已失效"):
        case_status(any_db, KIOSK, expired)
    assert case_status(any_db, KIOSK, real).case_number == kc.case_number


def test_the_kiosk_reads_only_its_citizens_orders_and_never_a_full_taxpayer_id(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    with any_db.unit_of_work(write=False) as uow:
        with pytest.raises(PermissionDenied, match="岗位权限|无权"):
            orders.orders_for_case_number(uow.session, KIOSK, kc.case_number)
    state = payment_state(any_db, KIOSK, kiosk_identify(any_db, kc, BUYER))
    assert [o.side for o in state.orders] == ["buyer"]
    shown = repr(state)
    assert BUYER[1] not in shown and SELLER[1] not in shown and BUYER[1][:4] in shown


def test_an_administrator_does_no_kiosk_work(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    with pytest.raises(PermissionDenied, match="岗位权限|无权"):
        check_case(any_db, ADMIN, kc.case_number)
    with pytest.raises(PermissionDenied, match="无权"):
        kiosk_identify(any_db, kc, BUYER, actor=ADMIN)
    who = kiosk_identify(any_db, kc, BUYER)
    with pytest.raises(PermissionDenied, match="无权"):
        case_status(any_db, ADMIN, who)


def test_a_case_accepted_before_pickup_codes_is_sent_to_the_window(any_db, tmp_path):
    kc = open_case(any_db, tmp_path)
    with any_db.unit_of_work() as uow:
        uow.session.execute(delete(KioskPickupCode).where(KioskPickupCode.case_id == kc.case_id))
        uow.commit()
    with pytest.raises(RuleViolation, match="尚未发放取件码.*到窗口办理"):
        check_case(any_db, KIOSK, kc.case_number)
    with pytest.raises(RuleViolation, match="尚未发放取件码"):
        kiosk_identify(any_db, kc, BUYER)
    assert _actions(any_db, "kiosk.identify_failed") == []  # nothing was guessed: nothing counted


def test_an_agent_identifies_with_the_code_of_the_applicant_they_act_for(any_register, tmp_path):
    db, reg = any_register
    request = transfer(reg.plain, [WANG], [ZHAO])
    request = dataclasses.replace(
        request,
        parties=tuple(
            dataclasses.replace(p, agent=AgentInput(LIU[0], IdType.RESIDENT_ID, LIU[1]))
            if p.name == ZHAO[0]
            else p
            for p in request.parties
        ),
    )
    number = intake.accept_case(db, CLERK, request, now=MONDAY).case_number
    settings = Settings(tmp_path, db.url)
    codes = receipt_codes(db, number, settings)
    assert set(codes) == {WANG[1], ZHAO[1]}  # the agent has no receipt of their own
    with pytest.raises(PermissionDenied, match="证件号码或取件码"):
        identify(db, KIOSK, number, LIU[1], codes[WANG[1]], settings=settings)  # not the one they act for
    who = identify(db, KIOSK, number, LIU[1], codes[ZHAO[1]], settings=settings)
    assert who.role_label == "代理人" and who.name_masked == "刘*"
    assert case_status(db, KIOSK, who).case_number == number


def test_a_reprint_for_one_applicant_leaves_the_others_code_valid(any_db, tmp_path):
    from registry_desk.payments import service as payment_flow

    kc = open_case(any_db, tmp_path)
    buyer_party = next(
        pid
        for pid, _, _, id_number in issuing.receipt_applicants(any_db, CLERK, kc.case_number)
        if id_number == BUYER[1]
    )
    ((label, pdf),) = payment_flow.acceptance_receipts(
        any_db, CLERK, kc.case_number, settings=kc.settings, party_ids={buyer_party}
    )
    assert label == "买方联" and pickup.code_printed_on(pdf) not in (None, kc.codes[BUYER[1]])
    assert kiosk_identify(any_db, kc, SELLER).case_number == kc.case_number  # the seller's code still holds
    with pytest.raises(PermissionDenied, match="证件号码或取件码"):
        kiosk_identify(any_db, kc, BUYER)  # the buyer's old code is void
