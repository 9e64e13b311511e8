"""What fees and taxes have in common: dated policy rows, their conditions, and the quote lines they produce."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from registry_desk.domain.codes import LabelledStrEnum
from registry_desk.domain.errors import RuleViolation
from registry_desk.domain.money import Money


class Payer(LabelledStrEnum):
    """The side that pays a line at the counter (one payment order per side, REFERENCE §9)."""

    BUYER = ("buyer", "买方")
    SELLER = ("seller", "卖方")
    MORTGAGEE = ("mortgagee", "抵押权人")
    MORTGAGOR = ("mortgagor", "抵押人")
    APPLICANT = ("applicant", "申请人")


class TaxpayerRole(LabelledStrEnum):
    """Who the law makes liable; differs from the payer when, say, a buyer pays the seller's taxes."""

    TRANSFEREE = ("transferee", "承受方")
    TRANSFEROR = ("transferor", "转让方")
    RIGHT_HOLDER = ("right_holder", "登记权利人")
    MORTGAGEE = ("mortgagee", "抵押权人")
    APPLICANT = ("applicant", "申请人")


class Account(LabelledStrEnum):
    """Where a line's money settles: taxes to the treasury, fees to the fiscal special account."""

    TREASURY = ("treasury", "国库")
    FISCAL = ("fiscal", "财政专户")


class PropertyUse(LabelledStrEnum):
    """The use that decides the fee class and whether the housing tax rules apply."""

    RESIDENTIAL = ("residential", "住宅")
    NON_RESIDENTIAL = ("non_residential", "非住宅")
    # 车库、车位、储藏室 with their own certificate: fee as housing since 2019-07-01, taxed as non-housing.
    ANCILLARY = ("ancillary", "车库、车位、储藏室（单独发证）")


# Condition keys end in one of these to compare a numeric fact; any other key is equality or membership.
_RANGE_SUFFIXES = {"_min": "≥", "_max": "≤", "_over": ">", "_below": "<"}


@dataclass(frozen=True)
class Condition:
    """One test a policy row puts on the facts of a case, e.g. `area_max = 90` (面积 ≤ 90㎡)."""

    fact: str
    op: str  # "=", "in", "≥", "≤", ">", "<"
    value: bool | str | int | Decimal | tuple[str | int, ...]

    @classmethod
    def parse(cls, key: str, value: object, known_facts: Iterable[str]) -> Condition:
        """Reads a `conditions` entry of the policy data; refuses keys no case provides (typos)."""
        known = set(known_facts)
        for suffix, op in _RANGE_SUFFIXES.items():
            base = key.removesuffix(suffix)
            if key.endswith(suffix) and base in known:
                try:
                    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
                        raise InvalidOperation
                    number = Decimal(str(value))
                    if not number.is_finite():
                        raise InvalidOperation
                except InvalidOperation:
                    raise ValueError(f"条件“{key}”须为数字或数字字符串（收到 {value!r}）") from None
                return cls(base, op, number)
        if key not in known:
            raise ValueError(
                f"未知的条件“{key}”（可用：{'、'.join(sorted(known))}，数值条件可加 _min/_max/_over/_below）"
            )
        if isinstance(value, list):
            if not value or not all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
                raise ValueError(f"条件“{key}”的列表须为非空的文字或整数列表")
            return cls(key, "in", tuple(value))
        if not isinstance(value, (bool, str, int)):
            # ValueError throughout: the loader reports every fault in the data the same way.
            raise ValueError(f"条件“{key}”的值须为真假、文字或整数")  # noqa: TRY004
        return cls(key, "=", value)

    def holds(self, facts: Mapping[str, object]) -> bool:
        # An unknown fact (None) never satisfies a condition: rows that need it simply do not apply,
        # and a case left with no applicable row is refused with the facts listed.
        actual = facts.get(self.fact)
        if actual is None:
            return False
        if self.op == "=":
            # True == 1 in Python; a yes/no condition must not be met by a count.
            if isinstance(self.value, bool) != isinstance(actual, bool):
                return False
            return actual == self.value
        if self.op == "in":
            assert isinstance(self.value, tuple)
            return actual in self.value
        number = Decimal(str(actual))
        assert isinstance(self.value, Decimal)
        return {
            "≥": number >= self.value,
            "≤": number <= self.value,
            ">": number > self.value,
            "<": number < self.value,
        }[self.op]

    def __str__(self) -> str:
        value = "、".join(str(v) for v in self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.fact}{self.op}{value}"


@dataclass(frozen=True)
class PolicyRow:
    """One dated rate of the policy data: what it applies to, from when to when, and on whose authority."""

    item: str
    valid_from: date
    valid_to: date | None  # inclusive; None = still in force
    rate: Decimal
    conditions: tuple[Condition, ...]
    source: str
    note: str
    unverified: bool
    ref: str = ""  # where the row was read from ("taxes.json 第3条"), for messages

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def applies(self, facts: Mapping[str, object]) -> bool:
        return all(c.holds(facts) for c in self.conditions)

    def period(self) -> str:
        return f"{self.valid_from.isoformat()}至{self.valid_to.isoformat() if self.valid_to else '今'}"


