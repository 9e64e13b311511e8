"""The queries of `registry-desk check` (operations/invariants.py): set-based SQL that returns only the
offending rows, so a register of a million rights costs the database a few scans and Python almost nothing.

The payment and ledger tables (storage/ledger/tables.py) are taken from the shared metadata by name, as
storage/schema.py maps every table module onto it.
Sums of money columns are summed as raw integers (fen), not Money objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Row, Table, and_, case, func, or_, select
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
