"""The queries of `registry-desk check` (operations/invariants.py): set-based SQL that returns only the
offending rows, so a register of a million rights costs the database a few scans and Python almost nothing.

The payment and ledger tables (storage/ledger/tables.py) are taken from the shared metadata by name, as
storage/schema.py maps every table module onto it.
Sums of money columns are summed as raw integers (fen), not Money objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Row, Table, and_, case, func, null, or_, select, type_coerce
from sqlalchemy.orm import Session

from registry_desk.domain.codes import (
    CaseStatus,
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.storage.schema import full_metadata
from registry_desk.storage.tables import Case, Certificate, Right, RightParty, Sequence as Counter, Unit


def _table(name: str) -> Table:
    return full_metadata().tables[name]


def _isum(column: Any) -> Any:
    return func.sum(column, type_=BigInteger)


# ---------------------------------------------------------------------------------------------------------
# The books


def unbalanced_entries(session: Session) -> Sequence[Row[int, str, Any, int | None, int | None]]:
    """(entry id, memo, total, debits, credits) of every journal entry with no postings, postings whose
    debits and credits differ, or a total that is not its debits; by entry id."""
    entries, postings = _table("ledger_entries"), _table("ledger_postings")
    sums = (
        select(
            postings.c.entry_id.label("entry_id"),
            _isum(postings.c.debit).label("debits"),
            _isum(postings.c.credit).label("credits"),
        )
        .group_by(postings.c.entry_id)
        .subquery()
    )
    total = entries.c.total
    return session.execute(
        select(entries.c.id, entries.c.memo, total, sums.c.debits, sums.c.credits)
        .outerjoin(sums, sums.c.entry_id == entries.c.id)
        .where((sums.c.entry_id.is_(None)) | (sums.c.debits != sums.c.credits) | (sums.c.debits != total))
        .order_by(entries.c.id)
    ).all()


def book_totals(session: Session) -> tuple[int | None, int | None]:
    """All debits and all credits of the books, in fen (None when there are no postings)."""
    postings = _table("ledger_postings")
    debits, credits = session.execute(select(_isum(postings.c.debit), _isum(postings.c.credit))).one()
    return debits, credits


def net_credits_of_accounts(session: Session, accounts: Collection[str]) -> dict[str, int | None]:
    """{account: credits − debits in fen} of the given accounts that have postings."""
    postings = _table("ledger_postings")
    return dict(
        session.execute(
            select(postings.c.account, _isum(postings.c.credit) - _isum(postings.c.debit))
            .where(postings.c.account.in_(list(accounts)))
            .group_by(postings.c.account)
        ).all()
    )


def credited_lines_per_account(session: Session) -> dict[str, int | None]:
    """{account: sum in fen of the order lines credited (已入库) to it}."""
    lines = _table("payment_order_lines")
    return dict(
        session.execute(
            select(lines.c.account, _isum(lines.c.amount))
            .where(lines.c.credit_status == "credited")
            .group_by(lines.c.account)
        ).all()
    )


def _count_by_order(column: Any, *where: Any) -> Any:
    return select(column.label("order_id"), func.count().label("n")).where(*where).group_by(column).subquery()


def orders_booked_wrongly(
    session: Session, *, paid: Collection[str], refunded: str, voided: str, returned: str
) -> Sequence[Row[str, str, int, int, int, int, int]]:
    """(order no, status, settlements, settled payments, refund entries, refund records, payments returned in
    full) of every order whose bookings do not match its status; by order id.

    An order in `paid` has one settlement entry and one settled payment, any other none; a `refunded` one has
    one refund entry and one refund record; a payment of the wrong amount returned in full (outcome
    `returned`) leaves a `voided` order with one refund record and no reversing entry."""
    orders, entries = _table("payment_orders"), _table("ledger_entries")
    txns, refunds_table = _table("channel_transactions"), _table("payment_refunds")
    settlements = _count_by_order(entries.c.order_id, entries.c.kind == "settlement")
    settled_txns = _count_by_order(txns.c.order_id, txns.c.outcome == "settled")
    refunds = _count_by_order(entries.c.order_id, entries.c.kind == "refund")
    refund_rows = _count_by_order(refunds_table.c.order_id)
    returned_txns = _count_by_order(txns.c.order_id, txns.c.outcome == returned)
    is_paid = orders.c.status.in_(list(paid))
    n_settle = func.coalesce(settlements.c.n, 0)
    n_txn = func.coalesce(settled_txns.c.n, 0)
    n_refund = func.coalesce(refunds.c.n, 0)
    n_refund_rows = func.coalesce(refund_rows.c.n, 0)
    n_returned = func.coalesce(returned_txns.c.n, 0)
    is_refunded = orders.c.status == refunded
    is_voided = orders.c.status == voided
    return session.execute(
        select(orders.c.order_no, orders.c.status, n_settle, n_txn, n_refund, n_refund_rows, n_returned)
        .outerjoin(settlements, settlements.c.order_id == orders.c.id)
        .outerjoin(settled_txns, settled_txns.c.order_id == orders.c.id)
        .outerjoin(refunds, refunds.c.order_id == orders.c.id)
        .outerjoin(refund_rows, refund_rows.c.order_id == orders.c.id)
        .outerjoin(returned_txns, returned_txns.c.order_id == orders.c.id)
        .where(
            or_(
                and_(is_paid, or_(n_settle != 1, n_txn != 1)),
                and_(~is_paid, or_(n_settle != 0, n_txn != 0)),
                and_(is_refunded, or_(n_refund != 1, n_refund_rows != 1)),
                and_(~is_refunded, or_(n_refund != 0, n_refund_rows != n_returned)),
                and_(~is_voided, n_returned != 0),
                n_returned > 1,
            )
        )
        .order_by(orders.c.id)
    ).all()


def entries_without_order(session: Session) -> Sequence[Row[int, str]]:
    """(entry id, kind) of journal entries whose order does not exist."""
    orders, entries = _table("payment_orders"), _table("ledger_entries")
    return session.execute(
        select(entries.c.id, entries.c.kind)
        .outerjoin(orders, orders.c.id == entries.c.order_id)
        .where(orders.c.id.is_(None))
    ).all()


def _sum_by_order(table: Table, column: Any, *where: Any) -> Any:
    return (
        select(table.c.order_id.label("order_id"), _isum(column).label("total"))
        .where(*where)
        .group_by(table.c.order_id)
        .subquery()
    )


def orders_whose_amounts_disagree(
    session: Session, *, paid: Collection[str], refunded: str, settled_outcome: str
) -> Sequence[Any]:
    """Per paid order (status in `paid`) whose figures disagree, by order id: (order no, status, amount,
    paid amount, settlement entry total, the channel's settled payment, sum of the lines, sum of its tax
    and fee receipts, sum of the fee lines, sum of the fee receipts, refund entry total, refund records).
    All in fen; None where there is no such row (a missing entry or payment is RULE_SETTLED_ONCE's to name,
    so only present figures are compared, but missing receipts count as 0).

    The amount of a paid order must be its entry's total, the channel's payment, its lines and its
    receipts (电子完税凭证 and 登记费电子票据 before any 冲红); a refunded order's refund entry and refund
    record must each be the whole amount."""
    orders, entries, lines = _table("payment_orders"), _table("ledger_entries"), _table("payment_order_lines")
    txns, receipts, refunds = (
        _table("channel_transactions"),
        _table("payment_receipts"),
        _table("payment_refunds"),
    )
    settlement = _sum_by_order(entries, entries.c.total, entries.c.kind == "settlement")
    refund_entry = _sum_by_order(entries, entries.c.total, entries.c.kind == "refund")
    payment = _sum_by_order(txns, txns.c.amount, txns.c.outcome == settled_outcome)
    all_lines = _sum_by_order(lines, lines.c.amount)
    fee_lines = _sum_by_order(lines, lines.c.amount, lines.c.kind == "fee")
    all_receipts = _sum_by_order(receipts, receipts.c.amount, receipts.c.kind.in_(["tax", "fee"]))
    fee_receipts = _sum_by_order(receipts, receipts.c.amount, receipts.c.kind == "fee")
    refund_rows = _sum_by_order(refunds, refunds.c.amount)
    amount = type_coerce(orders.c.amount, BigInteger)
    paid_amount = type_coerce(orders.c.paid_amount, BigInteger)
    zero = func.coalesce
    n_lines, n_receipts = zero(all_lines.c.total, 0), zero(all_receipts.c.total, 0)
    n_fee_lines, n_fee_receipts = zero(fee_lines.c.total, 0), zero(fee_receipts.c.total, 0)
    is_refunded = orders.c.status == refunded

    def differs(column: Any) -> Any:
        return and_(column.is_not(None), column != amount)

    return session.execute(
        select(
            orders.c.order_no,
            orders.c.status,
            amount,
            paid_amount,
            settlement.c.total,
            payment.c.total,
            n_lines,
            n_receipts,
            n_fee_lines,
            n_fee_receipts,
            refund_entry.c.total,
            refund_rows.c.total,
        )
        .outerjoin(settlement, settlement.c.order_id == orders.c.id)
        .outerjoin(refund_entry, refund_entry.c.order_id == orders.c.id)
        .outerjoin(payment, payment.c.order_id == orders.c.id)
        .outerjoin(all_lines, all_lines.c.order_id == orders.c.id)
        .outerjoin(fee_lines, fee_lines.c.order_id == orders.c.id)
        .outerjoin(all_receipts, all_receipts.c.order_id == orders.c.id)
        .outerjoin(fee_receipts, fee_receipts.c.order_id == orders.c.id)
        .outerjoin(refund_rows, refund_rows.c.order_id == orders.c.id)
        .where(
            orders.c.status.in_(list(paid)),
            or_(
                paid_amount.is_(None),
                paid_amount != amount,
                differs(settlement.c.total),
                differs(payment.c.total),
                n_lines != amount,
                n_receipts != amount,
                n_fee_lines != n_fee_receipts,
                and_(is_refunded, or_(differs(refund_entry.c.total), differs(refund_rows.c.total))),
            ),
        )
        .order_by(orders.c.id)
    ).all()


def tax_tickets_without_their_certificate(
    session: Session, paid: Collection[str]
) -> Sequence[Row[str, str, int | None, int | None, int]]:
    """(order no, 税票号, sum of the tax lines with that ticket, sum of the 电子完税凭证 of that number, how
    many certificates) of every ticket of a paid order whose certificate is missing, doubled or of another
    amount, and of every certificate that no tax line of a paid order asks for; by order id and ticket."""
    orders, lines, receipts = (
        _table("payment_orders"),
        _table("payment_order_lines"),
        _table("payment_receipts"),
    )
    tickets = (
        select(lines.c.order_id, lines.c.ref, _isum(lines.c.amount).label("total"))
        .join(orders, orders.c.id == lines.c.order_id)
        .where(lines.c.kind == "tax", orders.c.status.in_(list(paid)))
        .group_by(lines.c.order_id, lines.c.ref)
        .subquery()
    )
    certificates = (
        select(
            receipts.c.order_id,
            receipts.c.number,
            _isum(receipts.c.amount).label("total"),
            func.count().label("n"),
        )
        .where(receipts.c.kind == "tax")
        .group_by(receipts.c.order_id, receipts.c.number)
        .subquery()
    )
    joined = and_(certificates.c.order_id == tickets.c.order_id, certificates.c.number == tickets.c.ref)
    wanted = (
        select(
            tickets.c.order_id.label("order_id"),
            tickets.c.ref.label("ticket"),
            tickets.c.total.label("lines"),
            certificates.c.total.label("certificate"),
            func.coalesce(certificates.c.n, 0).label("n"),
        )
        .select_from(tickets.outerjoin(certificates, joined))
        .where(
            or_(
                certificates.c.n.is_(None),
                certificates.c.n != 1,
                certificates.c.total != tickets.c.total,
            )
        )
    )
    unasked = (
        select(
            certificates.c.order_id,
            certificates.c.number,
            tickets.c.total,
            certificates.c.total,
            certificates.c.n,
        )
        .select_from(certificates.outerjoin(tickets, joined))
        .where(tickets.c.ref.is_(None))
    )
    found = wanted.union_all(unasked).subquery()
    return session.execute(
        select(orders.c.order_no, found.c.ticket, found.c.lines, found.c.certificate, found.c.n)
        .join(orders, orders.c.id == found.c.order_id)
        .order_by(found.c.order_id, found.c.ticket)
    ).all()


def lines_booked_elsewhere(
    session: Session, paid: Collection[str], accounts: Mapping[str, str], clearing: str
) -> Sequence[Any]:
    """(order no, line ref, line kind, the line's account, the account its kind belongs to by `accounts`,
    line amount, posted account, posted credit, posted debit) of every line of a paid order whose settlement
    posting is missing, credits another amount, or whose line or posting is on an account other than its
    kind's; then (order no, posting ref, None, None, None, None, account, credit, debit) of every settlement
    posting on no line that is not the clearing account's debit. By order id."""
    orders, lines = _table("payment_orders"), _table("payment_order_lines")
    entries, postings = _table("ledger_entries"), _table("ledger_postings")
    expected = case(dict(accounts), value=lines.c.kind, else_=None)
    settlement_postings = (
        select(
            postings.c.line_id,
            postings.c.account,
            postings.c.credit,
            postings.c.debit,
        )
        .join(entries, entries.c.id == postings.c.entry_id)
        .where(entries.c.kind == "settlement", postings.c.line_id.is_not(None))
        .subquery()
    )
    per_line = (
        select(
            orders.c.id.label("order_id"),
            orders.c.order_no,
            lines.c.ref,
            lines.c.kind,
            lines.c.account.label("line_account"),
            expected.label("expected"),
            type_coerce(lines.c.amount, BigInteger).label("amount"),
            settlement_postings.c.account,
            type_coerce(settlement_postings.c.credit, BigInteger).label("credit"),
            type_coerce(settlement_postings.c.debit, BigInteger).label("debit"),
        )
        .join(orders, orders.c.id == lines.c.order_id)
        .outerjoin(settlement_postings, settlement_postings.c.line_id == lines.c.id)
        .where(
            orders.c.status.in_(list(paid)),
            or_(
                settlement_postings.c.account.is_(None),
                expected.is_(None),
                lines.c.account != expected,
                settlement_postings.c.account != expected,
                settlement_postings.c.credit != lines.c.amount,
                type_coerce(settlement_postings.c.debit, BigInteger) != 0,
            ),
        )
    )
    loose = (
        select(
            orders.c.id,
            orders.c.order_no,
            postings.c.ref,
            null(),
            null(),
            null(),
            null(),
            postings.c.account,
            type_coerce(postings.c.credit, BigInteger),
            type_coerce(postings.c.debit, BigInteger),
        )
        .join(entries, entries.c.id == postings.c.entry_id)
        .join(orders, orders.c.id == entries.c.order_id)
        .where(
            entries.c.kind == "settlement",
            postings.c.line_id.is_(None),
            or_(postings.c.account != clearing, type_coerce(postings.c.credit, BigInteger) != 0),
        )
    )
    found = per_line.union_all(loose).subquery()
    return session.execute(
        select(*[c for c in found.c if c.name != "order_id"]).order_by(found.c.order_id)
    ).all()


