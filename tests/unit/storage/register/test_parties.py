"""storage/register/parties.py: one party row per document, found or created."""

from __future__ import annotations

from datetime import UTC, datetime

from registry_desk.domain.codes import IdType, PartyKind
from registry_desk.storage.register.parties import insert_party_if_absent, party_by_document
from tests.integration.test_case_helpers import rid

NUMBER = rid("19991231", "088")


def _values(name: str) -> dict:
    return {
        "kind": PartyKind.NATURAL,
        "name": name,
        "id_type": IdType.RESIDENT_ID,
        "id_number": NUMBER,
        "address": None,
        "phone": None,
        "legal_rep_name": None,
        "created_at": datetime(2026, 3, 2, tzinfo=UTC),
    }


def test_a_newcomer_is_inserted_once(any_db):
    with any_db.unit_of_work() as uow:
        s = uow.session
        assert party_by_document(s, IdType.RESIDENT_ID, NUMBER) is None
        first = insert_party_if_absent(s, _values("新来者"))
        # A second window registering the same person: the row that stands comes back, unchanged.
        again = insert_party_if_absent(s, _values("别的名字"))
        assert again.id == first.id and again.name == "新来者"
        assert party_by_document(s, IdType.RESIDENT_ID, NUMBER).id == first.id
        assert party_by_document(s, IdType.PASSPORT, NUMBER) is None  # the document kind is part of the key
        uow.commit()
