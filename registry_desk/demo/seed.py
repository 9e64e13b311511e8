"""The demo's seeding of a database opened at start-up (bootstrap.open_database's `seed`): the demo register
and cases into an empty database, and the demo accounts. The entry points pass it where the demo is wanted."""

from __future__ import annotations

import logging

from registry_desk.bootstrap import Seeded
from registry_desk.config import Settings
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage.database import Database


def seed_demo(db: Database, settings: Settings) -> Seeded:
    """Loads the demo data set into an empty database (with its cases) and makes the demo accounts it lacks."""
    from registry_desk.demo import demo_data
    from registry_desk.demo import demo_users

    loaded = False
    if demo_data.is_empty(db):
        demo_data.load_demo(db)
        loaded = True
        _seed_demo_cases(db, settings)
    accounts = demo_users.ensure_demo_accounts(db, settings.data_dir, SYSTEM)
    return Seeded(loaded, accounts)


def _seed_demo_cases(db: Database, settings: Settings) -> None:
    """A fresh demo counter shows cases in every state, and two banks' sealed mortgage contracts wait in
    bank_inbox for F6. A refusal here (a year whose holidays are not confirmed yet, so no due date can be
    computed) leaves the register without demo cases, not unusable."""
    from registry_desk.domain.errors import DomainError
    from registry_desk.domain.clock import local_date
    from registry_desk.kernel.context import utc_now
    from registry_desk.demo.demo_cases import seed_demo_cases

    try:
        seed_demo_cases(db, settings, today=local_date(utc_now()))
    except DomainError as error:
        logging.getLogger(__name__).warning("演示业务未生成：%s", error)
    from registry_desk.demo.demo_contracts import deliver_demo_contracts

    try:
        deliver_demo_contracts(db, settings, today=local_date(utc_now()))
    except (DomainError, OSError) as error:
        logging.getLogger(__name__).warning("演示银行抵押合同未生成：%s", error)