def receipts_without_pdf(
    session: Session, issued_before: datetime, limit: int
) -> tuple[int, int, list[tuple[str, str, str]]]:
    """(how many receipts have no PDF and were issued before `issued_before`, how many without one were
    issued since, (kind, number, case number) of the first `limit` of the former, by id)."""
    receipts, cases = _table("payment_receipts"), Case.__table__
    missing = receipts.c.attachment_id.is_(None)
    old = receipts.c.issued_at < issued_before
    late, young = session.execute(
        select(
            func.coalesce(func.sum(case((old, 1), else_=0)), 0),
            func.coalesce(func.sum(case((old, 0), else_=1)), 0),
        ).where(missing)
    ).one()
    first = session.execute(
        select(receipts.c.kind, receipts.c.number, cases.c.case_number)
        .join(cases, cases.c.id == receipts.c.case_id)
        .where(missing, old)
        .order_by(receipts.c.id)
        .limit(limit)
    ).all()
    return int(late), int(young), [(kind, number, case_number) for kind, number, case_number in first]


# ---------------------------------------------------------------------------------------------------------
# Certificate numbers


def shared_certificate_seqs(session: Session) -> Sequence[Row[CertificateKind, int, int, int]]:
    """(kind, year, seq, how many) of every number of a kind and year held by more than one certificate."""
    return session.execute(
        select(Certificate.kind, Certificate.year, Certificate.seq, func.count())
        .group_by(Certificate.kind, Certificate.year, Certificate.seq)
        .having(func.count() > 1)
    ).all()


