"""发证 (handing certificates over), the one way it is recorded wherever it happens: at the window
(registration.certificates.issue_certificate) and at the kiosk (kiosk.service.print_certificate)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from registry_desk.domain.cases import check_transition
from registry_desk.domain.codes import CaseStatus
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor
from registry_desk.storage.session import Session, mark_changed
from registry_desk.storage.tables import Case, Certificate


def record_handover(
    s: Session,
    actor: Actor,
    case: Case,
    certs: Sequence[Certificate],
    handing: Sequence[Certificate],
    receiver: str,
    now: datetime,
    **audit_details: Any,
) -> list[str]:
    """发证, wherever it happens (the window, the kiosk): `handing` of the case's `certs` go to `receiver`;
    the case is 已发证 once all are out, its version moves on, and the trail says who took what."""
    for cert in handing:
        cert.handed_over_at = now
        cert.handed_over_by = actor.username
        cert.receiver_name = receiver
    if all(c.handed_over_at is not None for c in certs):
        check_transition(case.case_number, case.status, CaseStatus.ISSUED)
        case.status = CaseStatus.ISSUED
    mark_changed(case, "form")  # the case's row is part of the write, so its version moves on
    handed = [c.number for c in handing]
    audit.append(
        s,
        actor,
        "certificate.handed_over",
        case_id=case.id,
        unit_id=case.unit_id,
        record=case.case_number,
        after={"certificates": handed, "receiver": receiver, "status": case.status.value, **audit_details},
        at=now,
    )
    return handed
