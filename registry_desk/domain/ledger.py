"""Balanced double-entry bookkeeping for collected taxes and fees: postings, journal entries, balances.

Settlement debits the clearing account (待清算, money the collecting bank holds for us) and credits the
国库 per tax line and the 财政专户 per fee line. Entries are immutable; a correction or a refund is a new,
reversing entry, never an edit. An entry that does not balance to the fen cannot be built, and a rounding
residue must be posted explicitly to a named account (never absorbed into another line).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from registry_desk.domain.codes import LabelledStrEnum
from registry_desk.domain.errors import RuleViolation
from registry_desk.domain.money import Money


class LedgerAccount(LabelledStrEnum):
    """The accounts a settlement touches. Values are what the ledger tables store."""

    CLEARING = ("clearing", "待清算")
    TREASURY = ("treasury", "国库")
    FISCAL = ("fiscal", "财政专户")
    ROUNDING = ("rounding", "尾差")  # only ever reached through an explicit residue posting


# The one rule of where an order line's money settles, by the line's kind: taxes to the 国库, fees to the
# 财政专户. Billing stores each line's account from it, settlement credits the account it names, and
# `registry-desk check` compares the stored lines and postings with it, so the three cannot drift apart.
LINE_ACCOUNTS: Mapping[str, LedgerAccount] = {"tax": LedgerAccount.TREASURY, "fee": LedgerAccount.FISCAL}


def account_for_line(kind: str) -> LedgerAccount:
    """The account an order line of `kind` (tax / fee) settles to; a kind without one is refused."""
    try:
        return LINE_ACCOUNTS[kind]
    except KeyError:
        raise RuleViolation(
            f"缴款单明细种类“{kind}”没有对应的入库账户（税款入国库，登记费入财政专户）",
            rule="税款入国库，登记费入财政专户",
            record=kind,
        ) from None


_ONE_FEN = Money.of_fen(1)


class UnbalancedEntry(RuleViolation):
    """A journal entry whose debits and credits differ."""


@dataclass(frozen=True, slots=True)
class Posting:
    """One side of an entry: either a debit or a credit to `account`, with the reference it settles
    (a 税票号 or 缴款码 for the 国库 and 财政专户, the order number for the clearing account)."""

    account: str
    debit: Money
    credit: Money
    ref: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.debit, Money) or not isinstance(self.credit, Money):
            raise TypeError("Posting 的借方和贷方必须是 Money")
        if self.debit.fen < 0 or self.credit.fen < 0:
            raise RuleViolation(
                f"记账金额不得为负（科目 {self.account}，借 {self.debit}，贷 {self.credit}）；冲销请用反向分录",
                rule="复式记账：冲销以反向分录表示",
                record=self.ref or str(self.account),
            )
        if self.debit.fen and self.credit.fen:
            raise RuleViolation(
                f"一条记账行不能同时有借方和贷方（科目 {self.account}）",
                rule="复式记账：每行只记一方",
                record=self.ref or str(self.account),
            )

    @classmethod
    def dr(cls, account: str, amount: Money, ref: str = "") -> Posting:
        return cls(str(account), amount, Money.zero(), ref)

    @classmethod
    def cr(cls, account: str, amount: Money, ref: str = "") -> Posting:
        return cls(str(account), Money.zero(), amount, ref)

    @property
    def net(self) -> Money:
        """Debit minus credit: positive for a debit."""
        return self.debit - self.credit

    def reversed(self) -> Posting:
        return Posting(self.account, self.credit, self.debit, self.ref)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A set of postings whose debits equal their credits to the fen; refuses to exist otherwise."""

    postings: tuple[Posting, ...]
    memo: str = ""

    def __post_init__(self) -> None:
        postings = tuple(self.postings)
        object.__setattr__(self, "postings", postings)
        if len(postings) < 2:
            raise UnbalancedEntry(
                "一笔分录至少要有一借一贷两条记账行", rule="复式记账：有借必有贷", record=self.memo
            )
        debits = sum((p.debit for p in postings), Money.zero())
        credits = sum((p.credit for p in postings), Money.zero())
        if debits != credits:
            raise UnbalancedEntry(
                f"分录借贷不平：借方合计 {debits}，贷方合计 {credits}，相差 {debits - credits}",
                rule="复式记账：借贷必相等",
                record=self.memo,
            )
        if not debits:
            raise UnbalancedEntry("分录金额为零，不予记账", rule="复式记账：零金额不入账", record=self.memo)

    @classmethod
    def with_residue(
        cls,
        postings: Iterable[Posting],
        *,
        memo: str = "",
        residue_account: str = LedgerAccount.ROUNDING,
        max_residue: Money = _ONE_FEN,
    ) -> JournalEntry:
        """Balances `postings` with one explicit residue posting to `residue_account`.

        The residue is visible in the books (and in every report), and one larger than `max_residue`
        is refused: that is an error in the amounts, not rounding.
        """
        items = list(postings)
        difference = sum((p.net for p in items), Money.zero())
        if abs(difference.fen) > max_residue.fen:
            raise UnbalancedEntry(
                f"借贷相差 {difference}，超过允许的尾差 {max_residue}，不能作为尾差处理",
                rule="尾差须单独列示且不超过限额",
                record=memo,
            )
        if difference.fen > 0:
            items.append(Posting.cr(residue_account, difference, "尾差"))
        elif difference.fen < 0:
            items.append(Posting.dr(residue_account, -difference, "尾差"))
        return cls(tuple(items), memo)

    @property
    def total(self) -> Money:
        return sum((p.debit for p in self.postings), Money.zero())

    def reversal(self, memo: str = "") -> JournalEntry:
        """The entry that undoes this one (红字冲销 as a new entry, debits and credits swapped)."""
        return JournalEntry(tuple(p.reversed() for p in self.postings), memo or f"冲销：{self.memo}")

    def amount_for(self, account: str) -> Money:
        """Net debit of this entry on `account`."""
        return sum((p.net for p in self.postings if p.account == str(account)), Money.zero())


def balances(entries: Iterable[JournalEntry] | Iterable[Posting]) -> dict[str, Money]:
    """Net debit balance per account over entries (or bare postings); credits show as negative."""
    totals: dict[str, Money] = {}
    for item in entries:
        postings = item.postings if isinstance(item, JournalEntry) else (item,)
        for p in postings:
            totals[p.account] = totals.get(p.account, Money.zero()) + p.net
    return totals


def is_balanced(totals: Mapping[str, Money]) -> bool:
    """True when the per-account net balances sum to zero (the trial balance holds)."""
    return sum(totals.values(), Money.zero()).fen == 0
