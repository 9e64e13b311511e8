"""“处理中”: a case one clerk has open shows as theirs in every other window, until they close it or their
window falls silent; a second clerk opening it is told who has it, and takes over only a lapsed claim."""

from __future__ import annotations

from datetime import timedelta

import pytest

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import NotFound, PermissionDenied
from registry_desk.registration import intake
from registry_desk.registration import claims
from registry_desk.kernel.context import Actor
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import CLERK, KIOSK, MONDAY, REGISTRAR, WANG, ZHAO, transfer

register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

SECOND_CLERK = Actor(user_id=None, username="clerk02", display_name="受理员丁", role=Role.CLERK, window="5")


@pytest.fixture
def case_number(any_register) -> str:
    db, reg = any_register
    return intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number


def test_an_opened_case_shows_as_being_worked_on_in_other_windows(any_register, case_number):
    db, _reg = any_register
    mine = claims.claim(db, CLERK, case_number, now=MONDAY)
    assert mine.is_held_by(CLERK)
    assert mine.label == "由 受理员甲（3号窗口）处理中"

    listed = claims.active_claims(db, now=MONDAY + timedelta(minutes=1))
    assert listed[case_number].label == "由 受理员甲（3号窗口）处理中"
    assert claims.held_by_other(db, SECOND_CLERK, case_number, now=MONDAY) == mine
    assert claims.held_by_other(db, CLERK, case_number, now=MONDAY) is None  # no warning about oneself


def test_a_second_clerk_opening_the_case_is_told_who_has_it_and_does_not_take_it(any_register, case_number):
    db, _reg = any_register
    claims.claim(db, CLERK, case_number, now=MONDAY)
    standing = claims.claim(db, SECOND_CLERK, case_number, now=MONDAY + timedelta(minutes=2))
    assert standing.username == "clerk01" and standing.since == MONDAY
    assert not claims.touch(db, SECOND_CLERK, case_number, now=MONDAY + timedelta(minutes=3))
    claims.release(db, SECOND_CLERK, case_number)  # closing their view gives up nothing of the first clerk's
    assert claims.claim_of(db, case_number, now=MONDAY + timedelta(minutes=3)).username == "clerk01"


def test_closing_the_case_releases_the_marker(any_register, case_number):
    db, _reg = any_register
    claims.claim(db, CLERK, case_number, now=MONDAY)
    claims.release(db, CLERK, case_number)
    assert claims.active_claims(db, now=MONDAY) == {}


def test_closing_the_window_releases_every_case_it_had_open(any_register, case_number):
    db, reg = any_register
    other = intake.accept_case(
        db, CLERK, transfer(reg.mortgaged, [_helpers.ZHANG], [_helpers.LIU]), now=MONDAY
    ).case_number
    claims.claim(db, CLERK, case_number, now=MONDAY)
    claims.claim(db, CLERK, other, now=MONDAY)
    claims.claim(db, SECOND_CLERK, other, now=MONDAY)  # refused quietly: the first clerk has it
    assert claims.release_all(db, CLERK) == 2
    assert claims.active_claims(db, now=MONDAY) == {}


def test_a_silent_window_s_claim_lapses_and_can_be_taken_over(any_register, case_number):
    db, _reg = any_register
    claims.claim(db, CLERK, case_number, now=MONDAY)
    # The heartbeat keeps it alive past the inactivity limit ...
    assert claims.touch(db, CLERK, case_number, now=MONDAY + timedelta(minutes=9))
    assert case_number in claims.active_claims(db, now=MONDAY + timedelta(minutes=15))
    # ... and when the window falls silent (crashed, unplugged), the marker is no longer shown ...
    later = MONDAY + timedelta(minutes=9) + claims.INACTIVITY + timedelta(seconds=1)
    assert claims.active_claims(db, now=later) == {}
    assert claims.claim_of(db, case_number, now=later) is None
    # ... and the next clerk to open the case takes it over.
    taken = claims.claim(db, SECOND_CLERK, case_number, now=later)
    assert taken.label == "由 受理员丁（5号窗口）处理中" and taken.since == later
    assert not claims.touch(db, CLERK, case_number, now=later)  # the first window learns it lost the claim


def test_claims_need_an_existing_case_and_a_staff_account(any_register, case_number):
    db, _reg = any_register
    with pytest.raises(NotFound, match="没有业务号为 202699999999 的业务"):
        claims.claim(db, CLERK, "202699999999")
    with pytest.raises(PermissionDenied):
        claims.claim(db, KIOSK, case_number)
    assert claims.claim(db, REGISTRAR, case_number).window  # staff without a counter: the workstation's name
