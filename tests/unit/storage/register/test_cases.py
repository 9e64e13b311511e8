"""storage/register/cases.py: the case workflow's reads and locks of cases and units."""

from __future__ import annotations

from datetime import timedelta

from registry_desk.domain.codes import CaseStatus, PartyRole
from registry_desk.storage.register import cases as case_rows
from tests.integration.test_case_helpers import MONDAY


def test_a_unit_and_its_case_are_found_and_locked(accepted):
    with accepted.db.unit_of_work() as uow:
        s = uow.session
        unit_id = case_rows.unit_id_of_number(s, accepted.reg.plain)
        assert unit_id is not None and case_rows.unit_id_of_number(s, "NO-SUCH-UNIT") is None
        assert case_rows.unit_id_of_case(s, accepted.case_number) == unit_id
        assert case_rows.unit_id_of_case(s, "NO-SUCH-CASE") is None
        assert case_rows.lock_unit(s, unit_id).unit_number == accepted.reg.plain
        assert case_rows.unit_by_id(s, unit_id).unit_number == accepted.reg.plain
        case = case_rows.lock_case(s, accepted.case_number)
        assert case.unit.id == unit_id and case.materials
        assert {cp.role for cp in case.parties} == {PartyRole.OBLIGOR, PartyRole.RIGHT_HOLDER}
        assert case_rows.certificate_numbers_of_case(s, case.id) == ()


def test_the_version_and_the_case_for_showing(accepted):
    with accepted.db.unit_of_work(write=False) as uow:
        case = case_rows.case_with_parties(uow.session, accepted.case_number)
        assert case is not None and len(case.parties) == 2
        assert case_rows.case_with_parties(uow.session, "NO-SUCH-CASE") is None
        stored = case.version
    with accepted.db.lookup() as conn:
        assert case_rows.case_version(conn, accepted.case_number) == stored
        assert case_rows.case_version(conn, "NO-SUCH-CASE") is None


def test_the_case_list_filters(accepted):
    with accepted.db.unit_of_work(write=False) as uow:
        s = uow.session
        assert [c.case_number for c in case_rows.list_cases(s)] == [accepted.case_number]
        assert case_rows.list_cases(s, status=CaseStatus.ISSUED) == []
        day = MONDAY.replace(hour=0)
        assert len(case_rows.list_cases(s, accepted_from=day, accepted_before=day + timedelta(days=1))) == 1
        assert (
            case_rows.list_cases(
                s, accepted_from=day + timedelta(days=1), accepted_before=day + timedelta(days=2)
            )
            == []
        )
        # Still open: listed however old the window's horizon makes it.
        assert len(case_rows.list_cases(s, open_or_since=MONDAY + timedelta(days=365))) == 1


def test_a_right_is_found_by_id_and_the_calendar_is_the_shipped_one(accepted):
    with accepted.db.unit_of_work() as uow:
        s = uow.session
        unit_id = case_rows.unit_id_of_number(s, accepted.reg.plain)
        right_id = case_rows.lock_unit(s, unit_id).rights[0].id
        assert case_rows.unit_id_of_right(s, right_id) == unit_id
        assert case_rows.unit_id_of_right(s, -1) is None
        assert case_rows.reread_right(s, right_id).unit_id == unit_id
        assert case_rows.calendar_overrides(s) == {}
        assert isinstance(case_rows.confirmed_calendar_years(s), list)
