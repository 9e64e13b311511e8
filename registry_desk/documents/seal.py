"""Electronic seals (电子签章): PAdES sealing behind `Sealer`, drawing a seal image, offline verification."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.images import pil_image
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from registry_desk.documents.pki import (
    SealIdentity,
    TrustStore,
    subject_organisation,
    subject_uscc,
)
from registry_desk.domain.errors import ValidationError

PAYLOAD_INFO_KEY = "/RegistryDeskPayload"

# 42 mm is the usual diameter of an organisation's official round seal; 1 mm = 72/25.4 pt.
SEAL_DIAMETER_PT = Decimal(42) * 72 / Decimal("25.4")


class Sealer(Protocol):
    """Applies an organisation's electronic seal to a PDF. A national-crypto (SM2) provider would implement this."""

    def seal(
        self,
        pdf: bytes,
        *,
        reason: str,
        location: str = "中卫市",
        field_name: str | None = None,
        payload: str | None = None,
    ) -> bytes: ...


def _to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class PadesSealer:
    """PAdES baseline B-B signatures with pyHanko, in an invisible field (the visible seal is page content).

    With `certify` (an issuing authority's own seal: `for_identity` of a registration agency or a tax
    bureau), a document that carries no signature yet is sealed with a certification signature whose
    DocMDP permits no change at all: what the authority issues is final, and any revision after its seal,
    signed or not, breaks it. With `co_sealed` the certification permits one thing more, the seal of a
    second authority the document names (the fiscal bureau's 财政票据监制章 on a fee bill, after the
    执收单位's seal). A document someone else sealed first (a bank's contract) gets an approval signature
    instead: PDF allows a certification only as the first signature.
    """

    def __init__(
        self,
        cert: x509.Certificate,
        key: ec.EllipticCurvePrivateKey,
        chain: tuple[x509.Certificate, ...] | list[x509.Certificate] = (),
        *,
        certify: bool = False,
        co_sealed: bool = False,
    ) -> None:
        self.certificate = cert
        self.certify = certify
        self.co_sealed = co_sealed
        key_info = asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        signing_cert = _to_asn1_cert(cert)
        # Embedding the chain lets a verifier who holds only the root build the path offline.
        registry = SimpleCertificateStore.from_certs([signing_cert, *(_to_asn1_cert(c) for c in chain)])
        self._signer = signers.SimpleSigner(
            signing_cert=signing_cert, signing_key=key_info, cert_registry=registry
        )

    @classmethod
    def for_identity(cls, identity: SealIdentity, *, co_sealed: bool = False) -> PadesSealer:
        """The seal of `identity`; an issuing authority's certifies what it issues (see above)."""
        certify = identity.issuing and identity.role != "fiscal"  # the 监制章 seals beside the issuer
        return cls(
            identity.certificate,
            identity.private_key,
            identity.chain,
            certify=certify,
            co_sealed=co_sealed and certify,
        )

    def seal(
        self,
        pdf: bytes,
        *,
        reason: str,
        location: str = "中卫市",
        field_name: str | None = None,
        payload: str | None = None,
    ) -> bytes:
        """Returns the PDF with a signature appended as an incremental update.

        `payload` (a verification payload) is written into the document information dictionary in the
        same revision, so the signature covers it.
        """
        writer = _open_incremental(pdf)
        if payload is not None:
            _set_info_entry(writer, PAYLOAD_INFO_KEY, payload)
        certify = self.certify and not _has_signatures(writer)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name or f"Seal-{uuid.uuid4().hex[:10]}",
            reason=reason,
            location=location,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            certify=certify,
            docmdp_permissions=(
                fields.MDPPerm.NO_CHANGES if certify and not self.co_sealed else fields.MDPPerm.FILL_FORMS
            ),
        )
        out = io.BytesIO()
        try:
            signers.PdfSigner(meta, signer=self._signer).sign_pdf(writer, output=out)
        except SigningError as exc:
            raise ValidationError(
                f"文件已由签发机关认证签章，不允许再盖章：{exc}",
                rule="登记机构签发的文件为最终文件，不得修改",
            ) from exc
        return out.getvalue()


def _has_signatures(writer: IncrementalPdfFileWriter) -> bool:
    return any(True for _ in fields.enumerate_sig_fields(writer, filled_status=True))


def _open_incremental(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError) as exc:
        raise ValidationError(f"无法读取 PDF 文件：{exc}", rule="只能对完整的 PDF 文件盖章") from exc


def _set_info_entry(writer: IncrementalPdfFileWriter, key: str, value: str) -> None:
    info_ref = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    if isinstance(info_ref, generic.IndirectObject):
        info = info_ref.get_object()
        info[generic.NameObject(key)] = generic.TextStringObject(value)
        writer.mark_update(info_ref)
    else:
        info = generic.DictionaryObject({generic.NameObject(key): generic.TextStringObject(value)})
        writer.set_info(info)


