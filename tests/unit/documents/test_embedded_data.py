"""documents/embedded_data.py: a file embedded in a PDF reads back as written, and a PDF whose files cannot be
read is refused with a Chinese message that keeps the PDF library's reason."""

from __future__ import annotations

import pytest

from registry_desk.documents.bank_document_pdf import render_bank_document
from registry_desk.documents.embedded_data import UnreadableEmbeddedFiles, embed_file, embedded_files


@pytest.fixture(scope="module")
def page() -> bytes:
    return render_bank_document(
        "抵押合同", "黄河示范银行股份有限公司中卫分行", [("合同编号", "DY20260302ABC")]
    )


def test_the_bank_document_is_one_pdf_page(page: bytes):
    assert page.startswith(b"%PDF")
    assert embedded_files(page, "data.json") == []


def test_an_embedded_file_reads_back(page: bytes):
    content = '{"contract_no": "DY20260302ABC", "银行": "黄河"}'.encode()
    with_data = embed_file(page, "data.json", content)
    assert embedded_files(with_data, "data.json") == [content]
    assert embedded_files(with_data, "other.json") == []


def test_an_unreadable_pdf_is_refused_with_the_reason():
    with pytest.raises(UnreadableEmbeddedFiles) as refused:
        embedded_files(b"%PDF-1.7\nnot a pdf at all", "data.json")
    assert refused.value.reason
    assert str(refused.value).startswith(f"PDF 文件的附件无法读取：{refused.value.reason}")
