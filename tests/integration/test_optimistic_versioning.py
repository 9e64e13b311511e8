"""Two windows on one case: an action taken on the version a window showed is refused, with who changed the
case and when, once someone else has changed it — never silently overwritten (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import ConflictError
from registry_desk.registration import (
    certificates,
    closing,
    intake,
    payment_status,
    queries,
    recording,
    versioning,
)
from registry_desk.kernel.context import Actor
from registry_desk.storage.tables import Case, CaseMaterial
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import CASHIER, CLERK, MONDAY, REGISTRAR, WANG, ZHAO, transfer

register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

SECOND_CLERK = Actor(user_id=None, username="clerk02", display_name="受理员丁", role=Role.CLERK, window="5")


def _transfer_missing_tax_receipt(db, reg) -> str:
    materials = {code: "paper" for code in _helpers.MATERIALS_ALL_PAPER["transfer"] if code != "tax_receipt"}
    return intake.accept_case(
        db, CLERK, transfer(reg.plain, [WANG], [ZHAO], materials=materials), now=MONDAY
    ).case_number


def test_withdrawing_a_case_someone_changed_meanwhile_is_refused_naming_who_and_when(any_register):
    db, reg = any_register
    number = _transfer_missing_tax_receipt(db, reg)
    shown = versioning.case_version(db, CLERK, number)  # window 3 opens the case

    # Window 5 receives the missing tax receipt at 09:15 (only a material changes, not the case row itself).
    intake.receive_material(db, SECOND_CLERK, number, "tax_receipt", now=MONDAY + timedelta(minutes=15))

    with pytest.raises(ConflictError) as refused:
        closing.withdraw_case(db, CLERK, number, "申请人要求撤回", now=MONDAY, expected_version=shown)
    assert refused.value.message == (
        f"业务 {number} 已被 clerk02 于 2026-03-02 09:15:00 修改，请刷新后重试；本次操作未保存"
    )
    assert refused.value.rule == versioning.RULE_VERSION
    summary = queries.get_case(db, CLERK, number)
    assert summary.status is CaseStatus.AWAITING_PAYMENT  # not withdrawn
    assert {m.code: m.status for m in summary.materials}["tax_receipt"] == "paper"  # window 5's change stands

    # After refreshing, window 3 acts on what is there now.
    fresh = versioning.case_version(db, CLERK, number)
    assert fresh == shown + 1
    done = closing.withdraw_case(db, CLERK, number, "申请人要求撤回", now=MONDAY, expected_version=fresh)
    assert done.status is CaseStatus.WITHDRAWN


def test_a_registrar_acting_on_the_version_before_payment_is_refused(any_register):
    db, reg = any_register
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    shown = versioning.case_version(db, REGISTRAR, number)
    payment_status.confirm_payment(db, CASHIER, number, now=MONDAY + timedelta(minutes=30))

    # The case may be recorded now, but not by a window that decided on the 待缴费 version it showed.
    with pytest.raises(ConflictError, match=f"业务 {number} 已被 cash01 于 2026-03-02 09:30:00 修改"):
        recording.record_case(db, REGISTRAR, number, now=MONDAY, expected_version=shown)
    assert queries.get_case(db, REGISTRAR, number).certificate_numbers == ()

    recorded = recording.record_case(
        db, REGISTRAR, number, now=MONDAY, expected_version=versioning.case_version(db, REGISTRAR, number)
    )
    assert recorded.status is CaseStatus.RECORDED


def test_handing_over_moves_the_version_so_a_second_hand_over_from_an_old_screen_is_refused(any_register):
    db, reg = any_register
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    payment_status.confirm_payment(db, CASHIER, number, now=MONDAY)
    recording.record_case(db, REGISTRAR, number, now=MONDAY)
    certificates.mark_certificate_ready(db, REGISTRAR, number, now=MONDAY)
    shown = versioning.case_version(db, CLERK, number)
    certificates.issue_certificate(
        db, SECOND_CLERK, number, "赵敏", now=MONDAY + timedelta(hours=1), expected_version=shown
    )
    with pytest.raises(ConflictError, match="已被 clerk02 于 2026-03-02 10:00:00 修改"):
        certificates.issue_certificate(db, CLERK, number, "赵敏", now=MONDAY, expected_version=shown)


def test_two_sessions_writing_the_same_case_the_stale_one_is_refused_not_overwriting(any_register):
    """The ORM's own check (Case.version is the version_id_col): a window that loaded the row before
    another committed gets a ConflictError from the commit, and the other's write stands."""
    db, reg = any_register
    number = _transfer_missing_tax_receipt(db, reg)
    with db.unit_of_work(write=False) as first:
        mine = first.session.scalars(select(Case).where(Case.case_number == number)).one()
        first.session.commit()  # the window has shown it; no transaction is held while the user reads

        with db.unit_of_work() as second:
            theirs = second.session.scalars(select(Case).where(Case.case_number == number)).one()
            theirs.closed_reason = "窗口5的修改"
            second.commit()

        mine.closed_reason = "窗口3的修改"
        with pytest.raises(ConflictError, match=f"业务 {number} 已被 .* 修改，请刷新后重试"):
            versioning.commit_case(first, number)

    with db.unit_of_work(write=False) as check:
        assert (
            check.session.scalar(select(Case.closed_reason).where(Case.case_number == number))
            == "窗口5的修改"
        )
        # nothing of the refused write leaked into the materials either
        assert (
            check.session.scalar(
                select(CaseMaterial.status)
                .join(Case)
                .where(Case.case_number == number, CaseMaterial.code == "tax_receipt")
            )
            == "missing"
        )


def test_the_case_windows_record_and_close_paths_carry_the_version(any_register, tmp_path):
    # The case window records through record_and_publish and closes through payment_flow.close_case:
    # both must refuse a decision taken on a version someone else has since moved on.
    from registry_desk import config
    from registry_desk.exemptions import service as exemptions
    from registry_desk.payments import service as payment_flow

    db, reg = any_register
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    shown = versioning.case_version(db, REGISTRAR, number)
    payment_status.confirm_payment(db, CASHIER, number, now=MONDAY + timedelta(minutes=30))
    settings = config.resolve(db.url, tmp_path)
    with pytest.raises(ConflictError, match=f"业务 {number} 已被 cash01"):
        exemptions.record_and_publish(
            db, REGISTRAR, number, settings=settings, now=MONDAY, expected_version=shown
        )
    with pytest.raises(ConflictError, match=f"业务 {number} 已被 cash01"):
        payment_flow.close_case(
            db, REGISTRAR, None, number, CaseStatus.REFUSED, "材料不全", now=MONDAY, expected_version=shown
        )
    assert queries.get_case(db, REGISTRAR, number).status is CaseStatus.IN_REVIEW