def embed_payload(pdf: bytes, payload: str) -> bytes:
    """Writes a verification payload into the document information dictionary (an incremental update).

    Prefer `PadesSealer.seal(..., payload=...)`, which does this in the signed revision.
    """
    writer = _open_incremental(pdf)
    _set_info_entry(writer, PAYLOAD_INFO_KEY, payload)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def read_payload(pdf: bytes) -> str | None:
    """The verification payload in the document information dictionary, if any."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        info = reader.trailer_view.get("/Info")
        if info is None:
            return None
        value = info.get_object().get(PAYLOAD_INFO_KEY)
    except (PdfError, ValueError, KeyError, IndexError):
        return None
    return str(value) if value is not None else None


# ---------------------------------------------------------------------------------------------------------
# Drawing the seal image into page content


def stamp_seal_image(
    pdf: bytes,
    png: bytes,
    page: int = -1,
    rect: tuple[float | Decimal, float | Decimal, float | Decimal, float | Decimal] | None = None,
) -> bytes:
    """Draws `png` (a transparent seal) into a page's content, as an incremental update.

    `rect` is (x1, y1, x2, y2) in PDF points from the page's lower-left corner; by default a 42 mm
    seal sits in the lower-right area, where a signature block usually is. Draw first, then sign:
    anything added after a signature counts as a modification.
    """
    writer = _open_incremental(pdf)
    try:
        page_ref, resources = writer.find_page_for_modification(page)
    except (PdfError, IndexError) as exc:
        raise ValidationError(
            f"PDF 中没有第 {page + 1 if page >= 0 else page} 页", rule="盖章页码须在文件页数之内"
        ) from exc
    page_obj = page_ref.get_object()
    x1, y1, x2, y2 = _seal_rect(page_obj, rect)

    image = Image.open(io.BytesIO(png))
    image.load()
    if image.mode not in ("RGBA", "RGB", "LA", "L"):
        image = image.convert("RGBA")
    image_ref = pil_image(image, writer)
    name = generic.NameObject(f"/ZWSeal{uuid.uuid4().hex[:8]}")

    # Isolate the existing content in q/Q so a CTM it leaves behind cannot move or skew the seal.
    before = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
    after = writer.add_object(
        generic.StreamObject(
            stream_data=(
                f"Q\nq {_n(x2 - x1)} 0 0 {_n(y2 - y1)} {_n(x1)} {_n(y1)} cm {name} Do Q\n".encode("ascii")
            )
        )
    )
    contents = page_obj.raw_get("/Contents") if "/Contents" in page_obj else None
    existing: list = []
    if contents is not None:
        resolved = contents.get_object()
        if isinstance(resolved, generic.ArrayObject):
            existing = list(resolved)
        else:
            existing = [contents]
    page_obj[generic.NameObject("/Contents")] = generic.ArrayObject([before, *existing, after])

    # A fresh resource dictionary for this page, so resources shared with other pages stay untouched.
    new_resources = generic.DictionaryObject(resources.get_object() if resources is not None else {})
    xobjects = new_resources.get("/XObject")
    new_xobjects = generic.DictionaryObject(xobjects.get_object() if xobjects is not None else {})
    new_xobjects[name] = image_ref
    new_resources[generic.NameObject("/XObject")] = new_xobjects
    page_obj[generic.NameObject("/Resources")] = new_resources
    writer.mark_update(page_ref)

    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _n(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _seal_rect(page_obj, rect) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    if rect is not None:
        x1, y1, x2, y2 = (Decimal(str(v)) for v in rect)
        if x2 <= x1 or y2 <= y1:
            raise ValidationError(f"盖章位置无效：{rect}", rule="盖章区域须有正的宽度和高度")
        return x1, y1, x2, y2
    box = [Decimal(str(v)) for v in page_obj["/MediaBox"]]
    lly, urx = box[1], box[2]
    size = SEAL_DIAMETER_PT
    margin = Decimal(72)  # one inch from the right edge and a little above the bottom margin
    return urx - margin - size, lly + margin, urx - margin, lly + margin + size


# ---------------------------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class SignatureCheck:
    """What a verifier learns about one signature."""

    field_name: str
    signer_org: str
    signer_uscc: str
    signing_time: dt.datetime | None
    intact: bool  # the signed bytes are unchanged and the signature value is valid
    trusted: bool  # the signer chains to a configured root and may sign documents
    covers_whole_document: bool
    later_changes_allowed: bool  # only further signatures were added after this one
    key_usage_ok: bool
    problems: tuple[str, ...] = ()
    certificate: x509.Certificate | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SealReport:
    signatures: tuple[SignatureCheck, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pdf(pdf: bytes, trust: TrustStore) -> SealReport:
    """Checks every signature offline against `trust` (no fetching; missing revocation data is tolerated).

    A revision after a signature is accepted only when it is itself a signature; after the seal of an
    issuing authority (a seal published in the trust folder: what it issues is final) only when every
    later signature is another issuing authority's (the 监制章 beside the 执收单位's seal on a fee bill;
    which authorities a document may carry is `verification.authority_problems`' question), and never when the revision is not signed at all: whatever pyHanko calls such a change (an
    empty signature field "filling a form" can paint another name over the page), the seal no longer
    vouches for what the reader sees.
    """
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = sorted(reader.embedded_signatures, key=lambda e: e.signed_revision)
        total = reader.xrefs.total_revisions
    except (PdfError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        return SealReport(signatures=(), problems=(f"文件已损坏，无法读取签章：{exc}",))
    if not embedded:
        return SealReport(signatures=(), problems=("文件没有电子签章",))

    roots = [_to_asn1_cert(c) for c in trust.roots]
    others = [_to_asn1_cert(c) for c in trust.known_signers]
    signed = {e.signed_revision for e in embedded}
    published = {c.public_bytes(serialization.Encoding.DER) for c in trust.known_signers}
    by_issuer = [_signer_der(e) in published for e in embedded]
    checks: list[SignatureCheck] = []
    for index, sig in enumerate(embedded):
        context = ValidationContext(
            trust_roots=roots, other_certs=others, allow_fetching=False, revocation_mode="soft-fail"
        )
        unsigned_after = any(r not in signed for r in range(sig.signed_revision + 1, total))
        checks.append(
            _check_signature(
                sig,
                context,
                trust,
                unsigned_after=unsigned_after,
                issuers_after=all(by_issuer[index + 1 :]),
            )
        )
    problems = tuple(p for c in checks for p in c.problems)
    return SealReport(signatures=tuple(checks), problems=problems)


def _signer_der(sig) -> bytes | None:
    try:
        return sig.signer_cert.dump()
    except Exception:  # noqa: BLE001 - an unreadable signature is reported by _check_signature
        return None


def _check_signature(
    sig, context: ValidationContext, trust: TrustStore, *, unsigned_after: bool, issuers_after: bool
) -> SignatureCheck:
    name = sig.field_name or "?"
    try:
        status = validate_pdf_signature(sig, context)
    except Exception as exc:  # noqa: BLE001 - any failure to parse a signature means it cannot be relied on
        return SignatureCheck(
            field_name=name,
            signer_org="",
            signer_uscc="",
            signing_time=None,
            intact=False,
            trusted=False,
            covers_whole_document=False,
            later_changes_allowed=False,
            key_usage_ok=False,
            problems=(f"签章「{name}」无法解析：{exc}",),
        )
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    org = subject_organisation(cert)
    uscc = subject_uscc(cert)
    who = f"{org}（{uscc}）" if uscc else org
    intact = bool(status.intact and status.valid)
    usage = status.signing_cert.key_usage_value
    usage_names = set(usage.native) if usage is not None else set()
    key_usage_ok = "non_repudiation" in usage_names
    trusted = bool(status.trusted)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    issuing = any(cert == published for published in trust.known_signers)
    later_ok = whole or (
        (not issuing or issuers_after)
        and not unsigned_after
        and status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
        and status.docmdp_ok is not False
    )

    problems: list[str] = []
    if not intact:
        problems.append(f"文件在盖章后被修改：{who}的签章与文件内容不符")
    elif not later_ok and issuing:
        problems.append(f"文件在盖章后被修改：{who}签发的文件不允许盖章后再作任何修改，文件却又被追加了内容")
    elif not later_ok:
        problems.append(f"文件在盖章后被修改：{who}盖章之后文件又被追加了内容")
    if intact and not trusted:
        if not key_usage_ok:
            problems.append(f"签章证书不能用于签章（缺少不可否认用途）：{who}")
        elif trust.is_empty:
            problems.append(f"签章人不在信任列表中：{who}（未配置信任根证书）")
        else:
            problems.append(f"签章人不在信任列表中：{who}")
    return SignatureCheck(
        field_name=name,
        signer_org=org,
        signer_uscc=uscc,
        signing_time=status.signer_reported_dt,
        intact=intact,
        trusted=trusted and key_usage_ok,
        covers_whole_document=whole,
        later_changes_allowed=later_ok,
        key_usage_ok=key_usage_ok,
        problems=tuple(problems),
        certificate=cert,
    )