def shared_certificate_numbers(session: Session) -> Sequence[Row[str, int]]:
    """(number, how many) of every certificate number held by more than one certificate."""
    return session.execute(
        select(Certificate.number, func.count()).group_by(Certificate.number).having(func.count() > 1)
    ).all()


def certificate_number_ranges(session: Session) -> Sequence[Row[CertificateKind, int, int, int | None]]:
    """Per kind and year: (kind, year, highest seq, lowest seq of a certificate with a case, i.e. one this
    system issued, or None)."""
    issued = case((Certificate.case_id.is_not(None), Certificate.seq))
    return session.execute(
        select(Certificate.kind, Certificate.year, func.max(Certificate.seq), func.min(issued)).group_by(
            Certificate.kind, Certificate.year
        )
    ).all()


def certificate_counters(session: Session) -> dict[str, int]:
    """{counter name: value} of the certificate number counters (`cert:` names)."""
    return {
        name: int(value)
        for name, value in session.execute(
            select(Counter.name, Counter.value).where(Counter.name.like("cert:%"))
        )
    }


def highest_loaded_seq(session: Session, kind: CertificateKind, year: int, below: int | None) -> int | None:
    """The highest number of a kind and year among certificates without a case (loaded from an older
    register), below `below` when given."""
    return session.scalar(
        select(func.max(Certificate.seq)).where(
            Certificate.kind == kind,
            Certificate.year == year,
            Certificate.case_id.is_(None),
            *([Certificate.seq < below] if below is not None else []),
        )
    )


