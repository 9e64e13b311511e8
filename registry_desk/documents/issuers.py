"""Who may seal what: the authority a document names is the one whose seal it carries (REFERENCE §4a).

`verify` (verification.check_document) and the e-certificate check ask `authority_problems`: a certificate is
the agency's competent for its unit, a 完税凭证 its tax bureau's, a fee bill its 执收单位's under the fiscal
bureau's 监制章; a document sealed by another authority fails even when our PKI signed it validly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from registry_desk.documents.pki import subject_organisation, subject_uscc
from registry_desk.documents.seal import SealReport, SignatureCheck
from registry_desk.domain.authorities import Authorities
from registry_desk.domain.errors import NotFound

_WIDTH_MAP = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "　": ""})


def normalise_text(text: str) -> str:
    """Text as compared with a page: whitespace and bracket width ignored (PDF extraction varies in both)."""
    return re.sub(r"\s+", "", text.translate(_WIDTH_MAP))


@dataclass(frozen=True)
class NamedAuthority:
    """An authority a document names, in the role it is named in (登记机构, 征收单位, 执收单位, 监制)."""

    role: str
    name: str
    uscc: str


_CERTIFICATE_KINDS = ("right_certificate", "registration_proof")
_AGENCY_KINDS = ("受理凭证", "不动产登记申请书")
_TAX_KINDS = ("电子完税凭证",)
_FEE_KINDS = ("登记费电子票据", "登记费电子票据（冲红）")


def _shipped_authorities() -> Authorities:
    # Read here as well as in kernel.authorities (which this layer may not import): the same file.
    from registry_desk.resources_path import resource

    with resource("policy", "authorities.json").open(encoding="utf-8") as fh:
        return Authorities.from_policy(json.load(fh))


def _by_uscc(authorities: Authorities, uscc: str) -> tuple[str, str] | None:
    """(kind of authority, name) of the agency, tax bureau or fiscal bureau with this USCC."""
    for agency in authorities.agencies:
        if agency.uscc == uscc:
            return "agency", agency.name
    for bureau in authorities.tax_bureaus:
        if bureau.uscc == uscc:
            return "tax", bureau.name
    if authorities.fiscal_bureau.uscc == uscc:
        return "fiscal", authorities.fiscal_bureau.name
    return None


def authority_name(uscc: str, authorities: Authorities | None = None) -> str:
    """The name of the authority with this USCC, for a reader ("" when it is none of ours)."""
    found = _by_uscc(authorities or _shipped_authorities(), uscc)
    return found[1] if found else ""


def named_authorities(
    fields: Mapping[str, Any], authorities: Authorities
) -> tuple[tuple[NamedAuthority, ...], tuple[str, ...]]:
    """The authorities a document names (the issuer first) and what is wrong with the naming itself.

    * 不动产权证书 and 不动产登记证明: the agency competent for the unit (《不动产登记暂行条例》第七条);
    * 受理凭证, 申请书: the agency named as issuer (跨县通办: the accepting one), else the unit's;
    * 电子完税凭证: the tax bureau named as 征收单位;
    * 登记费电子票据: the agency as 执收单位, and the fiscal bureau whose 财政票据监制章 it carries
      (《财政票据管理办法》第九条).
    A document of another kind names only its issuer, if its payload says who that is."""
    kind = str(fields.get("kind") or "")
    issuer_uscc = str(fields.get("issuer") or "")
    issuer = _by_uscc(authorities, issuer_uscc) if issuer_uscc else None
    problems: list[str] = []
    if issuer_uscc and issuer is None:
        problems.append(
            f"验真码载明的签发机关（统一社会信用代码 {issuer_uscc}）不是本市的登记机构、税务机关或财政部门"
        )
    wanted_kind, role = {
        **dict.fromkeys(_CERTIFICATE_KINDS, ("agency", "登记机构")),
        **dict.fromkeys(_AGENCY_KINDS, ("agency", "受理机构")),
        **dict.fromkeys(_TAX_KINDS, ("tax", "征收单位")),
        **dict.fromkeys(_FEE_KINDS, ("agency", "执收单位")),
    }.get(kind, ("", "签发机关"))
    label = _kind_label(kind)
    if issuer is not None and wanted_kind and issuer[0] != wanted_kind:
        what = {"agency": "不动产登记机构", "tax": "税务机关"}[wanted_kind]
        problems.append(f"{label}须由{what}签发，验真码载明的签发机关却是{issuer[1]}（{issuer_uscc}）")
        return (), tuple(problems)
    named: list[NamedAuthority] = []
    if issuer is not None:
        named.append(NamedAuthority(role, issuer[1], issuer_uscc))
    if kind in _CERTIFICATE_KINDS or (kind in _AGENCY_KINDS and issuer is None):
        unit = str(fields.get("unit_number") or "")
        try:
            competent = authorities.agency_for_county(unit[:6])
        except NotFound as exc:
            problems.append(f"{label}的不动产单元号 {unit} 不在本市任何登记机构的辖区内：{exc}")
            return (), tuple(problems)
        if kind in _CERTIFICATE_KINDS and issuer is not None and issuer_uscc != competent.uscc:
            problems.append(
                f"不动产单元 {unit} 由{competent.name}登记发证（《不动产登记暂行条例》第七条），"
                f"本{label}却载明由{issuer[1]}签发"
            )
        if issuer is None:
            named.append(NamedAuthority(role, competent.name, competent.uscc))
    if kind in _TAX_KINDS and issuer is None:
        problems.append(f"{label}的验真码没有载明征收单位，无法核对盖章的税务机关")
    if kind in _FEE_KINDS:
        fiscal = authorities.fiscal_bureau
        named.append(NamedAuthority("监制", fiscal.name, fiscal.uscc))
    return tuple(named), tuple(problems)


def _kind_label(kind: str) -> str:
    from registry_desk.domain.codes import CertificateKind

    try:
        return CertificateKind(kind).label
    except ValueError:
        return kind or "文件"


def _who(sig: SignatureCheck) -> str:
    org = sig.signer_org or "未知机构"
    return f"{org}（{sig.signer_uscc}）" if sig.signer_uscc else org


def _is(sig: SignatureCheck, authority: NamedAuthority) -> bool:
    return sig.signer_uscc == authority.uscc and sig.signer_org == authority.name


def authority_problems(
    fields: Mapping[str, Any],
    signer: x509.Certificate | None,
    seals: SealReport,
    authorities: Authorities | None = None,
    document_text: str | None = None,
) -> list[str]:
    """The signer is the authority the document names: each named authority sealed it, nobody else did,
    the payload (`fields`, signed by `signer`) is the issuer's, and (given the page text) the page prints each name. A document sealed
    by another authority fails even when our PKI signed it validly, with both names in the message."""
    authorities = authorities or _shipped_authorities()
    named, problems = named_authorities(fields, authorities)
    found = list(problems)
    if not named:
        return found
    label = _kind_label(str(fields.get("kind") or ""))
    sealers = [s for s in seals.signatures if s.signer_org or s.signer_uscc]
    sealed_by = "、".join(dict.fromkeys(_who(s) for s in sealers)) or "无人"
    for authority in named:
        if not any(_is(s, authority) for s in sealers):
            found.append(
                f"{label}载明的{authority.role}为{authority.name}（{authority.uscc}），却由{sealed_by}盖章："
                f"盖章机构与文件所载机关不一致，本件不是{authority.name}签发的{label}"
            )
    roles = "、".join(f"{a.role}{a.name}" for a in named)
    for sig in sealers:
        if not any(_is(sig, a) for a in named):
            found.append(f"{label}另有{_who(sig)}的签章，该机构不是文件载明的{roles}")
    issuer = named[0]
    if signer is not None:
        if (subject_organisation(signer), subject_uscc(signer)) != (issuer.name, issuer.uscc):
            found.append(
                f"验真码由{subject_organisation(signer)}（{subject_uscc(signer)}）签发，"
                f"{label}载明的{issuer.role}却是{issuer.name}（{issuer.uscc}）"
            )
    if document_text is not None:
        page = normalise_text(document_text)
        for authority in named:
            if normalise_text(authority.name) not in page:
                found.append(f"{label}的页面上没有印出{authority.role}“{authority.name}”")
    return found
