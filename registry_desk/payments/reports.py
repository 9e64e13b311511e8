"""Fee and tax reports, computed from the ledger postings of the settlement lines (never separately)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry_desk.domain.money import Money
from registry_desk.payments.channel import day_bounds
from registry_desk.storage.ledger.reports import line_postings_of_period
from registry_desk.storage.session import Session


@dataclass(frozen=True)
class ReportLine:
    account: str  # treasury / fiscal
    item: str
    settled: Money  # credited by settlements in the period
    refunded: Money  # debited back by refunds in the period
    count: int  # settlement postings

    @property
    def net(self) -> Money:
        return self.settled - self.refunded


def fee_tax_report(session: Session, start: date, end: date) -> list[ReportLine]:
    """Per account and item, what was credited (入库) and reversed (退库) from `start` to `end` inclusive."""
    since, _ = day_bounds(start)
    _, until = day_bounds(end)
    rows = line_postings_of_period(session, since, until)
    totals: dict[tuple[str, str], list] = {}
    for account, item, kind, debit, credit in rows:
        entry = totals.setdefault((account, item), [Money.zero(), Money.zero(), 0])
        if kind == "settlement":
            entry[0] += credit - debit
            entry[2] += 1
        else:
            entry[1] += debit - credit
    return [ReportLine(account, item, s, r, n) for (account, item), (s, r, n) in sorted(totals.items())]
