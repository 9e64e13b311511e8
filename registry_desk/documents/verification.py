"""The verification payload (验真码) printed as a QR code: key fields signed by the issuer, checkable offline.

Format: ``ZWBDC1.<kid>.<body>.<signature>``, all base64url without padding, where
* ``kid`` is 6 bytes of SHA-256 over the signer's certificate (which seal signed, without the certificate),
* ``body`` is the canonical JSON of the fields (UTF-8, sorted keys, no spaces), raw-deflated when that
  is shorter (then prefixed with ``~``, which base64url never produces),
* ``signature`` is ECDSA P-256/SHA-256 as r||s over the ASCII text ``ZWBDC1.<kid>.<body>``.
The verifier needs only the seal certificate published beside the trusted root (keys/trust/).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json
import re
import signal
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cryptography import x509

from registry_desk.documents.pki import (
    PayloadSigner,
    TrustStore,
    key_id,
    subject_organisation,
    verify_raw_signature,
)
from registry_desk.documents.issuers import authority_name, authority_problems, normalise_text
from registry_desk.documents.seal import SealReport, read_payload, verify_pdf
from registry_desk.domain.authorities import Authorities
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.money import Money

PREFIX = "ZWBDC1"
# At error-correction level M a version-15 QR holds 412 bytes; staying below 400 keeps the code small
# enough to scan from a printed certificate with a phone.
MAX_PAYLOAD_CHARS = 400
# What a verifier accepts before reading further: a payload's body inflates to a few hundred bytes, and an
# issued document is well under a megabyte (a 不动产权证书 with its seal is about 100 KB).
MAX_BODY_BYTES = 16 * 1024
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
VERIFY_SECONDS = 30

# Labels for the fields certificates usually carry, for messages a clerk or citizen can read.
FIELD_LABELS = {
    "kind": "证书种类",
    "number": "证号",
    "unit_number": "不动产单元号",
    "holders": "权利人",
    "issued_on": "发证日期",
    "location": "坐落",
    "right_type": "权利类型",
    "area": "面积",
    "ecert_id": "电子证照标识",
    "case_number": "业务号",
    "status": "证书状态",
    "status_on": "状态变更日期",
    "accepted_on": "受理日期",
    "amount": "金额（元）",
    "bill_code": "票据代码",
    "check_code": "校验码",
    "issuer": "签发机关",
}
# Fields the payload carries that the page prints in another form (the issuer as its name, not its USCC).
_NOT_PRINTED_AS_IS = frozenset({"issuer"})

# What offline verification cannot know, said every time it verifies a certificate.
OFFLINE_LIMIT = (
    "离线核验只能证明本件打印时的内容与状态，不能知道打印之后的注销、更正或查封；"
    "确认现状请用 registry-desk verify --database-url … 查询登记簿"
)


@dataclass(frozen=True)
class VerifiedPayload:
    fields: dict[str, Any]
    signer_org: str
    ok: bool
    problem: str = ""
    signer: x509.Certificate | None = field(default=None, repr=False, compare=False)


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Checks and normalises the fields: text, whole numbers, booleans, dates and lists of text only.

    Floats are refused (amounts and areas travel as their printed text), dates become ISO strings.
    """
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if not isinstance(key, str) or not key:
            raise ValidationError(f"验真码字段名无效：{key!r}", rule="验真码字段名须为文字")
        out[key] = _canonical_value(key, value)
    return out


def _canonical_value(key: str, value: Any) -> Any:
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical_value(key, v) for v in value]
    if isinstance(value, Decimal | Money):
        return str(value)
    raise ValidationError(
        f"验真码字段“{FIELD_LABELS.get(key, key)}”的值类型不受支持：{type(value).__name__}",
        rule="验真码只含文字、整数、日期",
        record=key,
    )


def _encode_body(fields: Mapping[str, Any]) -> str:
    raw = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(raw) + compressor.flush()
    plain = _b64e(raw)
    deflated = "~" + _b64e(packed)
    return deflated if len(deflated) < len(plain) else plain


