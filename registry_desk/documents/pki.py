"""Demo PKI for electronic seals: a root CA, one seal certificate per organisation, and the trust store."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID

from registry_desk.domain.authorities import Authorities
from registry_desk.domain.errors import ConflictError, NotFound, ValidationError

ROOT_NAME = "中卫市不动产登记演示根证书"
CENTRE_KEY = "centre"  # the seal key of the city's registration agency (authorities.json)
# What a seal holder is: the issuing authorities' seal certificates are published in the trust folder.
AGENCY, TAX, FISCAL, BANK = "agency", "tax", "fiscal", "bank"
ISSUING_ROLES = (AGENCY, TAX, FISCAL)
MANIFEST = "pki.json"
TRUST_DIR = "trust"

# Validity long enough that a demo installation never meets an expired seal.
_ROOT_YEARS = 20
_SEAL_YEARS = 10


class PayloadSigner(Protocol):
    """Signs short byte strings (the QR payload). A national-crypto (SM2/SM3) provider would implement this."""

    @property
    def certificate(self) -> x509.Certificate: ...

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class SealIdentity:
    """One organisation's seal: its certificate, key and the chain up to (and including) the root."""

    key: str
    name: str
    uscc: str
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...]
    role: str = ""  # AGENCY, TAX, FISCAL or BANK

    @property
    def issuing(self) -> bool:
        """An authority that issues documents in its own name (its seal certificate is published)."""
        return self.role in ISSUING_ROLES or (not self.role and self.key == CENTRE_KEY)

    def sign(self, data: bytes) -> bytes:
        """ECDSA P-256 / SHA-256 as the fixed-size r||s (64 bytes), which is shorter than DER for QR codes."""
        der = self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_raw_signature(cert: x509.Certificate, data: bytes, signature: bytes) -> bool:
    """Checks a signature made by `SealIdentity.sign` against the certificate's public key."""
    public_key = cert.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def key_id(cert: x509.Certificate) -> bytes:
    """A short identifier of a seal certificate (6 bytes of SHA-256 over its DER)."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()[:6]


def subject_organisation(cert: x509.Certificate) -> str:
    return _name_attr(cert.subject, NameOID.ORGANIZATION_NAME) or _name_attr(
        cert.subject, NameOID.COMMON_NAME
    )


def subject_uscc(cert: x509.Certificate) -> str:
    return _name_attr(cert.subject, NameOID.SERIAL_NUMBER)


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    attrs = name.get_attributes_for_oid(oid)
    return str(attrs[0].value) if attrs else ""


@dataclass
class DemoPki:
    """The seal identities found in (or just created in) a keys directory."""

    keys_dir: Path
    root: x509.Certificate
    identities: dict[str, SealIdentity]
    created: list[str] = field(default_factory=list)  # what this call made; empty when all existed

    @property
    def centre(self) -> SealIdentity:
        return self.identities[CENTRE_KEY]

    def identity(self, key_or_uscc: str) -> SealIdentity:
        """Finds an organisation's seal by its seed key ("bank-hh") or its USCC."""
        wanted = key_or_uscc.strip()
        for ident in self.identities.values():
            if wanted == ident.key or wanted.upper() == ident.uscc:
                return ident
        known = "、".join(f"{i.key}（{i.name}）" for i in self.identities.values())
        raise NotFound(
            f"没有这个机构的电子印章：{wanted}。已有印章：{known}",
            rule="电子印章须由演示证书体系签发",
            record=wanted,
        )


# ---------------------------------------------------------------------------------------------------------
# Creating and loading


