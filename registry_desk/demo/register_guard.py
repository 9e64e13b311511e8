"""Demo accounts and demo data go into a demo register only (the register's kind: bootstrap.py's note)."""

from __future__ import annotations

from registry_desk.config import redact_url
from registry_desk.domain.errors import RuleViolation
from registry_desk.kernel.context import utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.hall.users import decide_register_kind, register_is_demo

RULE_DEMO_ONLY = "演示数据与演示账户仅限演示库（register_kind，建库时确定，不可更改）"


def require_demo_register(db: Database, what: str) -> None:
    """Refuses a production register. One never opened by the application (a test's or a load run's fresh
    database, migrated directly) becomes a demo register here: the demo is the first thing put into it."""
    with db.unit_of_work(write=False) as uow:
        demo = register_is_demo(uow.session)
    if demo is None:
        with db.unit_of_work() as uow:
            demo = decide_register_kind(uow.session, True, "演示数据载入", utc_now())
            uow.commit()
    if not demo:
        raise RuleViolation(
            f"数据库 {redact_url(db.url)} 是生产登记簿，不能{what}",
            rule=RULE_DEMO_ONLY,
            record=redact_url(db.url),
        )
