"""One window of a load run, in its own process: each case through intake, payment, recording and printing
with the same services the clerk window calls."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from registry_desk.config import Settings
from registry_desk.documents.certificate_pdf import (
    RegistrationProofView,
    RightCertificateView,
    render_registration_proof,
    render_right_certificate,
)
from registry_desk.domain.codes import CaseStatus, PartyRole
from registry_desk.domain.errors import DomainError
from registry_desk.domain.fees import Business
from registry_desk.demo.loadtest.plan import CasePlan, build_request, clerk, registrar
from registry_desk.domain.payment_orders import OPEN
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.payments.receipts import ReceiptTools
from registry_desk.payments.settlement import poll_open_orders
from registry_desk.registration import closing, queries, recording, versioning
from registry_desk.registration.certificates import issue_certificate, mark_certificate_ready
from registry_desk.domain import clock
from registry_desk.payments import service as payment_flow
from registry_desk.kernel.context import utc_now
from registry_desk.registration.issuing import (
    CentreKit,
    centre_kit,
    certificate_kit,
    certificate_payload,
    certificate_pdf,
    certificate_view,
    load_certificate,
    payload_fields,
)
from registry_desk.storage.database import Database

ISSUED = "issued"
REFUSED = "refused"
ERROR = "error"  # a programming error: fails the run
NOT_STARTED = "not_started"  # the time bound was reached first: fails the run

_BUSINESS = {
    "transfer": Business.TRANSFER,
    "mortgage_first": Business.MORTGAGE,
    "mortgage_cancel": Business.MORTGAGE_CANCEL,
    "advance_notice": Business.ADVANCE_NOTICE,
}


@dataclass(frozen=True)
class Outcome:
    index: int
    business_type: str
    unit_number: str
    result: str
    case_number: str = ""
    stage: str = ""
    reason: str = ""
    seconds: float = 0.0
    certificates: tuple[str, ...] = ()
    sealed: int = 0


class _Window:
    def __init__(self, db: Database, settings: Settings, window: int, seal_every: int) -> None:
        self.db = db
        self.settings = settings
        self.clerk = clerk(window)
        self.registrar = registrar(window)
        self.channel = LocalChannel(settings.data_dir)
        self._kit: CentreKit | None = None
        self.seal_every = seal_every
        self.printed = 0
        self.sealed = 0
        self.paid = 0
        self._receipt_tools: ReceiptTools | None = None

    @property
    def kit(self) -> CentreKit:
        # Loaded on the first print, not at start: a killed-and-restarted window must reach work quickly.
        if self._kit is None:
            self._kit = centre_kit(self.settings)
        return self._kit

    @property
    def receipt_tools(self) -> ReceiptTools:
        if self._receipt_tools is None:
            self._receipt_tools = payment_flow.receipt_tools(self.settings)
        return self._receipt_tools

    def pay(self, number: str) -> None:
        """缴费 as at the window: the orders (made at acceptance, or now), every payer scans and pays at the
        bank, and the window's poll settles them (the case then moves to 审核 by itself). One paid case in
        `seal_every` goes through the window's full timer step, which also renders and seals the receipts."""
        self.issue_orders(number, pay=True)
        self.paid += 1
        if self.seal_every and self.paid % self.seal_every == 1 % self.seal_every:
            # Only the receipts of what this poll settled: the others' are skipped on purpose (see above).
            payment_flow.poll_and_issue(self.db, self.channel, self.receipt_tools, backlog=0)
        else:
            poll_open_orders(self.db, self.channel)

    def issue_orders(self, number: str, *, pay: bool) -> None:
        """Every paying side gets its live order (idempotent); with `pay`, each payer then pays its QR."""
        views = payment_flow.ensure_orders(self.db, self.channel, self.clerk, number)
        if pay:
            for view in views:
                if view.status == OPEN and view.payload:
                    payment_flow.simulate_scan(self.channel, view.payload)

    def print_certificate(self, number: str) -> None:
        """缮证 printing. Every `seal_every`-th certificate goes through the window's own print service
        (rendered, PAdES-sealed, audited); the others are rendered with their QR but not sealed, because a
        seal costs ~80 ms of CPU inside the print transaction and would measure the signer, not the hall."""
        self.printed += 1
        if self.seal_every and self.printed % self.seal_every == 1 % self.seal_every:
            pdf = certificate_pdf(self.db, self.clerk, number, settings=self.settings)
            self.sealed += 1
        else:
            with self.db.unit_of_work(write=False) as uow:
                cert = load_certificate(uow.session, number)
                kit = certificate_kit(self.kit, cert)
                payload = certificate_payload(payload_fields(cert), kit.identity)
                view = certificate_view(cert, payload, kit.authority)
            pdf = _render(view, kit.seal_png)
        if not pdf.startswith(b"%PDF"):
            raise AssertionError(f"certificate {number}: not a PDF")

    def run(self, plan: CasePlan) -> Outcome:
        started = time.perf_counter()
        number = ""
        stage = "预填"
        sealed_before = self.sealed
        try:
            request = build_request(self.db, self.clerk, plan, clock.local_date(utc_now()))
            stage = "受理"
            summary = payment_flow.accept_and_bill(self.db, self.clerk, request, self.channel).summary
            number = summary.case_number
            if summary.status is CaseStatus.AWAITING_PAYMENT:
                stage = "缴费"
                self.pay(number)
            stage = "登簿"
            version = versioning.case_version(self.db, self.registrar, number)
            recorded = recording.record_case(self.db, self.registrar, number, expected_version=version)
            certificates = recorded.issued_certificates
            if recorded.status is not CaseStatus.ISSUED:
                stage = "缮证"
                for cert in certificates:
                    self.print_certificate(cert)
                mark_certificate_ready(self.db, self.registrar, number)
                stage = "发证"
                receiver = request.with_role(PartyRole.RIGHT_HOLDER)[0].name
                issue_certificate(self.db, self.clerk, number, receiver)
            return Outcome(
                plan.index,
                plan.business_type,
                plan.unit_number,
                ISSUED,
                number,
                "",
                "",
                time.perf_counter() - started,
                tuple(certificates),
                self.sealed - sealed_before,
            )
        except DomainError as error:
            self._close_refused(number, str(error))
            return Outcome(
                plan.index,
                plan.business_type,
                plan.unit_number,
                REFUSED,
                number,
                stage,
                str(error),
                time.perf_counter() - started,
            )
        except Exception:  # noqa: BLE001 - reported, and it fails the run
            return Outcome(
                plan.index,
                plan.business_type,
                plan.unit_number,
                ERROR,
                number,
                stage,
                traceback.format_exc(),
                time.perf_counter() - started,
            )

    def _close_refused(self, number: str, reason: str) -> None:
        """A refused case is closed with its reason (驳回 in review, 撤回 before), as the staff would."""
        if not number:
            return
        status = queries.get_case(self.db, self.registrar, number).status
        text = f"压力测试：{reason}"[:200]
        if status is CaseStatus.IN_REVIEW:
            closing.refuse_case(self.db, self.registrar, number, text)
        elif status.is_open and status not in (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY):
            closing.withdraw_case(self.db, self.clerk, number, text)


def _render(view: RightCertificateView | RegistrationProofView, seal_png: bytes) -> bytes:
    if isinstance(view, RightCertificateView):
        return render_right_certificate(view, seal_png=seal_png)
    return render_registration_proof(view, seal_png=seal_png)


def window_main(
    url: str, data_dir: str, window: int, plans: list[CasePlan], seal_every: int, deadline: float
) -> tuple[float, float, list[Outcome]]:
    """A window process: works through its cases until done or until `deadline` (time.time()); returns
    when its first case started, when its last one ended, and every case's outcome."""
    db = Database(url)
    settings = Settings(Path(data_dir), url)
    out: list[Outcome] = []
    try:
        desk = _Window(db, settings, window, seal_every)
        started = time.time()
        for plan in plans:
            if time.time() > deadline:
                out.append(Outcome(plan.index, plan.business_type, plan.unit_number, NOT_STARTED))
                continue
            out.append(desk.run(plan))
        return started, time.time(), out
    finally:
        db.dispose()