def create_demo_pki(
    keys_dir: Path,
    organisations: Mapping,
    *,
    authorities: Authorities | None = None,
    now: dt.datetime | None = None,
) -> DemoPki:
    """Creates the root CA and one seal per organisation in `keys_dir`; never overwrites what exists.

    With `authorities` (resources/policy/authorities.json) the seals are those of every registration
    agency (the city's under CENTRE_KEY), tax bureau and the fiscal bureau, plus the banks of
    `organisations` (seeds/organisations.json; developers sign on paper at the counter). Without it, the
    seed's `registration_centre` stands for the registering authority (tests that need only one seal).
    Running it again only adds seals for holders that are new. A holder whose name or USCC changed
    (an install made when the centre sealed in its own name) gets a new key beside the old one: a key
    is never overwritten, and documents sealed with the old one still show who sealed them.
    """
    keys_dir = Path(keys_dir)
    now = now or dt.datetime.now(dt.UTC)
    wanted = _seal_holders(organisations, authorities)
    manifest_path = keys_dir / MANIFEST
    created: list[str] = []
    changed = False
    if manifest_path.exists():
        pki = load_pki(keys_dir)
        root_key = _read_key(keys_dir / "ca" / "root-key.pem")
        root = pki.root
        manifest = json.loads(manifest_path.read_text("utf-8"))
    else:
        if (keys_dir / "ca" / "root-key.pem").exists():
            # A root key without its manifest is a half-made or foreign PKI: refuse rather than guess.
            raise ConflictError(
                "密钥目录中已有根证书私钥但缺少清单文件，拒绝覆盖",
                rule="演示证书体系不得覆盖已有密钥",
                record=str(keys_dir),
            )
        _make_private_dir(keys_dir)
        _make_private_dir(keys_dir / "ca")
        _make_private_dir(keys_dir / "seals")
        (keys_dir / TRUST_DIR).mkdir(parents=True, exist_ok=True)
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = _make_root(root_key, now)
        _write_private(keys_dir / "ca" / "root-key.pem", _key_pem(root_key))
        (keys_dir / "ca" / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
        (keys_dir / TRUST_DIR / "demo-root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
        manifest = {"root": "ca/root.pem", "seals": {}}
        created.append("root")

    for org in wanted:
        entry = manifest["seals"].get(org["key"])
        if entry is not None and (entry["name"], entry["uscc"]) == (org["name"], org["uscc"]):
            if entry.get("role") != org["role"]:
                entry["role"] = org["role"]
                changed = True
            continue
        stem = _free_stem(keys_dir, org["key"])
        seal_key = ec.generate_private_key(ec.SECP256R1())
        cert = _make_seal_cert(seal_key, root, root_key, org["name"], org["uscc"], now)
        path = keys_dir / "seals" / stem
        _write_private(path.with_suffix(".key.pem"), _key_pem(seal_key))
        path.with_suffix(".cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        if org["role"] in ISSUING_ROLES:
            # An issuing authority's seal certificate is published with the root so that anyone can
            # check a QR payload offline (the payload carries no certificate, to stay short).
            (keys_dir / TRUST_DIR / f"{stem}-seal.pem").write_bytes(
                cert.public_bytes(serialization.Encoding.PEM)
            )
        manifest["seals"][org["key"]] = {
            "name": org["name"],
            "uscc": org["uscc"],
            "role": org["role"],
            **({"file": stem} if stem != org["key"] else {}),
        }
        created.append(org["key"])

    if created or changed:
        # The manifest is written last: its presence means the PKI is complete.
        tmp = manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(manifest_path)
    pki = load_pki(keys_dir)
    pki.created = created
    return pki


def _free_stem(keys_dir: Path, key: str) -> str:
    """The file stem for a new seal of `key`: the key itself, or key-2, key-3 … beside older keys."""
    stem, n = key, 1
    while (keys_dir / "seals" / f"{stem}.key.pem").exists():
        n += 1
        stem = f"{key}-{n}"
    return stem


def load_pki(keys_dir: Path) -> DemoPki:
    """Loads the seal identities created by `create_demo_pki`."""
    keys_dir = Path(keys_dir)
    manifest_path = keys_dir / MANIFEST
    if not manifest_path.exists():
        raise NotFound(
            "尚未创建电子印章证书，请先运行 registry-desk seal init",
            rule="电子印章须由演示证书体系签发",
            record=str(keys_dir),
        )
    manifest = json.loads(manifest_path.read_text("utf-8"))
    root = x509.load_pem_x509_certificate((keys_dir / manifest["root"]).read_bytes())
    identities: dict[str, SealIdentity] = {}
    for key, info in manifest["seals"].items():
        stem = keys_dir / "seals" / info.get("file", key)
        cert = x509.load_pem_x509_certificate(stem.with_suffix(".cert.pem").read_bytes())
        identities[key] = SealIdentity(
            key=key,
            name=info["name"],
            uscc=info["uscc"],
            certificate=cert,
            private_key=_read_key(stem.with_suffix(".key.pem")),
            chain=(root,),
            role=info.get("role", AGENCY if key == CENTRE_KEY else BANK),
        )
    return DemoPki(keys_dir=keys_dir, root=root, identities=identities)


def _seal_holders(organisations: Mapping, authorities: Authorities | None) -> list[dict]:
    if authorities is None:
        centre = dict(organisations["registration_centre"])
        centre["key"] = CENTRE_KEY
        holders = [{**centre, "role": AGENCY}]
    else:
        holders = [
            {"key": a.seal_key, "name": a.name, "uscc": a.uscc, "role": AGENCY} for a in authorities.agencies
        ]
        holders += [
            {"key": t.key, "name": t.name, "uscc": t.uscc, "role": TAX} for t in authorities.tax_bureaus
        ]
        f = authorities.fiscal_bureau
        holders.append({"key": f.key, "name": f.name, "uscc": f.uscc, "role": FISCAL})
    holders += [{**b, "role": BANK} for b in organisations.get("banks", [])]
    for org in holders:
        for needed in ("key", "name", "uscc"):
            if not org.get(needed):
                raise ValidationError(
                    f"机构资料缺少“{needed}”，无法签发电子印章",
                    rule="印章证书须载明机构名称和统一社会信用代码",
                    record=str(org.get("name") or org.get("key") or "?"),
                )
    return holders


def _make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL: a key file is never overwritten; the mode is set at creation so it is never world-readable.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    # Unencrypted because this is a demo PKI; production seals live in a token or HSM behind PayloadSigner.
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _read_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValidationError("印章私钥不是 ECDSA 密钥", rule="电子印章算法 ECDSA P-256", record=str(path))
    return key


def _base_name(org: str, cn: str, uscc: str | None = None) -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "宁夏回族自治区"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "中卫市"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ]
    if uscc:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc))
    return x509.Name(attrs)