def _decode_body(body: str) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise ValueError("body too long")
    if body.startswith("~"):
        # Inflated within a bound, before the signature is checked: a few kilobytes of deflate can
        # otherwise ask for gigabytes.
        inflater = zlib.decompressobj(-15)
        raw = inflater.decompress(_b64d(body[1:]), MAX_BODY_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("body inflates beyond the bound")
    else:
        raw = _b64d(body)
    value = json.loads(raw.decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError("body is not an object")
    return value


def make_payload(fields: Mapping[str, Any], signer: PayloadSigner) -> str:
    """Signs `fields` (e.g. kind, number, unit_number, holders, issued_on) into the QR text."""
    canonical = canonical_fields(fields)
    signed_part = f"{PREFIX}.{_b64e(key_id(signer.certificate))}.{_encode_body(canonical)}"
    text = f"{signed_part}.{_b64e(signer.sign(signed_part.encode('ascii')))}"
    if len(text) > MAX_PAYLOAD_CHARS:
        raise ValidationError(
            f"验真码过长（{len(text)} 个字符，上限 {MAX_PAYLOAD_CHARS}），请减少写入二维码的字段",
            rule="二维码按 M 级纠错须能清晰打印",
            record=str(canonical.get("number", "")),
        )
    return text


def verify_payload(
    text: str, trust: TrustStore, extra_certs: Iterable[x509.Certificate] = ()
) -> VerifiedPayload:
    """Checks a scanned or embedded payload offline.

    The signer is looked up among the seal certificates published in the trust store and `extra_certs`
    (e.g. the certificates of the PDF's signatures); either way it must have been issued by a trusted root.
    """
    text = text.strip()
    parts = text.split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        return VerifiedPayload({}, "", False, "这不是本系统签发的验真码")
    _, kid_text, body, sig_text = parts
    try:
        fields = _decode_body(body)
        kid = _b64d(kid_text)
        signature = _b64d(sig_text)
    except (ValueError, binascii.Error, zlib.error, UnicodeDecodeError):
        return VerifiedPayload({}, "", False, "验真码格式错误，无法读取")

    candidates = list(trust.known_signers) + [c for c in extra_certs if trust.issuing_root(c) is not None]
    signer = next((c for c in candidates if key_id(c) == kid), None)
    if signer is None:
        return VerifiedPayload(fields, "", False, "验真码的签章人不在信任列表中")
    org = subject_organisation(signer)
    if not verify_raw_signature(signer, f"{PREFIX}.{kid_text}.{body}".encode("ascii"), signature):
        return VerifiedPayload(fields, org, False, "验真码签名不符，内容可能被篡改", signer)
    return VerifiedPayload(fields, org, True, "", signer)


def verify_document_payload(text: str, seals: SealReport, trust: TrustStore) -> VerifiedPayload:
    """The payload of a sealed document, with the two rules a payload alone cannot show:

    * its signer is an issuing authority whose seal certificate is published in the trust folder (the
      agencies', tax bureaus', fiscal bureau's): a bank's seal chains to the same root and is trusted on
      contracts, but a bank cannot issue a 不动产权证书;
    * the document is sealed with that same seal: a genuine payload copied onto a page someone else sealed
      is not the certificate it describes.
    """
    payload = verify_payload(text, trust)
    if not payload.ok:
        sealers = [s.certificate for s in seals.signatures if s.trusted and s.certificate is not None]
        by_sealer = verify_payload(text, trust, extra_certs=sealers) if sealers else payload
        if by_sealer.ok:
            return VerifiedPayload(
                by_sealer.fields,
                by_sealer.signer_org,
                False,
                f"验真码由“{by_sealer.signer_org}”签发，该机构不是信任目录中公布的发证机关，"
                "其签发的验真码不能证明不动产登记证书或证明",
                by_sealer.signer,
            )
        return payload
    assert payload.signer is not None
    if seals.signatures:
        sealed_by = {key_id(s.certificate) for s in seals.signatures if s.certificate is not None}
        if key_id(payload.signer) not in sealed_by:
            orgs = "、".join(dict.fromkeys(s.signer_org or "未知机构" for s in seals.signatures))
            return VerifiedPayload(
                payload.fields,
                payload.signer_org,
                False,
                f"文件由“{orgs}”盖章，验真码却由“{payload.signer_org}”签发：盖章机构与发证机关不一致，"
                "验真码可能是从其他证书复制的",
                payload.signer,
            )
    return payload


# ---------------------------------------------------------------------------------------------------------
# Comparing the payload with what the document shows

_normalise_text = normalise_text  # whitespace and bracket width ignored (documents/issuers.py)


def _printed_forms(key: str, value: Any) -> list[str]:
    text = str(value)
    forms = [text]
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        y, m, d = match.groups()
        forms += [f"{y}年{int(m)}月{int(d)}日", f"{y}年{m}月{d}日"]
    if key == "kind":
        from registry_desk.domain.codes import CertificateKind

        try:
            forms.append(CertificateKind(text).label)
        except ValueError:
            pass
    if key == "status":
        from registry_desk.domain.codes import CertificateStatus

        try:
            forms = [f"已{CertificateStatus(text).label}"]  # the page must say so, not only carry the code
        except ValueError:
            pass
    return [_normalise_text(f) for f in forms]


def status_notes(fields: Mapping[str, Any]) -> list[str]:
    """What a verified certificate's payload says about its status when it was printed (nothing for a
    receipt or a form: they have no status in the register)."""
    if "kind" not in fields:
        return []
    from registry_desk.domain.codes import CertificateKind, CertificateStatus

    try:
        kind = CertificateKind(str(fields["kind"])).label
    except ValueError:
        return []
    status = fields.get("status")
    if status is None:
        stated = f"打印时该{kind}为现势"
    else:
        try:
            label = CertificateStatus(str(status)).label
        except ValueError:
            label = str(status)
        when = f"（{fields['status_on']}）" if fields.get("status_on") else ""
        stated = f"打印时该{kind}已{label}{when}：本件仅供查档，不能证明现有权利"
    return [stated, OFFLINE_LIMIT]


def payload_mismatches(fields: Mapping[str, Any], document_text: str) -> list[str]:
    """Fields of the payload that the document's text does not show (each as a Chinese sentence).

    Whitespace and bracket width are ignored, since PDF text extraction and printing vary in both.
    """
    page = _normalise_text(document_text)
    problems: list[str] = []
    for key, value in fields.items():
        if key in _NOT_PRINTED_AS_IS:
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None or item == "":
                continue
            if not any(form in page for form in _printed_forms(key, item)):
                label = FIELD_LABELS.get(key, key)
                problems.append(f"验真码中的{label}“{item}”与文件内容不符")
    return problems


# ---------------------------------------------------------------------------------------------------------
# What a citizen reads: labels, names and Beijing time, never the payload's keys or UTC


def beijing_time_text(moment: dt.datetime) -> str:
    """e.g. 2026年12月04日 10:21:05 北京时间 (a naive time is taken as UTC, as the signature carries it)."""
    from registry_desk.domain.clock import CHINA_TZ

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA_TZ).strftime("%Y年%m月%d日 %H:%M:%S") + " 北京时间"


def _date_text(value: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    return f"{match[1]}年{match[2]}月{match[3]}日" if match else value


# The labels the document itself prints, where they differ by kind from FIELD_LABELS.
_KIND_LABELS: dict[str, dict[str, str]] = {
    "电子完税凭证": {"number": "税票号码", "issued_on": "填发日期", "issuer": "征收单位"},
    "登记费电子票据": {"number": "票据号码", "issued_on": "开票日期", "issuer": "执收单位"},
    "登记费电子票据（冲红）": {"number": "票据号码", "issued_on": "开票日期", "issuer": "执收单位"},
    "受理凭证": {"issuer": "受理机构"},
    "不动产登记申请书": {"issuer": "登记机构", "accepted_on": "收件日期"},
}
# The order a reader expects: what the document is and its number first; the rest as signed.
_READING_ORDER = (
    "kind",
    "number",
    "case_number",
    "bill_code",
    "check_code",
    "issuer",
    "holders",
    "unit_number",
)


def readable_fields(
    fields: Mapping[str, Any], authorities: Authorities | None = None
) -> list[tuple[str, str]]:
    """The payload's fields as (label, text) a reader understands, in reading order: 证书种类 不动产权证书,
    the document's own labels (税票号码 on a 完税凭证), dates in 年月日, the issuer by name, a status by its
    word."""
    from registry_desk.domain.codes import CertificateKind, CertificateStatus

    kind = str(fields.get("kind") or "")
    labels = {**FIELD_LABELS, **_KIND_LABELS.get(kind, {})}
    keys = [k for k in _READING_ORDER if k in fields] + [k for k in fields if k not in _READING_ORDER]
    rows: list[tuple[str, str]] = []
    for key in keys:
        value = fields[key]
        label = labels.get(key, key)
        if isinstance(value, list):
            text = "、".join(map(str, value))
        else:
            text = "" if value is None else str(value)
        if key == "kind":
            try:
                text = CertificateKind(text).label
            except ValueError:
                label = "文件种类"
        elif key == "status":
            try:
                text = CertificateStatus(text).label
            except ValueError:
                pass
        elif key == "issuer":
            name = authority_name(text, authorities)
            text = f"{name}（统一社会信用代码 {text}）" if name else f"未知机关（统一社会信用代码 {text}）"
        else:
            text = _date_text(text)
        rows.append((label, text))
    return rows


# ---------------------------------------------------------------------------------------------------------
# Checking a whole document: seals, the embedded payload, the printed text and the QR image


@dataclass(frozen=True)
class DocumentReport:
    """Everything `registry-desk verify` tells a reader about one PDF."""

    seals: SealReport
    payload: VerifiedPayload | None  # None when the document carries no payload (e.g. a bank contract)
    qr_texts: tuple[str, ...] | None  # None when QR decoding was not available
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def document_text(pdf: bytes) -> str:
    """The text of every page, as a PDF reader extracts it (for comparing with the payload)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def qr_texts_in(pdf: bytes) -> tuple[str, ...] | None:
    """Texts of the QR codes drawn on the pages as images; None if zxing-cpp is not installed.

    Our renderers draw the QR as a PNG image, so decoding the embedded images is enough and needs
    no PDF renderer; pypdfium2, when present, covers QR codes drawn as vectors.
    """
    try:
        import zxingcpp
    except ImportError:
        return None
    from pypdf import PdfReader

    texts: list[str] = []
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for picture in page.images:
            image = picture.image
            if image is None:
                continue
            for code in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode):
                texts.append(code.text)
    if not texts:
        texts.extend(_qr_texts_rendered(pdf, zxingcpp))
    return tuple(texts)


def _qr_texts_rendered(pdf: bytes, zxingcpp: Any) -> list[str]:
    try:
        import pypdfium2
    except ImportError:
        return []
    texts: list[str] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            bitmap = document[index].render(scale=150 / 72)
            image = bitmap.to_pil().convert("L")
            texts.extend(
                code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
            )
    finally:
        document.close()
    return texts


def visible_annotations(pdf: bytes) -> list[str]:
    """The annotations that draw something on a page (a field or note with an appearance and an area).

    A reader sees them, but the page text compared with the payload does not include them: an empty
    signature field's appearance can paint another name over 权利人. The registry draws everything it
    issues into the page content (its seal's field is invisible), so an issued document carries none."""
    from pypdf import PdfReader

    found: list[str] = []
    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages, start=1):
        for ref in page.get("/Annots") or ():
            annotation = ref.get_object()
            if "/AP" not in annotation:
                continue
            x1, y1, x2, y2 = (Decimal(str(v)) for v in annotation.get("/Rect", (0, 0, 0, 0)))
            if abs(x2 - x1) * abs(y2 - y1) == 0:
                continue
            name = annotation.get("/T") or annotation.get("/Subtype") or "?"
            found.append(f"第{number}页“{name}”")
    return found


def claimed_kind(text: str) -> str | None:
    """The certificate kind a document's title claims (its first line of text), if any."""
    from registry_desk.domain.codes import CertificateKind

    first = next((_normalise_text(line) for line in text.splitlines() if line.strip()), "")
    return next((k.label for k in CertificateKind if first.startswith(k.label)), None)


def check_document(pdf: bytes, trust: TrustStore, authorities: Authorities | None = None) -> DocumentReport:
    """Seals, payload signature, payload against the printed text, and the QR image against the payload.

    A 不动产权证书 or 不动产登记证明 is one only with the registration authority's payload; whatever an
    issued document shows outside its page content (an annotation's appearance) is refused. Anyone may
    hand `verify` any file: one that is too large, not a PDF, encrypted, broken or too slow to read gets a
    refusal in the report, never an exception."""
    refusal = _hostile(pdf)
    if refusal is None:
        try:
            with _deadline(VERIFY_SECONDS):
                return _check_document(pdf, trust, authorities)
        except TimeoutError:
            refusal = f"文件过于复杂，{VERIFY_SECONDS} 秒内未能读完，不能核验"
        except Exception as exc:  # noqa: BLE001 - a hostile file may break any parser in any way
            refusal = f"文件已损坏或格式不符，无法读取：{type(exc).__name__}：{str(exc)[:200]}"
    refused = SealReport(signatures=(), problems=(refusal,))
    return DocumentReport(seals=refused, payload=None, qr_texts=None, problems=(refusal,))


def _hostile(pdf: bytes) -> str | None:
    if len(pdf) > MAX_DOCUMENT_BYTES:
        return f"文件过大（{len(pdf) // (1024 * 1024)} MB），超过核验上限 {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB"
    if b"%PDF-" not in pdf[:1024]:
        return "这不是 PDF 文件，无法核验"
    from pypdf import PdfReader

    try:
        encrypted = PdfReader(io.BytesIO(pdf), strict=False).is_encrypted
    except Exception as exc:  # noqa: BLE001 - reported as a broken file, as the parser found it
        return f"文件已损坏或格式不符，无法读取：{type(exc).__name__}：{str(exc)[:200]}"
    if encrypted:
        return "文件已加密：登记机构签发的文件不加密，加密文件无法核验"
    return None


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Raises TimeoutError in the reading thread after `seconds`, where the platform allows it (the main
    thread on Linux and macOS: the `verify` command); elsewhere the size bound above is the only bound."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: Any) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _check_document(pdf: bytes, trust: TrustStore, authorities: Authorities | None) -> DocumentReport:
    seals = verify_pdf(pdf, trust)
    problems = list(seals.problems)
    notes: list[str] = []

    embedded = read_payload(pdf)
    qr_texts = qr_texts_in(pdf)
    ours = [t for t in (qr_texts or ()) if t.startswith(PREFIX + ".")]
    text = embedded if embedded is not None else (ours[0] if ours else None)

    payload: VerifiedPayload | None = None
    printed = document_text(pdf)
    if text is None:
        kind = claimed_kind(printed)
        if kind is not None:
            problems.append(
                f"文件标题为“{kind}”，却没有不动产登记机构签发的验真码：{kind}须由登记机构盖章并带验真码，"
                f"本文件不是有效的{kind}"
            )
        else:
            notes.append("文件不含验真码，只核验了电子签章")
    else:
        payload = verify_document_payload(text, seals, trust)
        if not payload.ok:
            problems.append(payload.problem)
        else:
            problems.extend(payload_mismatches(payload.fields, printed))
            problems.extend(authority_problems(payload.fields, payload.signer, seals, authorities, printed))
            notes.extend(status_notes(payload.fields))
        overlays = visible_annotations(pdf)
        if overlays:
            problems.append(
                f"文件在页面内容之外另有可见的批注或表单外观（{'、'.join(overlays)}）："
                "登记机构签发的文件不含此类内容，页面所见可能与验真码不符"
            )
        if qr_texts is None:
            notes.append("未安装二维码识别组件（zxing-cpp），未核对页面二维码")
        elif embedded is not None and not ours:
            notes.append("页面上未识别到验真二维码")
        elif embedded is not None and embedded not in ours:
            problems.append("页面二维码与文件中的验真码不一致")
    return DocumentReport(
        seals=seals,
        payload=payload,
        qr_texts=qr_texts,
        problems=tuple(problems),
        notes=tuple(notes),
    )
