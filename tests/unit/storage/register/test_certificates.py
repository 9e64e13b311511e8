"""storage/register/certificates.py: certificate rows by case and by number."""

from __future__ import annotations

from registry_desk.registration import payment_status, recording
from registry_desk.storage.register import certificates as cert_rows
from tests.integration.test_case_helpers import CASHIER, MONDAY, REGISTRAR


def test_certificates_by_number_and_by_case(accepted):
    payment_status.confirm_payment(accepted.db, CASHIER, accepted.case_number, now=MONDAY)
    issued = recording.record_case(
        accepted.db, REGISTRAR, accepted.case_number, now=MONDAY
    ).issued_certificates
    with accepted.db.unit_of_work(write=False) as uow:
        s = uow.session
        old = cert_rows.certificate_with_unit(s, accepted.reg.plain_certificate)
        assert old is not None and old.unit.unit_number == accepted.reg.plain
        assert cert_rows.certificate_by_number(s, "NO-SUCH-NUMBER") is None
        assert cert_rows.case_number_of_certificate(s, accepted.reg.plain_certificate) is None  # migrated
        assert cert_rows.case_number_of_certificate(s, issued[0]) == accepted.case_number
        receipt_case = cert_rows.case_for_receipt(s, accepted.case_number)
        assert receipt_case.unit.unit_number == accepted.reg.plain and receipt_case.materials
        assert [c.number for c in cert_rows.certificates_of_case(s, receipt_case.id)] == list(issued)
        assert cert_rows.case_for_receipt(s, "NO-SUCH-CASE") is None
        assert cert_rows.user_by_id(s, -1) is None