def certificates_between(
    session: Session, kind: CertificateKind, year: int, low: int, high: int
) -> int | None:
    """How many certificates of a kind and year have a number in low..high."""
    return session.scalar(
        select(func.count()).where(
            Certificate.kind == kind, Certificate.year == year, Certificate.seq.between(low, high)
        )
    )


def seqs_between(session: Session, kind: CertificateKind, year: int, low: int, high: int) -> Iterable[int]:
    """The numbers of a kind and year present in low..high, in order, streamed as the caller walks them."""
    return session.scalars(
        select(Certificate.seq)
        .where(Certificate.kind == kind, Certificate.year == year, Certificate.seq.between(low, high))
        .order_by(Certificate.seq)
    )


# ---------------------------------------------------------------------------------------------------------
# The register


def first_acceptance(session: Session) -> datetime | None:
    """When this system accepted its first case (None before any)."""
    return session.scalar(select(func.min(Case.accepted_at)))


def _caseless_current(registered_since: datetime) -> Any:
    return and_(
        Right.status == RightStatus.CURRENT,
        Right.created_by_case_id.is_(None),
        Right.registered_at >= registered_since,
    )


def caseless_rights_count(session: Session, registered_since: datetime) -> int | None:
    """How many current rights without a creating case were registered since `registered_since`."""
    return session.scalar(select(func.count()).select_from(Right).where(_caseless_current(registered_since)))


