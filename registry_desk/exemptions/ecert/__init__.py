"""The e-certificate store (电子证照库): issued certificates as sealed PDFs, looked up and verified for 免提交."""

from registry_desk.exemptions.ecert.records import (
    ECERT_ISSUER_CODE,
    EcertHolder,
    EcertRecord,
    EcertStore,
    ecert_id_for_certificate,
    ecert_type_code,
)

__all__ = [
    "ECERT_ISSUER_CODE",
    "EcertHolder",
    "EcertRecord",
    "EcertStore",
    "ecert_id_for_certificate",
    "ecert_type_code",
]
