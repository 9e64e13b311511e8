"""缴款码 and 税票号: right length, digits only, and the check digit catches a mistyped digit."""

from __future__ import annotations

from registry_desk.domain.money import Money
from registry_desk.payments.numbers import (
    bill_check_code,
    mod11_10_check_digit,
    mod11_10_valid,
    new_payment_code,
    new_tax_ticket_no,
)
from tests.unit.payments.factories import NOW


def test_every_single_wrong_digit_and_most_swaps_are_caught():
    code = "6405002600000001234"
    full = code + mod11_10_check_digit(code)
    assert mod11_10_valid(full)
    for i in range(len(full)):
        for d in "0123456789":
            if d != full[i]:
                assert not mod11_10_valid(full[:i] + d + full[i + 1 :]), (i, d)
    swaps = [
        full[:i] + full[i + 1] + full[i] + full[i + 2 :]
        for i in range(len(full) - 1)
        if full[i] != full[i + 1]
    ]
    caught = sum(not mod11_10_valid(s) for s in swaps)
    assert caught >= len(swaps) * 0.8


def test_codes_from_the_sequence_are_valid_distinct_and_of_the_documented_length(sqlite_db):
    with sqlite_db.unit_of_work() as uow:
        codes = [new_payment_code(uow.session, NOW) for _ in range(3)]
        tickets = [new_tax_ticket_no(uow.session, NOW) for _ in range(3)]
        uow.commit()
    assert len(set(codes)) == 3 and len(set(tickets)) == 3
    for code in codes:
        assert len(code) == 20 and code.isdigit() and code.startswith("64050026") and mod11_10_valid(code)
    for ticket in tickets:
        assert len(ticket) == 18 and ticket.isdigit() and mod11_10_valid(ticket)


def test_the_bill_check_code_changes_with_the_amount():
    a = bill_check_code("64050126", "0000000001", Money.yuan("80.00"), NOW, "11010519491231002X")
    b = bill_check_code("64050126", "0000000001", Money.yuan("80.01"), NOW, "11010519491231002X")
    assert len(a) == 6 and a != b