def _describe(facts: Mapping[str, object]) -> str:
    return "，".join(f"{k}={'未填' if v is None else v}" for k, v in facts.items())


def select_row(
    rows: Iterable[PolicyRow], item: str, on: date, facts: Mapping[str, object], *, record: str = ""
) -> PolicyRow:
    """The one row of `item` in force on `on` whose conditions hold; refuses gaps and overlaps alike."""
    found = find_row(rows, item, on, facts, record=record, required=True)
    assert found is not None
    return found


def find_row(
    rows: Iterable[PolicyRow],
    item: str,
    on: date,
    facts: Mapping[str, object],
    *,
    record: str = "",
    required: bool = False,
) -> PolicyRow | None:
    """Like `select_row`, but for reliefs (减免) a missing row just means no relief."""
    of_item = [r for r in rows if r.item == item]
    if not of_item:
        if not required:
            return None
        raise RuleViolation(f"政策数据中没有“{item}”的税率或收费标准", rule="税费政策数据", record=record)
    in_force = [r for r in of_item if r.in_force(on)]
    if not in_force and required:
        earliest = min(r.valid_from for r in of_item)
        raise RuleViolation(
            f"“{item}”在{on.isoformat()}没有有效的政策数据（现有数据自{earliest.isoformat()}起），无法试算",
            rule="税费政策按日期适用",
            record=record,
        )
    matching = [r for r in in_force if r.applies(facts)]
    if len(matching) > 1:
        refs = "、".join(r.ref or r.period() for r in matching)
        raise RuleViolation(
            f"“{item}”的政策数据有多条同时适用（{refs}），请管理员修正政策数据",
            rule="税费政策数据须无重叠",
            record=record,
        )
    if not matching:
        if not required:
            return None
        raise RuleViolation(
            f"“{item}”没有适用于此情形的政策数据（{_describe(facts)}；日期{on.isoformat()}）",
            rule="税费政策数据",
            record=record,
        )
    return matching[0]


@dataclass(frozen=True)
class QuoteLine:
    """One fee or tax line of a trial calculation.

    `amount` is always `base × rate` rounded half up to the fen, so every line can be recomputed by an
    auditor. For taxes the rate is the rate levied after any relief (城建 7% halved shows 0.035); for fees
    the base is the standard times the count and the rate is the share charged (1, or 0 when exempt).
    """

    item: str
    payer: Payer
    taxpayer_role: TaxpayerRole
    account: Account
    base: Money
    rate: Decimal
    amount: Money
    note: str = ""
    source: str = ""
    unverified: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.base, Money) or not isinstance(self.amount, Money):
            raise TypeError("QuoteLine 的计费依据和金额必须是 Money")
        if not isinstance(self.rate, Decimal):
            raise TypeError("QuoteLine 的费率必须是 Decimal")
        if self.base.fen < 0 or self.rate < 0:
            raise ValueError(f"{self.item}：计费依据和费率不得为负")
        if self.amount != self.base.times(self.rate):
            raise ValueError(f"{self.item}：金额 {self.amount} 不等于 {self.base} × {self.rate}")


@dataclass(frozen=True)
class Quote:
    """A trial calculation (税费试算): the lines, in order, and remarks for what it leaves out.

    Every total is a sum of line amounts, so the totals by payer and by account always agree.
    """

    lines: tuple[QuoteLine, ...]
    notes: tuple[str, ...] = field(default=())

    def __add__(self, other: Quote) -> Quote:
        if not isinstance(other, Quote):
            return NotImplemented
        return Quote(self.lines + other.lines, self.notes + other.notes)

    def totals_by_payer(self) -> dict[Payer, Money]:
        """Per paying side, in the order the sides first appear (one payment order each)."""
        totals: dict[Payer, Money] = {}
        for line in self.lines:
            totals[line.payer] = totals.get(line.payer, Money.zero()) + line.amount
        return totals

    def totals_by_account(self) -> dict[Account, Money]:
        totals: dict[Account, Money] = {}
        for line in self.lines:
            totals[line.account] = totals.get(line.account, Money.zero()) + line.amount
        return totals

    def total(self) -> Money:
        return sum((line.amount for line in self.lines), Money.zero())

    def lines_for(self, payer: Payer) -> tuple[QuoteLine, ...]:
        return tuple(line for line in self.lines if line.payer is payer)

    def payable_lines(self) -> tuple[QuoteLine, ...]:
        """The lines with something to pay (exempt lines stay in `lines` to show why nothing is due)."""
        return tuple(line for line in self.lines if line.amount)

    def has_unverified(self) -> bool:
        return any(line.unverified for line in self.lines)
