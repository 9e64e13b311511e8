"""A 预告登记's notices: when the final registration became possible, from which its 90-day lapse is counted."""

from __future__ import annotations

from datetime import date, datetime

from registry_desk.domain.clock import as_utc
from registry_desk.domain.codes import RightStatus, RightType, Role
from registry_desk.domain.errors import NotFound, RuleViolation
from registry_desk.domain.rules import notice_lapse_date
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.register import cases as case_rows


def set_notice_registrable_date(
    db: Database, actor: Actor, right_id: int, registrable_on: date, *, now: datetime | None = None
) -> date:
    """Records when the final registration became possible for a 预告登记 (e.g. the developer's first
    registration was completed); returns the lapse date 90 days later."""
    actor.require(Role.REGISTRAR, Role.CLERK, operation="登记预告登记可申请登记日期")
    now = as_utc(now or utc_now())
    with db.unit_of_work() as uow:
        s = uow.session
        unit_id = case_rows.unit_id_of_right(s, right_id)
        if unit_id is None:
            raise NotFound(f"没有权利记录 {right_id}", rule="预告登记", record=str(right_id))
        case_rows.lock_unit(s, unit_id)
        right = case_rows.reread_right(s, right_id)
        assert right is not None
        if right.right_type is not RightType.ADVANCE_NOTICE or right.status is not RightStatus.CURRENT:
            raise RuleViolation(
                f"权利记录 {right_id} 不是现势的预告登记，不能登记失效起算日",
                rule="预告登记",
                record=str(right_id),
            )
        before = {
            "registrable_on": right.notice_registrable_on.isoformat() if right.notice_registrable_on else None
        }
        right.notice_registrable_on = registrable_on
        right.notice_lapses_on = notice_lapse_date(registrable_on)
        audit.append(
            s,
            actor,
            "notice.registrable_date",
            unit_id=unit_id,
            record=str(right_id),
            before=before,
            after={
                "registrable_on": registrable_on.isoformat(),
                "lapses_on": right.notice_lapses_on.isoformat(),
            },
            at=now,
        )
        lapses = right.notice_lapses_on
        uow.commit()
    return lapses
