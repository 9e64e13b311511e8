"""storage/register/claims.py: the “处理中” marker rows."""

from __future__ import annotations

from datetime import timedelta

from registry_desk.storage.register import claims as claim_rows
from tests.integration.test_case_helpers import MONDAY


def test_one_claim_per_case_renewed_and_removed_only_by_its_holder(accepted):
    number = accepted.case_number
    with accepted.db.unit_of_work() as uow:
        s = uow.session
        assert claim_rows.case_exists(s, number) and not claim_rows.case_exists(s, "NO-SUCH-CASE")
        claim_rows.insert_claim_if_absent(s, number, "clerk01", "受理员甲", "3号窗口", MONDAY)
        claim_rows.insert_claim_if_absent(s, number, "clerk02", "受理员丁", "5号窗口", MONDAY)  # loses
        row = claim_rows.lock_claim(s, number)
        assert (row.username, row.window) == ("clerk01", "3号窗口")
        later = MONDAY + timedelta(minutes=1)
        assert claim_rows.touch_claim(s, number, "clerk02", later) == 0
        assert claim_rows.touch_claim(s, number, "clerk01", later) == 1
        uow.commit()
    with accepted.db.unit_of_work() as uow:
        s = uow.session
        assert [c.case_number for c in claim_rows.claims_seen_since(s, later)] == [number]
        assert claim_rows.claims_seen_since(s, later + timedelta(seconds=1)) == []
        claim_rows.delete_claim(s, number, "clerk02")  # not theirs: stays
        assert claim_rows.claim_row(s, number) is not None
        assert claim_rows.delete_claims_of_window(s, "clerk01", "5号窗口") == 0
        assert claim_rows.delete_claims_of_window(s, "clerk01", "3号窗口") == 1
        assert claim_rows.claim_row(s, number) is None
        uow.commit()
