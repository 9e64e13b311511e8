"""Files embedded in a PDF (its /EmbeddedFiles): how a bank's sealed contract carries its data as JSON.

A file is embedded before the PDF is sealed, so that the seal covers it like the pages; reading one back
comes after the seal was verified. Only `documents/` touches the PDF libraries, so the exemptions ask here.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from registry_desk.domain.errors import ValidationError


class UnreadableEmbeddedFiles(ValidationError):
    """The PDF's embedded files cannot be read (a damaged or non-conforming file); `reason` says what the
    PDF library found."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"PDF 文件的附件无法读取：{reason}", rule="PDF 附件须可读取")
        self.reason = reason


def embed_file(pdf: bytes, name: str, content: bytes) -> bytes:
    """The PDF with `content` embedded as the file `name`."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment(name, content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def embedded_files(pdf: bytes, name: str) -> list[bytes]:
    """The contents of every file embedded under `name` (none, one, or several when a writer repeated it).

    Raises UnreadableEmbeddedFiles when the PDF's file list cannot be read."""
    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        return list(attachments.get(name) or [])
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnreadableEmbeddedFiles(str(exc)) from exc