def caseless_rights(
    session: Session, registered_since: datetime, limit: int
) -> Sequence[Row[int, RightType]]:
    """(right id, right type) of the first `limit` of them, by id."""
    return session.execute(
        select(Right.id, Right.right_type)
        .where(_caseless_current(registered_since))
        .order_by(Right.id)
        .limit(limit)
    ).all()


def rights_of_unrecorded_cases(
    session: Session, recorded: Collection[CaseStatus], limit: int
) -> Sequence[Row[int, str, CaseStatus]]:
    """(right id, case number, case status) of the first `limit` current rights whose creating case is not
    in `recorded`, by right id."""
    return session.execute(
        select(Right.id, Case.case_number, Case.status)
        .join(Case, Case.id == Right.created_by_case_id)
        .where(and_(Right.status == RightStatus.CURRENT, Case.status.not_in(list(recorded))))
        .order_by(Right.id)
        .limit(limit)
    ).all()


def _current_certificate_of_dead_right() -> Any:
    return and_(Certificate.status == CertificateStatus.CURRENT, Right.status != RightStatus.CURRENT)


def certificates_on_dead_rights_count(session: Session) -> int | None:
    """How many current certificates carry a right that is no longer current."""
    return session.scalar(
        select(func.count())
        .select_from(Certificate)
        .join(Right, Right.id == Certificate.right_id)
        .where(_current_certificate_of_dead_right())
    )


