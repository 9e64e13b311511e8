"""The case's progress as the kiosk shows it (自助终端查询办理进度): where the case stands on its path, what
the citizen still has to pay, and which certificates they can print here and, if not, why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.errors import NotFound
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor
from registry_desk.kiosk.identify import KIOSK_ROLES, Identified, case_for_reading, verified_party
from registry_desk.kiosk.payment import their_orders
from registry_desk.kiosk.printing import print_refusal
from registry_desk.domain.payment_orders import OPEN
from registry_desk.payments.orders import OrderView
from registry_desk.registration.issuing import CHINA_TZ
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk import lookups
from registry_desk.storage.kiosk.tables import utc


@dataclass(frozen=True)
class PrintableCertificate:
    number: str
    kind_label: str
    can_print: bool
    reason: str  # why not, in plain words ("" when it can be printed)


@dataclass(frozen=True)
class KioskStatus:
    case_number: str
    business_label: str
    location: str
    status: CaseStatus
    payment_required: bool
    due_date: date
    accepted_on: date
    closed_reason: str | None
    certificates: tuple[PrintableCertificate, ...]
    unpaid_orders: tuple[OrderView, ...]
    owns_units: bool
    issues_certificate: bool = True  # False: the register entry ends the case (抵押权注销登记)

    @property
    def steps(self) -> tuple[CaseStatus, ...]:
        """The path this case takes, for the progress bar (待缴费 only where the business is charged; no
        登簿/缮证 steps of their own where nothing is issued: recording finishes such a case)."""
        path = [CaseStatus.ACCEPTED]
        if self.payment_required:
            path.append(CaseStatus.AWAITING_PAYMENT)
        path.append(CaseStatus.IN_REVIEW)
        if self.issues_certificate:
            path += [CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY]
        path.append(CaseStatus.ISSUED)
        return tuple(path)


def case_status(db: Database, actor: Actor, who: Identified) -> KioskStatus:
    actor.require(*KIOSK_ROLES, operation="自助终端查询办理进度")
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = case_for_reading(s, who.case_number)
        party = verified_party(s, actor, case, who)
        certs = lookups.certificates_with_holders(s, case.id)
        printable = tuple(
            PrintableCertificate(c.number, c.kind.label, not (why := print_refusal(s, case, c, party)), why)
            for c in certs
        )
        unpaid = tuple(o for o in their_orders(s, case, party) if o.status == OPEN)
        policy = load_policy()
        try:
            issues_certificate = policy.get(case.business_type).certificate_kind is not None
        except NotFound:
            issues_certificate = True
        return KioskStatus(
            issues_certificate=issues_certificate,
            case_number=case.case_number,
            business_label=policy.label(case.business_type),
            location=case.unit.location,
            status=case.status,
            payment_required=case.payment_required,
            due_date=case.due_date,
            accepted_on=utc(case.accepted_at).astimezone(CHINA_TZ).date(),
            closed_reason=case.closed_reason,
            certificates=printable,
            unpaid_orders=unpaid,
            owns_units=lookups.holds_current_ownership(s, party.id),
        )
