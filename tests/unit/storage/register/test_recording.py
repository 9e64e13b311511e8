"""storage/register/recording.py: the compiled statements of recording, read and written on the driver."""

from __future__ import annotations

import pytest

from registry_desk.domain.codes import CaseStatus, PartyRole
from registry_desk.storage.register import recording as sql_of
from tests.integration.test_case_helpers import MONDAY


def test_the_case_and_its_unit_are_read_for_recording(accepted):
    with accepted.db.driver_work() as work:
        d = work.driver
        assert sql_of.lock_case_for_recording(d, "NO-SUCH-CASE") is None
        locked = sql_of.lock_case_for_recording(d, accepted.case_number)
        assert locked is not None and not locked.missing_materials
        case = locked.case
        assert case.case_number == accepted.case_number and case.status is CaseStatus.AWAITING_PAYMENT
        assert case.unit_id == locked.unit.id and locked.unit.unit_number == accepted.reg.plain
        assert [cp.role for cp in case.parties] == [PartyRole.OBLIGOR, PartyRole.RIGHT_HOLDER]
        assert sql_of.missing_material_names(d, case.id) == []
        with pytest.raises(LookupError):
            sql_of.right_nature(d, -1)
        # A version moved on meanwhile: nothing is marked.
        assert (
            sql_of.mark_recorded(
                d,
                case.id,
                seen_version=case.version + 1,
                status=CaseStatus.RECORDED,
                recorded_at=MONDAY,
                recorded_by=None,
                completed_at=MONDAY,
            )
            == 0
        )