def certificates_on_dead_rights(session: Session, limit: int) -> Sequence[Row[str, int]]:
    """(certificate number, right id) of the first `limit` of them, by certificate id."""
    return session.execute(
        select(Certificate.number, Right.id)
        .join(Right, Right.id == Certificate.right_id)
        .where(_current_certificate_of_dead_right())
        .order_by(Certificate.id)
        .limit(limit)
    ).all()


def units_with_several_ownerships(session: Session) -> Sequence[Row[str, int]]:
    """(unit number, how many) of every unit with more than one current ownership, by unit id."""
    doubled = (
        select(Right.unit_id, func.count().label("n"))
        .where(Right.status == RightStatus.CURRENT, Right.right_type == RightType.OWNERSHIP)
        .group_by(Right.unit_id)
        .having(func.count() > 1)
        .subquery()
    )
    return session.execute(
        select(Unit.unit_number, doubled.c.n).join(doubled, doubled.c.unit_id == Unit.id).order_by(Unit.id)
    ).all()


def _current_holder() -> Any:
    return and_(RightParty.role == PartyRole.RIGHT_HOLDER, Right.status == RightStatus.CURRENT)


def shares_to_add_up(session: Session) -> Sequence[Row[int, str]]:
    """(right id, share as text) of every holder of a current right whose shares need adding up: the common
    case of one holder with 1/1 is left out in SQL, so Python sees only co-owned rights."""
    share_text = RightParty.__table__.c.share
    needs_sum = (
        select(RightParty.right_id)
        .join(Right, Right.id == RightParty.right_id)
        .where(_current_holder(), share_text.is_not(None))
        .group_by(RightParty.right_id)
        .having(~and_(func.count() == 1, func.max(share_text) == "1/1"))
        .subquery()
    )
    return session.execute(
        select(RightParty.right_id, share_text)
        .join(Right, Right.id == RightParty.right_id)
        .where(_current_holder(), RightParty.right_id.in_(select(needs_sum.c.right_id)))
    ).all()


def by_shares_rights_missing_a_share(session: Session, limit: int) -> Sequence[int]:
    """The first `limit` current rights held by shares (按份共有) with a holder whose share is not recorded."""
    share_text = RightParty.__table__.c.share
    return (
        session.execute(
            select(Right.id)
            .join(RightParty, RightParty.right_id == Right.id)
            .where(_current_holder(), Right.co_ownership == CoOwnership.BY_SHARES, share_text.is_(None))
            .group_by(Right.id)
            .order_by(Right.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
