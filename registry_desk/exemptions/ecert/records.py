"""What the e-certificate store keeps about one e-certificate (EcertRecord) and the store's interface."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from registry_desk.domain.certificates import parse_certificate_number
from registry_desk.domain.codes import CertificateKind, CertificateStatus, IdType
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.identifiers import (
    ECERT_TYPE_LABELS,
    ECERT_TYPE_REGISTRATION_PROOF,
    ECERT_TYPE_RIGHT_CERTIFICATE,
    make_ecert_id,
    parse_ecert_id,
)

# 颁发机构代码 in the 电子证照标识: we use the 6-digit GB/T 2260 area code of 中卫市 rather than the
# centre's USCC. The verified national example for 不动产登记证明 (REFERENCE §5, issuer "340100") does the
# same, it keeps the identifier short enough for the certificate's footer line, and it stays valid if the
# registration centre is reorganised and gets a new USCC (the certificates' issuing area does not change).
ECERT_ISSUER_CODE = "640500"
ECERT_VERSION = 1

_TYPE_BY_KIND = {
    CertificateKind.RIGHT_CERTIFICATE: ECERT_TYPE_RIGHT_CERTIFICATE,
    CertificateKind.REGISTRATION_PROOF: ECERT_TYPE_REGISTRATION_PROOF,
}
_KIND_BY_TYPE = {code: kind for kind, code in _TYPE_BY_KIND.items()}


def ecert_type_code(kind: CertificateKind) -> str:
    """证照类型代码 of a certificate kind: 不动产权证 …001, 不动产登记证明 …022."""
    return _TYPE_BY_KIND[CertificateKind(kind)]


def ecert_id_for_certificate(number: str) -> str:
    """The 电子证照标识 of a certificate, derived from its number so it is the same on every retry.

    The serial (证照编号) is the year followed by the 7-digit sequence of the number, e.g.
    宁(2024)中卫市不动产证明第0001224号 → 20240001224 (the form of the verified example 20230000403).
    """
    parsed = parse_certificate_number(number)
    serial = f"{parsed.year}{parsed.seq:07d}"
    return make_ecert_id(ecert_type_code(parsed.kind), ECERT_ISSUER_CODE, serial, ECERT_VERSION)


@dataclass(frozen=True)
class EcertHolder:
    """A right holder named on the e-certificate, with the 证件类型代码 used in e-licence data."""

    name: str
    id_type: str  # 111 公民身份号码, 001 统一社会信用代码, 414 护照 …
    id_number: str

    @property
    def id_type_label(self) -> str:
        return next((t.label for t in IdType if t.value == self.id_type), f"证件类型{self.id_type}")


@dataclass(frozen=True)
class EcertRecord:
    """One e-certificate as the store knows it; `holder` is the 持证人, `co_holders` the other right holders."""

    ecert_id: str  # 电子证照标识
    number: str  # 证号
    holder: EcertHolder
    unit_number: str  # 不动产单元号
    issued_on: dt.date
    status: CertificateStatus = CertificateStatus.CURRENT
    co_holders: tuple[EcertHolder, ...] = ()
    issuer_name: str = ""  # 颁发机构名称
    sha256: str = ""  # of the sealed PDF; the store fills it in on issue
    cancelled_on: dt.date | None = None
    cancel_reason: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)  # e.g. 坐落, for display only

    def __post_init__(self) -> None:
        parsed = parse_ecert_id(self.ecert_id)  # refuses a wrong check character
        if parsed.type_code not in ECERT_TYPE_LABELS:
            raise ValidationError(
                f"电子证照标识“{self.ecert_id}”的证照类型代码不是不动产权证或不动产登记证明",
                rule="电子证照库只收不动产权证书和不动产登记证明",
                record=self.ecert_id,
            )
        object.__setattr__(self, "ecert_id", str(parsed))

    @property
    def type_code(self) -> str:
        return parse_ecert_id(self.ecert_id).type_code

    @property
    def type_label(self) -> str:
        return ECERT_TYPE_LABELS[self.type_code]

    @property
    def kind(self) -> CertificateKind:
        return _KIND_BY_TYPE[self.type_code]

    @property
    def holder_name(self) -> str:
        return self.holder.name

    @property
    def holder_id_type(self) -> str:
        return self.holder.id_type

    @property
    def holder_id_number(self) -> str:
        return self.holder.id_number

    @property
    def all_holders(self) -> tuple[EcertHolder, ...]:
        return (self.holder, *self.co_holders)

    @property
    def is_current(self) -> bool:
        return self.status is CertificateStatus.CURRENT

    def held_by(self, id_number: str) -> bool:
        """Whether `id_number` is the 持证人's or a co-holder's (case and spaces ignored)."""
        wanted = id_number.strip().upper()
        return any(h.id_number.strip().upper() == wanted for h in self.all_holders)

    def cancelled(self, reason: str, on: dt.date) -> EcertRecord:
        return replace(self, status=CertificateStatus.CANCELLED, cancel_reason=reason, cancelled_on=on)

    def with_sha256(self, digest: str) -> EcertRecord:
        return replace(self, sha256=digest)

    # -- the JSON kept beside the PDF ------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        def holder(h: EcertHolder) -> dict[str, str]:
            return {"name": h.name, "id_type": h.id_type, "id_number": h.id_number}

        return {
            "ecert_id": self.ecert_id,
            "type_code": self.type_code,
            "type_label": self.type_label,
            "number": self.number,
            "holder": holder(self.holder),
            "co_holders": [holder(h) for h in self.co_holders],
            "unit_number": self.unit_number,
            "issued_on": self.issued_on.isoformat(),
            "status": self.status.value,
            "status_label": self.status.label,
            "issuer_name": self.issuer_name,
            "sha256": self.sha256,
            "cancelled_on": self.cancelled_on.isoformat() if self.cancelled_on else None,
            "cancel_reason": self.cancel_reason,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EcertRecord:
        def holder(d: dict[str, str]) -> EcertHolder:
            return EcertHolder(d["name"], d["id_type"], d["id_number"])

        return cls(
            ecert_id=data["ecert_id"],
            number=data["number"],
            holder=holder(data["holder"]),
            co_holders=tuple(holder(h) for h in data.get("co_holders", ())),
            unit_number=data["unit_number"],
            issued_on=dt.date.fromisoformat(data["issued_on"]),
            status=CertificateStatus(data["status"]),
            issuer_name=data.get("issuer_name", ""),
            sha256=data.get("sha256", ""),
            cancelled_on=dt.date.fromisoformat(data["cancelled_on"]) if data.get("cancelled_on") else None,
            cancel_reason=data.get("cancel_reason", ""),
            extra=dict(data.get("extra") or {}),
        )


class EcertStore(Protocol):
    """The e-certificate store. The local folder implements it; a provincial 电子证照库 service could too."""

    def issue(self, record: EcertRecord, pdf: bytes) -> EcertRecord:
        """Keeps a new e-certificate; returns the record with the PDF's sha256. Refuses an existing id."""
        ...

    def get(self, ecert_id: str) -> EcertRecord:
        """The record, or NotFound."""
        ...

    def find(
        self,
        holder_id_number: str | None = None,
        unit_number: str | None = None,
        number: str | None = None,
        status: CertificateStatus | None = None,
    ) -> list[EcertRecord]:
        """Records matching every given criterion, newest first."""
        ...

    def cancel(self, ecert_id: str, reason: str, at: dt.date) -> EcertRecord:
        """Marks the e-certificate 注销 (idempotent: cancelling a cancelled one changes nothing)."""
        ...

    def pdf(self, ecert_id: str) -> bytes:
        """The sealed PDF as issued."""
        ...
