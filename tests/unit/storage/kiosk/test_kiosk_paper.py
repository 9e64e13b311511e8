"""storage/kiosk/paper.py on both databases: ranges found by overlap only, sheets inserted in position order,
counted per range and status, the lowest free sheet first, and the audit count the low-stock warning uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registry_desk.kernel import audit
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage.kiosk import paper
from registry_desk.storage.kiosk.tables import SERIAL_FREE, SERIAL_USED, PaperRange

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _load(s, prefix: str, first: int, last: int, width: int = 4) -> PaperRange:
    row = PaperRange(
        prefix=prefix,
        width=width,
        first_no=first,
        last_no=last,
        first_serial=f"{prefix}{first:0{width}d}",
        last_serial=f"{prefix}{last:0{width}d}",
        loaded_by="admin",
        loaded_at=NOW,
    )
    s.add(row)
    s.flush()
    paper.add_free_serials(s, row.id, [f"{prefix}{n:0{width}d}" for n in range(first, last + 1)])
    return row


def test_ranges_sheets_and_counts(any_db):
    with any_db.unit_of_work() as uow:
        s = uow.session
        second = _load(s, "NX", 11, 13)
        first = _load(s, "NX", 1, 5)
        assert [r.id for r in paper.all_ranges(s)] == [second.id, first.id]  # in the order loaded
        assert paper.range_overlapping(s, "NX", 4, 5, 9).id == first.id
        assert paper.range_overlapping(s, "NX", 4, 13, 20).id == second.id
        assert paper.range_overlapping(s, "NX", 4, 6, 10) is None  # the gap between them
        assert paper.range_overlapping(s, "NX", 5, 1, 5) is None  # another width is another series
        assert paper.range_overlapping(s, "AB", 4, 1, 5) is None

        sheet = paper.serial_row(s, "NX0003")
        assert (sheet.range_id, sheet.position, sheet.status) == (first.id, 2, SERIAL_FREE)
        assert paper.serial_row(s, "NX0006") is None

        # The lowest free sheet is taken in range order, position order within.
        assert paper.next_free_serial(s, lock=False).serial == "NX0011"
        locked = paper.locked_serial(s, "NX0011")
        locked.status = SERIAL_USED
        s.flush()
        assert paper.next_free_serial(s, lock=True).serial == "NX0012"

        assert paper.serial_counts(s, [first.id, second.id]) == {
            (first.id, SERIAL_FREE): 5,
            (second.id, SERIAL_FREE): 2,
            (second.id, SERIAL_USED): 1,
        }
        assert paper.serial_counts(s, []) == {}
        uow.commit()


def test_locked_serial_needs_a_loaded_sheet(any_db):
    from sqlalchemy.exc import NoResultFound

    with any_db.unit_of_work() as uow:
        with pytest.raises(NoResultFound):
            paper.locked_serial(uow.session, "NX9999")


def test_actions_are_counted_after_the_last_marker(any_db):
    with any_db.unit_of_work() as uow:
        s = uow.session
        assert paper.actions_since_last(s, "paper.low_stock", since="paper.loaded") == 0
        audit.append(s, SYSTEM, "paper.low_stock", record="paper", at=NOW)
        assert paper.actions_since_last(s, "paper.low_stock", since="paper.loaded") == 1  # no load yet
        audit.append(s, SYSTEM, "paper.loaded", record="NX0001—NX0005", at=NOW)
        assert paper.actions_since_last(s, "paper.low_stock", since="paper.loaded") == 0
        audit.append(s, SYSTEM, "paper.low_stock", record="paper", at=NOW)
        audit.append(s, SYSTEM, "paper.low_stock", record="paper", at=NOW)
        assert paper.actions_since_last(s, "paper.low_stock", since="paper.loaded") == 2
        uow.commit()
