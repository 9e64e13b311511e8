"""storage/kiosk/prints.py on both databases: the lock row made on first use, the print log in order, and
settings read by key."""

from __future__ import annotations

from datetime import UTC, datetime

from registry_desk.storage.kiosk import prints
from registry_desk.storage.kiosk.tables import PRINT_DONE, PRINT_FAILED, KioskPrint, KioskSetting
from tests.integration.test_case_helpers import CLERK, MONDAY, WANG, ZHAO, build_register, transfer

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_the_lock_row_is_made_on_first_use_and_kept(any_db):
    with any_db.unit_of_work() as uow:
        s = uow.session
        assert prints.lock_of_case(s, "202603020001") is None
        row = prints.locked_lock_of_case(s, "202603020001")
        assert (row.failures, row.locked_until) == (0, None)
        row.failures = 3
        uow.commit()
    with any_db.unit_of_work() as uow:
        s = uow.session
        assert prints.lock_of_case(s, "202603020001").failures == 3
        assert prints.locked_lock_of_case(s, "202603020001").failures == 3


def test_prints_of_a_certificate_oldest_first_and_settings_by_key(any_db):
    from registry_desk.registration import intake, locking

    reg = build_register(any_db)
    summary = intake.accept_case(any_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY)
    with any_db.unit_of_work() as uow:
        s = uow.session
        case = locking.locked_case(s, summary.case_number)
        party_id = case.parties[0].party_id
        for serial, outcome in (("NX0002", PRINT_FAILED), ("NX0003", PRINT_DONE)):
            s.add(
                KioskPrint(
                    certificate_number="宁(2026)中卫市不动产权第0000001号",
                    case_id=case.id,
                    serial=serial,
                    kiosk_user="kiosk01",
                    receiver_party_id=party_id,
                    started_at=NOW,
                    outcome=outcome,
                )
            )
        s.add(KioskSetting(key="paper.low_stock_threshold", value="7", set_by="admin", set_at=NOW))
        s.flush()
        found = prints.prints_of_certificate(s, "宁(2026)中卫市不动产权第0000001号")
        assert [(p.serial, p.outcome) for p in found] == [("NX0002", PRINT_FAILED), ("NX0003", PRINT_DONE)]
        assert prints.print_by_id(s, found[1].id) is found[1]
        assert prints.prints_of_certificate(s, "宁(2026)中卫市不动产权第0000002号") == []
        assert prints.setting(s, "paper.low_stock_threshold").value == "7"
        assert prints.setting(s, "no.such.key") is None
        uow.commit()
