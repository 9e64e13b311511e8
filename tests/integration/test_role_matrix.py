"""The role matrix: every public service function that takes an Actor, against every role. The table below is the
contract; a new function with an `actor` parameter that is not in it fails the test, so it cannot ship unchecked.

Each call is made with a poisoned database and arguments that raise the moment anything is touched: a refused
role must be stopped with PermissionDenied before that, an allowed one gets past the role check (and then trips
on the poison). The kiosk's reach to other citizens' data, forged payment QR codes and tampered audit rows are
covered at the end; seals and e-certificates of unknown issuers are refused in test_sealed_materials.py and
test_ecert_store.py.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

import registry_desk.exemptions.ecert
import registry_desk.payments
import registry_desk.exemptions
import registry_desk.kernel
import registry_desk.kiosk
import registry_desk.operations
import registry_desk.registration
from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied, ValidationError
from registry_desk.domain.money import Money
from registry_desk.payments.local_channel import make_payload, read_payload
from registry_desk.kiosk.identify import identify
from registry_desk.kernel.audit import verify_chain
from registry_desk.kernel.context import Actor
from registry_desk.storage.tables import AuditEvent
from tests.integration.test_kiosk_helpers import BUYER, KIOSK, open_case

C, R, K, A, KI = Role.CLERK, Role.REGISTRAR, Role.CASHIER, Role.ADMIN, Role.KIOSK
READERS = {C, R, K, A}
EVERYONE = set(Role)

# service → the roles that get past its role check (admin may do everything but kiosk-only work).
MATRIX: dict[str, set[Role]] = {
    "exemptions.application_form.application_form_pdf": {C, R, A},
    "exemptions.application_form.sign_application_form": {C, R, A},
    "exemptions.application_form.signers": {C, R, A},
    "registration.case_history.case_history": READERS,
    "registration.intake.accept_case": {C, A},
    "registration.versioning.case_version": EVERYONE,
    "registration.payment_status.confirm_payment": {K, A},
    "payments.service.accept_and_bill": {C, A},
    "payments.service.acceptance_receipts": READERS,
    "payments.service.cash_payment": {K, A},
    "payments.service.cashier_day": {K, A},
    "payments.service.close_case": {C, R, A},
    "payments.service.receipt_pdf": READERS,
    "payments.service.refund_closed_case": {K, A},
    "payments.service.reissue": {C, K, A},
    "registration.queries.get_case": READERS,
    "registration.certificates.issue_certificate": {C, R, A},
    "registration.queries.list_cases": READERS,
    "registration.certificates.mark_certificate_ready": {C, R, A},
    "registration.closing.not_accept_case": {C, A},
    "registration.intake.receive_material": {C, R, A},
    "registration.recording.record_case": {R, A},
    "registration.closing.refuse_case": {R, A},
    "registration.notices.set_notice_registrable_date": {C, R, A},
    "registration.queries.unit_warnings": READERS,
    "registration.closing.withdraw_case": {C, R, A},
    "registration.claims.claim": READERS,
    "operations.dashboard.build_dashboard": READERS,
    "exemptions.service.case_materials": READERS,
    "exemptions.service.material_pdf": READERS,
    "exemptions.service.pull_ecert": {C, R, A},
    "exemptions.service.receive_paper": {C, R, A},
    "exemptions.service.record_and_publish": {R, A},
    "registration.issuing.acceptance_receipt_pdf": READERS,
    "registration.issuing.certificate_pdf": {C, R, A},
    "kiosk.progress.case_status": {KI},
    "kiosk.identify.check_case": {KI},
    "kiosk.identify.identify": {KI},
    "kiosk.payment.payment_state": {KI},
    "kiosk.printing.print_certificate": {KI},
    "kiosk.payment.refresh_payment": {KI},
    "kiosk.payment.simulate_scan_payment": {KI},
    "kiosk.query.statement_pdf": {KI},
    "kiosk.paper_stock.load_range": {A},
    "kiosk.paper_stock.serial_history": {C, R, A},
    "kiosk.paper_stock.set_low_stock_threshold": {A},
    "kiosk.paper_stock.stock_status": {C, R, A},
    "registration.prefill.correct_field": {C, R, A},
    "registration.prefill.identify": {C, A},
    "registration.prefill.prefill": {C, A},
    "registration.register.party_units": READERS,
    "registration.register.search": READERS,
    "registration.register.unit_current": READERS,
    "registration.register.unit_register": READERS,
    "exemptions.sealed_materials.attach_sealed_document": {C, R, A},
    "operations.users.create_user": {A},
    "payments.orders.orders_for_case_number": {C, K, A},
    "payments.service.void_open_orders": {C, R, K, A},
    "registration.issuing.receipt_applicants": READERS,
    "payments.refunds.refund_case": {K, A},
    "payments.review.return_review_payment": {K, A},
    "exemptions.ecert.pull.attach_ecert_to_case": {C, R, A},
}

# Functions that take an Actor but check no role themselves, and why that is right (or who must look at it).
NO_ROLE_CHECK: dict[str, str] = {
    "kernel.audit.append": "writes inside the caller's transaction; the caller checked the role",
    "registration.payment_status.mark_paid_in": "runs inside the settlement's transaction, which checked the payment",
    "registration.claims.held_by_other": "reads who holds a case; harmless to every role",
    "registration.claims.release": "releases only the actor's own claim",
    "registration.claims.release_all": "releases only the actor's own claims (at logout)",
    "registration.claims.touch": "refreshes only the actor's own claim",
    "registration.claims.window_name": "formats the actor's window name",
    "kiosk.identify.admin_exit": "checks an administrator's password, not the kiosk's role",
    "kiosk.identify.verified_party": "session helper of every kiosk service (checks the session token)",
    "kiosk.identify.consume_pickup_code": "session helper of print_certificate",
    "kiosk.identify.pickup_code_used": "session helper of print_certificate",
    "kiosk.session.issue": "signs the session identify opened (identify checked the kiosk role)",
    "kiosk.session.check": "checks a session token against the terminal account; its callers check the role",
    "registration.pickup.issue_code": "runs inside acceptance_receipt_pdf, which checks the role",
    "payments.service.ensure_orders": "idempotent: every role that shows a case in 待缴费 (the kiosk too) gives it live orders, issued in the actor's name",
    "kiosk.paper_stock.take_serial": "session helper of print_certificate / mark_certificate_ready",
    "kiosk.paper_stock.mark_spoiled": "session helper of print_certificate",
    "kiosk.paper_stock.warn_if_low": "session helper of print_certificate",
    "registration.prefill.accept_prefilled": "hands the request to intake.accept_case, which checks the clerk",
    "exemptions.bank_contracts.prefill_from_contract": "delegates to prefill.prefill, which checks the clerk",
    "payments.service.attach_bank_contract": "delegates to exemptions.import_sealed_file (clerk, registrar)",
    "exemptions.service.import_sealed_file": "delegates to attach_sealed_document, which checks the role",
    "exemptions.service.publish_case": "runs after record_case (registrar) as its continuation",
    "exemptions.ecert.publish.issue_ecerts_for_case": "called after 登簿 by record_and_publish and the CLI",
    "registration.handover.record_handover": "runs inside hand_over (clerk, registrar) and the kiosk print (kiosk)",
    "exemptions.ecert.publish.import_ecert_pdf": "the `ecert import` command of the administrator's shell",
}


def _service_functions() -> dict[str, object]:
    found = {}
    for package in (
        registry_desk.kernel,
        registry_desk.registration,
        registry_desk.exemptions,
        registry_desk.exemptions.ecert,
        registry_desk.payments,
        registry_desk.kiosk,
        registry_desk.operations,
    ):
        for info in pkgutil.iter_modules(package.__path__):
            module_name = f"{package.__name__}.{info.name}"
            module = importlib.import_module(module_name)
            for name, fn in inspect.getmembers(module, inspect.isfunction):
                if fn.__module__ != module_name or name.startswith("_"):
                    continue
                if {"actor", "kiosk"} & set(inspect.signature(fn).parameters):
                    found[f"{module_name.removeprefix('registry_desk.')}.{name}"] = fn
    return found


FUNCTIONS = _service_functions()


class _Reached(Exception):
    """The call got past the role check and touched an argument."""


class _Poison:
    def __getattr__(self, name):
        raise _Reached(name)

    def __bool__(self):
        raise _Reached("bool")

    def __iter__(self):
        raise _Reached("iter")

    def __str__(self):
        raise _Reached("str")

    __repr__ = __str__

    def __call__(self, *args, **kwargs):
        raise _Reached("call")


def _passes_role_check(fn, role: Role) -> bool:
    actor = Actor(None, f"matrix-{role.value}", "角色矩阵", role)
    kwargs = {}
    for name, parameter in inspect.signature(fn).parameters.items():
        if name in ("actor", "kiosk"):
            kwargs[name] = actor
        elif parameter.default is inspect.Parameter.empty:
            kwargs[name] = _Poison()
    try:
        fn(**kwargs)
    except PermissionDenied as refused:
        assert refused.rule == "岗位权限" and role.label in str(refused)
        return False
    except Exception:  # noqa: BLE001 (the poison, or what it made fail: the role check was passed)
        return True
    return True


def test_every_service_that_takes_an_actor_is_in_the_table():
    unknown = sorted(set(FUNCTIONS) - set(MATRIX) - set(NO_ROLE_CHECK))
    assert unknown == [], f"add these to MATRIX (allowed roles) or NO_ROLE_CHECK (with the reason): {unknown}"
    stale = sorted((set(MATRIX) | set(NO_ROLE_CHECK)) - set(FUNCTIONS))
    assert stale == [], f"no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_allowed_roles_pass_and_the_others_are_refused(name, caplog):
    fn = FUNCTIONS[name]
    allowed = {role for role in Role if _passes_role_check(fn, role)}
    assert allowed == MATRIX[name]


def test_the_kiosk_may_not_do_counter_work():
    counter_work = [n for n, roles in MATRIX.items() if KI not in roles]
    assert (
        "registration.intake.accept_case" in counter_work and "registration.register.search" in counter_work
    )
    for name in counter_work:
        assert not _passes_role_check(FUNCTIONS[name], KI), name


def test_the_kiosk_cannot_reach_a_case_with_someone_elses_id(sqlite_db, tmp_path):
    kc = open_case(sqlite_db, tmp_path)
    stranger = "11010519491231002X"  # a valid resident ID, not a party of the case
    with pytest.raises(PermissionDenied, match="申请人不符") as refused:
        identify(sqlite_db, KIOSK, kc.case_number, stranger, kc.codes[BUYER[1]], settings=kc.settings)
    assert kc.case_number in str(refused.value)


def test_a_payment_qr_with_a_wrong_authentication_code_is_refused():
    key, other_key = b"k" * 32, b"o" * 32
    expires = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    payload = make_payload(key, "PO2603020001", Money.yuan("80.00"), expires)
    now = expires - timedelta(minutes=5)
    assert read_payload(key, payload, now)[0] == "PO2603020001"
    forged = payload.replace("|80.00|", "|0.80|")
    for text, wrong_key in ((forged, key), (payload, other_key)):
        with pytest.raises(ValidationError, match="认证码不符"):
            read_payload(wrong_key, text, now)


def test_the_audit_chain_detects_a_changed_row(sqlite_db, tmp_path):
    open_case(sqlite_db, tmp_path)
    assert verify_chain(sqlite_db).ok
    with sqlite_db.unit_of_work() as uow:
        uow.session.execute(update(AuditEvent).where(AuditEvent.seq == 1).values(record="改过的"))
        uow.commit()
    report = verify_chain(sqlite_db)
    assert not report.ok and report.first_bad_seq == 1 and "被改动" in report.problem