def _make_root(key: ec.EllipticCurvePrivateKey, now: dt.datetime) -> x509.Certificate:
    name = _base_name(ROOT_NAME, ROOT_NAME)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * _ROOT_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def issue_seal_certificate(
    seal_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    org_name: str,
    uscc: str,
    now: dt.datetime,
    *,
    non_repudiation: bool = True,
) -> x509.Certificate:
    """A seal certificate (O = organisation, serialNumber = USCC). Public so tests can make odd ones."""
    return _make_seal_cert(seal_key, issuer, issuer_key, org_name, uscc, now, non_repudiation=non_repudiation)


def make_root_certificate(key: ec.EllipticCurvePrivateKey, now: dt.datetime) -> x509.Certificate:
    """A self-signed root like the demo root (tests use it to make a second, unknown root)."""
    return _make_root(key, now)


def _make_seal_cert(
    seal_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    org_name: str,
    uscc: str,
    now: dt.datetime,
    *,
    non_repudiation: bool = True,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(_base_name(org_name, f"{org_name}电子印章", uscc))
        .issuer_name(issuer.subject)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * _SEAL_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # PDF signature validators require non-repudiation (contentCommitment) on a signer.
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=non_repudiation,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .sign(issuer_key, hashes.SHA256())
    )


# ---------------------------------------------------------------------------------------------------------
# Trust


@dataclass(frozen=True)
class TrustStore:
    """The roots a verifier trusts, plus seal certificates published beside them (for QR payloads)."""

    roots: tuple[x509.Certificate, ...] = ()
    known_signers: tuple[x509.Certificate, ...] = ()
    source: str = ""

    @classmethod
    def load(cls, keys_dir: Path, *extra_dirs: Path) -> TrustStore:
        """Reads every PEM certificate in `keys_dir/trust/` (and in `extra_dirs`); a missing folder is empty."""
        certs: list[x509.Certificate] = []
        folders = [Path(keys_dir) / TRUST_DIR, *map(Path, extra_dirs)]
        for folder in folders:
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in (".pem", ".crt", ".cer") and path.is_file():
                    try:
                        certs.extend(x509.load_pem_x509_certificates(path.read_bytes()))
                    except ValueError as exc:
                        raise ValidationError(
                            f"信任目录中的证书文件无法读取：{path.name}",
                            rule="信任目录只放 PEM 格式的证书",
                            record=str(path),
                        ) from exc
        return cls.from_certificates(certs, source="；".join(str(f) for f in folders))

    @classmethod
    def from_certificates(cls, certs: Iterable[x509.Certificate], source: str = "") -> TrustStore:
        roots: list[x509.Certificate] = []
        others: list[x509.Certificate] = []
        for cert in certs:
            (roots if _is_self_signed_ca(cert) else others).append(cert)
        store = cls(roots=tuple(roots), source=source)
        # A published seal certificate counts only if one of our roots issued it.
        signers = tuple(c for c in others if store.issuing_root(c) is not None)
        return cls(roots=tuple(roots), known_signers=signers, source=source)

    @property
    def is_empty(self) -> bool:
        return not self.roots

    def issuing_root(self, cert: x509.Certificate) -> x509.Certificate | None:
        """The trusted root that directly signed `cert`, if any (our PKI has no intermediates)."""
        for root in self.roots:
            if root.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(root)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return root
        return None


def _is_self_signed_ca(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
