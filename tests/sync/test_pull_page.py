"""A pulled page is applied with foreign keys checked at commit: a child may come before its parent, and a row whose
parent has not arrived (or that clashes with a unique value here) waits, kept with a sentence, and is applied with
a later page once it can be; nothing is dropped and nothing stops the pull."""

import itertools

from sqlalchemy import select

from clinicdesk.domain.ids import uuid7
from clinicdesk.domain.sync.hlc import HlcStamp
from clinicdesk.domain.sync.operations import Operation, OpKind
from clinicdesk.store.models import AllergyRow, PatientRow, RoomRow, StaffRow
from clinicdesk.store.models_scheduling import AppointmentRow, ServicePractitionerRow
from clinicdesk.store.outbox import OutboxRow
from clinicdesk.sync.page import UNIQUE_CLASH, apply_page, held_back_changes

NODE = "desk-b"
_ticks = itertools.count(1)


def new_id() -> str:
    return uuid7(unix_ms=1_780_000_000_000 + next(_ticks), random_bytes=bytes(10))


def op(table: str, row_id: str, fields: dict | None = None) -> Operation:
    stamp = HlcStamp(1_780_000_000_000, next(_ticks), NODE)
    kind = OpKind.UPSERT if fields is not None else OpKind.DELETE
    return Operation(new_id(), table, row_id, kind, fields or {}, stamp, NODE)


def patient(centre_id: str, uhid: str) -> dict:
    return {"centre_id": centre_id, "uhid": uhid, "given_name": "Lakshmi", "family_name": "Nair",
            "date_of_birth": "1984-03-09", "sex": "female", "phone": "+919847012345"}


def allergy(patient_id: str) -> dict:
    return {"patient_id": patient_id, "substance": "Sesame oil", "severity": "severe",
            "recorded_at": "2026-11-26T04:30:00+00:00"}


def apply(db, operations):
    with db.session() as session, session.begin():
        return apply_page(session, operations)


def ids(db, row_type) -> set[str]:
    with db.session() as session:
        return set(session.scalars(select(row_type.id)))


def test_a_child_before_its_parent_in_one_page_is_applied(admin_ctx):
    db, centre = admin_ctx.db, admin_ctx.user.centre_id
    patient_id, allergy_id = new_id(), new_id()
    result = apply(db, [op("patient_allergies", allergy_id, allergy(patient_id)),
                        op("patients", patient_id, patient(centre, "KOC-B-000001"))])
    assert result.held_back == () and result.applied == 2
    assert patient_id in ids(db, PatientRow) and allergy_id in ids(db, AllergyRow)


def test_a_row_whose_parent_has_not_come_waits_and_is_applied_with_a_later_page(admin_ctx):
    db, centre = admin_ctx.db, admin_ctx.user.centre_id
    patient_id, allergy_id = new_id(), new_id()
    first = apply(db, [op("patient_allergies", allergy_id, allergy(patient_id))])
    [waiting] = first.held_back
    assert waiting.operation.row_id == allergy_id
    assert waiting.sentence == ("A change to patient allergies waits for the patients record it belongs to, which "
                                "has not reached this device yet.")
    assert allergy_id not in ids(db, AllergyRow)
    with db.session() as session:  # kept in this database (the pull's cursor may move on), never queued to HQ
        assert [h.operation.op_id for h in held_back_changes(session)] == [waiting.operation.op_id]
        assert not session.scalars(select(OutboxRow).where(OutboxRow.table_name == "patient_allergies")).all()
    assert apply(db, []).held_back == first.held_back  # an empty page changes nothing: still waiting

    later = apply(db, [op("patients", patient_id, patient(centre, "KOC-B-000001"))])
    assert later.held_back == ()
    assert allergy_id in ids(db, AllergyRow)
    with db.session() as session:
        assert held_back_changes(session) == []


def test_the_delete_of_a_record_local_rows_still_point_at_waits(admin_ctx):
    from tests.services.scheduling_world import build_world

    world = build_world(admin_ctx)
    appointment = world.book(service="ABH")
    with admin_ctx.db.session() as session:
        booked_room = session.get(AppointmentRow, appointment).room_id
    free_room = world.rooms["Nasya 2"]
    result = apply(admin_ctx.db, [op("rooms", free_room), op("rooms", booked_room)])
    [waiting] = result.held_back
    assert waiting.operation.row_id == booked_room
    assert waiting.sentence == ("A change to rooms is a deletion that waits until the appointments records pointing "
                                "at it are deleted here too.")
    assert free_room not in ids(admin_ctx.db, RoomRow) and booked_room in ids(admin_ctx.db, RoomRow)


def test_a_clash_with_a_unique_value_here_waits_instead_of_stopping_the_pull(admin_ctx):
    db, centre = admin_ctx.db, admin_ctx.user.centre_id
    other_admin = {"centre_id": centre, "username": "admin", "full_name": "Another Admin", "role": "admin",
                   "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA", "active": True}
    patient_id = new_id()
    clash_id = new_id()
    result = apply(db, [op("staff", clash_id, other_admin), op("patients", patient_id, patient(centre, "KOC-B-1"))])
    assert [(h.operation.row_id, h.reason) for h in result.held_back] == [(clash_id, UNIQUE_CLASH)]
    assert patient_id in ids(db, PatientRow) and clash_id not in ids(db, StaffRow)


def test_a_link_row_travels_under_its_joined_key_and_its_delete_is_a_tombstone(admin_ctx):
    from tests.services.scheduling_world import build_world

    world = build_world(admin_ctx)
    service, staff = world.services["ABH"], world.staff["rajan"]
    row_id = f"{service}|{staff}"
    assert apply(admin_ctx.db, [op("service_practitioners", row_id,
                                   {"service_id": service, "staff_id": staff})]).held_back == ()
    with admin_ctx.db.session() as session:
        assert session.get(ServicePractitionerRow, (service, staff)) is not None
    assert apply(admin_ctx.db, [op("service_practitioners", row_id)]).held_back == ()
    with admin_ctx.db.session() as session:
        assert session.get(ServicePractitionerRow, (service, staff)) is None
