"""E-certificates for the demo register up front (the `ecert seed-demo` command): the units the demo scenarios
use, so that 免提交 can be tried on them without converting them first."""

from __future__ import annotations

from registry_desk.config import Settings
from registry_desk.demo.register_guard import require_demo_register
from registry_desk.domain.codes import RightType
from registry_desk.exemptions.ecert.publish import SEED_ACTION, PublishReport, publish_certificates
from registry_desk.exemptions.ecert.records import EcertStore
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import ecert as ecert_rows
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Certificate


def demo_certificates(session: Session, limit: int | None = None) -> list[Certificate]:
    """Current certificates of the units the demo scenarios use: mortgaged units and presale flats."""
    return ecert_rows.current_certificates_on_units_with(
        session, (RightType.MORTGAGE, RightType.ADVANCE_NOTICE), limit=limit
    )


def seed_demo_ecerts(
    db: Database, settings: Settings, store: EcertStore, *, limit: int | None = None
) -> PublishReport:
    """E-certificates for the demo register's mortgaged units and presale flats (see the report's timing).

    Rendering and sealing cost 0.2-0.5 s per certificate on a 2-core machine (measured: the 174
    certificates of this set in 89 s with the machine busy), so all ~420 current certificates would take
    minutes; run it as a background task after the demo load, pass `limit`, or convert units on demand
    with `backfill_unit_ecerts`. Already-issued ones are skipped, so a second call is quick.
    """

    require_demo_register(db, "生成演示电子证照")

    def certificates(session: Session) -> list[Certificate]:
        return demo_certificates(session, limit)

    return publish_certificates(db, settings, store, certificates, action=SEED_ACTION, record="demo")
