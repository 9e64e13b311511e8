"""`verify` is for anyone, with any file: garbage, truncated, encrypted, looping or oversized files and
decompression bombs get a refusal in the report, never an exception, and never gigabytes of memory."""

from __future__ import annotations

import base64
import io
import json
import tracemalloc
import zlib

import pytest
from pypdf import PdfReader, PdfWriter

from registry_desk.documents import pki
from registry_desk.documents.seal import PadesSealer
from registry_desk.documents.verification import (
    MAX_DOCUMENT_BYTES,
    check_document,
    verify_payload,
)
from registry_desk.resources_path import seed
from tests.unit.documents.test_verification import CERTIFICATE_LINES, issued_pdf

XREF_LOOP = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"trailer<</Size 3/Root 1 0 R/Prev 116>>\nstartxref\n116\n%%EOF\n"
)


@pytest.fixture(scope="module")
def trust_and_sealed(tmp_path_factory):
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    demo = pki.create_demo_pki(tmp_path_factory.mktemp("keys"), organisations)
    sealed = PadesSealer.for_identity(demo.centre).seal(issued_pdf(CERTIFICATE_LINES, None), reason="登记")
    return pki.TrustStore.load(demo.keys_dir), sealed


def _encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda sealed: b"", "这不是 PDF 文件"),
        (lambda sealed: b"hello, verifier", "这不是 PDF 文件"),
        (lambda sealed: sealed[: len(sealed) // 2], "文件已损坏或格式不符"),
        (lambda sealed: b"%PDF-1.7\n" + b"\0" * 4096, "文件已损坏或格式不符"),
        (lambda sealed: XREF_LOOP, "文件已损坏或格式不符"),
        (_encrypted, "文件已加密"),
        (lambda sealed: sealed + b"\0" * (MAX_DOCUMENT_BYTES + 1 - len(sealed)), "文件过大"),
    ],
    ids=["empty", "garbage", "truncated", "zeros", "xref-loop", "encrypted", "oversized"],
)
def test_a_hostile_file_is_refused_in_the_report(trust_and_sealed, make, expected):
    trust, sealed = trust_and_sealed
    report = check_document(make(sealed), trust)
    assert not report.ok
    assert len(report.problems) == 1 and report.problems[0].startswith(expected), report.problems


def test_a_decompression_bomb_in_a_payload_is_refused_without_inflating_it(trust_and_sealed):
    trust, _sealed = trust_and_sealed
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = deflate.compress(b"\0" * (64 * 1024 * 1024)) + deflate.flush()  # 64 MB in about 64 KB
    body = "~" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode("ascii")
    tracemalloc.start()
    try:
        result = verify_payload(f"ZWBDC1.AAAAAAAA.{body}.AAAA", trust)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok and result.problem == "验真码格式错误，无法读取"
    assert peak < 8 * 1024 * 1024


def test_a_small_bomb_that_fits_the_length_bound_is_refused_too(trust_and_sealed):
    trust, _sealed = trust_and_sealed
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = deflate.compress(b"{" + b" " * (4 * 1024 * 1024)) + deflate.flush()
    body = "~" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode("ascii")
    assert len(body) < 16 * 1024
    assert verify_payload(f"ZWBDC1.AAAAAAAA.{body}.AAAA", trust).problem == "验真码格式错误，无法读取"
