"""The ledger refuses to exist unbalanced, shows rounding residue explicitly, and corrects by reversal."""

from __future__ import annotations

import pytest

from registry_desk.domain.errors import RuleViolation
from registry_desk.domain.ledger import (
    JournalEntry,
    LedgerAccount,
    Posting,
    UnbalancedEntry,
    balances,
    is_balanced,
)
from registry_desk.domain.money import Money

Y = Money.yuan


def settlement() -> JournalEntry:
    return JournalEntry(
        (
            Posting.dr(LedgerAccount.CLEARING, Y("10080.00"), "SF1"),
            Posting.cr(LedgerAccount.FISCAL, Y("80.00"), "64050026000000000012"),
            Posting.cr(LedgerAccount.TREASURY, Y("10000.00"), "364260000000000013"),
        ),
        "缴款单 SF1 入账",
    )


def test_a_balanced_settlement_debits_clearing_and_credits_treasury_and_fiscal():
    entry = settlement()
    assert entry.total == Y("10080.00")
    assert entry.amount_for(LedgerAccount.TREASURY) == -Y("10000.00")
    assert entry.amount_for(LedgerAccount.FISCAL) == -Y("80.00")
    assert is_balanced(balances([entry]))


def test_one_fen_out_of_balance_is_refused_with_both_totals_named():
    with pytest.raises(UnbalancedEntry) as info:
        JournalEntry(
            (Posting.dr("clearing", Y("10080.00")), Posting.cr("treasury", Y("10079.99"))), "缴款单 SF2"
        )
    assert "10080.00" in str(info.value) and "10079.99" in str(info.value) and "0.01" in str(info.value)


@pytest.mark.parametrize(
    "postings",
    [
        (),
        (Posting.dr("clearing", Y("1.00")),),
        (Posting.dr("clearing", Money.zero()), Posting.cr("fiscal", Money.zero())),
    ],
)
def test_entries_need_two_sides_and_an_amount(postings):
    with pytest.raises(UnbalancedEntry):
        JournalEntry(postings)


def test_a_posting_is_one_sided_and_never_negative():
    with pytest.raises(RuleViolation):
        Posting("clearing", Y("1.00"), Y("1.00"))
    with pytest.raises(RuleViolation, match="反向分录"):
        Posting("clearing", Y("-1.00"), Money.zero())


def test_rounding_residue_goes_to_an_explicit_posting_and_a_large_one_is_refused():
    entry = JournalEntry.with_residue(
        [
            Posting.dr("clearing", Y("100.00")),
            Posting.cr("treasury", Y("33.33")),
            Posting.cr("treasury", Y("66.66")),
        ],
        memo="三分",
    )
    residue = [p for p in entry.postings if p.account == LedgerAccount.ROUNDING]
    assert residue == [Posting.cr(LedgerAccount.ROUNDING, Y("0.01"), "尾差")]
    with pytest.raises(UnbalancedEntry, match="尾差"):
        JournalEntry.with_residue([Posting.dr("clearing", Y("100.00")), Posting.cr("treasury", Y("99.98"))])


def test_a_reversal_is_a_new_entry_that_nets_every_account_to_zero():
    entry = settlement()
    reversal = entry.reversal("退费")
    assert reversal is not entry and reversal.postings != entry.postings
    totals = balances([entry, reversal])
    assert set(totals) == {"clearing", "fiscal", "treasury"}
    assert all(v == Money.zero() for v in totals.values())
