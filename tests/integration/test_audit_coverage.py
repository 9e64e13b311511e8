"""`check` cross-checks business rows against their audit events (issue #12, item 4): delete the event of a
recorded case, of a settled order or of a refund, and `check` names the row; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from registry_desk.domain.codes import CaseStatus
from registry_desk.operations.audit_coverage import RULE_COVERED
from registry_desk.operations.invariants import check_database
from registry_desk.payments import orders, refunds, settlement
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.database import Database
from registry_desk.storage.ledger.tables import PaymentOrder, PaymentRefund
from registry_desk.storage.tables import AuditEvent, Case, Certificate
from tests.integration.test_kiosk_helpers import ready_case
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote
from tests.unit.payments.test_refunds import CASHIER


def _coverage(db: Database) -> list[str]:
    report = check_database(db, audit_chain=False)
    assert RULE_COVERED in report.checked
    return [str(p) for p in report.problems if p.rule == RULE_COVERED]


def _drop_event(db: Database, action: str, **where: object) -> None:
    with db.engine.begin() as conn:
        condition = AuditEvent.action == action
        for column, value in where.items():
            condition = condition & (getattr(AuditEvent, column) == value)
        assert conn.execute(delete(AuditEvent).where(condition)).rowcount >= 1


def test_a_recorded_case_and_its_certificates_without_their_event_are_named(any_db, tmp_path):
    kc = ready_case(any_db, tmp_path)
    assert _coverage(any_db) == []
    _drop_event(any_db, "case.recorded", case_id=kc.case_id)
    problems = _coverage(any_db)
    with any_db.unit_of_work(write=False) as uow:
        numbers = uow.session.execute(select(Certificate.number).where(Certificate.case_id == kc.case_id))
        issued = [n for (n,) in numbers]
    assert issued
    assert any(kc.case_number in p and "登簿审计记录" in p for p in problems), problems
    assert any(issued[0] in p for p in problems), problems


def test_a_settled_order_without_its_event_is_named(any_db, tmp_path):
    kc = ready_case(any_db, tmp_path)
    with any_db.unit_of_work(write=False) as uow:
        order_no = (
            uow.session.execute(
                select(PaymentOrder.order_no)
                .where(PaymentOrder.case_id == kc.case_id)
                .order_by(PaymentOrder.id)
            )
            .scalars()
            .first()
        )
    _drop_event(any_db, "payment.settled", record=order_no)
    (problem,) = _coverage(any_db)
    assert order_no in problem and "payment.settled" in problem


def test_a_refund_without_its_event_is_named(any_db, tmp_path):
    channel = LocalChannel(tmp_path)
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        made = [
            orders.order_view(o)
            for o in orders.create_orders(
                uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
            )
        ]
        uow.commit()
    for order in made:
        channel.pay(order.payload, NOW + timedelta(minutes=2))
    settlement.poll_open_orders(any_db, channel, NOW + timedelta(minutes=3))
    with any_db.unit_of_work() as uow:
        uow.session.get(Case, case.id).status = CaseStatus.WITHDRAWN
        uow.commit()
    refunds.refund_case(
        any_db, channel, CASHIER, case.case_number, "申请人撤回申请", NOW + timedelta(hours=2)
    )
    assert _coverage(any_db) == []
    with any_db.unit_of_work(write=False) as uow:
        refund_no = (
            uow.session.execute(select(PaymentRefund.refund_no).order_by(PaymentRefund.id)).scalars().first()
        )
    _drop_event(any_db, "payment.refunded", record=made[0].order_no)
    (problem,) = _coverage(any_db)
    assert refund_no in problem and "退款审计记录" in problem


def test_many_rows_without_events_are_counted_not_listed_one_by_one(sqlite_db, tmp_path, monkeypatch):
    from registry_desk.operations import audit_coverage

    kc = ready_case(sqlite_db, tmp_path)
    with sqlite_db.engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.case_id == kc.case_id))
    monkeypatch.setattr(audit_coverage, "SAMPLE", 1)
    problems = _coverage(sqlite_db)
    assert any("等（共 2 项）" in p for p in problems), problems  # two orders settled, one listed
