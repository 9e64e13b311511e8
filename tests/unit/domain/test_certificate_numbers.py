"""Certificate numbers print in one form and parse in both bracket widths."""

import pytest

from registry_desk.domain.certificates import format_certificate_number, parse_certificate_number
from registry_desk.domain.codes import CertificateKind
from registry_desk.domain.errors import ValidationError


def test_right_certificate_number_format():
    assert (
        format_certificate_number(CertificateKind.RIGHT_CERTIFICATE, 2026, 1)
        == "宁(2026)中卫市不动产权第0000001号"
    )


def test_proof_number_format():
    assert (
        format_certificate_number(CertificateKind.REGISTRATION_PROOF, 2026, 123)
        == "宁(2026)中卫市不动产证明第0000123号"
    )


@pytest.mark.parametrize(
    "text", ["宁（2026）中卫市不动产证明第0000123号", " 宁(2026)中卫市不动产证明第0000123号 "]
)
def test_full_width_brackets_parse_to_the_printed_form(text):
    number = parse_certificate_number(text)
    assert number.kind is CertificateKind.REGISTRATION_PROOF
    assert (number.year, number.seq) == (2026, 123)
    assert str(number) == "宁(2026)中卫市不动产证明第0000123号"


@pytest.mark.parametrize(
    "text", ["宁(2026)中卫市不动产权第123号", "宁(26)中卫市不动产权第0000001号", "0000001"]
)
def test_malformed_numbers_are_refused_with_the_expected_form(text):
    with pytest.raises(ValidationError, match="宁\\(2026\\)中卫市不动产权第0000001号"):
        parse_certificate_number(text)


def test_sequence_out_of_range():
    with pytest.raises(ValidationError, match="超出"):
        format_certificate_number(CertificateKind.RIGHT_CERTIFICATE, 2026, 10_000_000)
