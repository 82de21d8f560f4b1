"""Prescriptions: quantities from presets, allergy warnings to acknowledge, stock checks and FEFO dispensing."""

from decimal import Decimal as D

import pytest

from clinicdesk.domain.errors import IllegalTransition, ValidationError
from clinicdesk.services import clinical_notes, prescriptions, stock
from clinicdesk.services.consultation_dto import DraftedMedication, PrescriptionLine
from clinicdesk.store.models_consultation import ClinicalNoteRow, PrescriptionItemRow, PrescriptionRow
from clinicdesk.store.models_therapy import StockMovementRow
from tests.services.consultation_matrix import TRIPHALA, ConsultRoom
from tests.services.helpers import audit_rows, count_rows


@pytest.fixture
def room(admin_ctx):
    made = ConsultRoom(admin_ctx)
    made.set_up()
    return made


def _guggulu(room, quantity=None, dispense=True, **extra) -> PrescriptionLine:
    return PrescriptionLine("Yogaraja Guggulu", 2, "tablet", "1-0-1", 10, food_timing="after food",
                            quantity=quantity, stock_item_id=room.item, dispense_in_house=dispense, **extra)


def _usable(room) -> dict[str, D]:
    line = next(s for s in stock.stock_levels(room.boss, room.centre) if s.item_id == room.item)
    return {"usable": line.on_hand}


def test_quantities_come_from_the_presets_and_stock_is_issued_earliest_expiry_first(room):
    result, changes = prescriptions.add_prescription(room.boss, room.consultation(), [_guggulu(room), TRIPHALA])
    assert result.prescription_id and result.warnings == ()
    assert result.quantities == (D(40), D(150))  # 2 x 2 x 10 tablets; 5 g at bedtime x 30 days
    assert [(a.line_no, a.needed, a.available, a.enough) for a in result.availability] == [(1, D(40), D(530), True)]
    assert result.dispensed == ((1, "YG-SOON", D(30)), (1, "YG-LATE", D(10)))
    assert changes.consultations and changes.stock
    assert _usable(room) == {"usable": D(490)}
    with room.boss.db.session() as session:
        items = session.query(PrescriptionItemRow).order_by(PrescriptionItemRow.line_no).all()
        assert [(i.frequency_code, i.food_timing, i.quantity, i.dispensed) for i in items] == [
            ("1-0-1", "after_food", D(40), [{"batch_no": "YG-SOON", "quantity": "30.000"},
                                            {"batch_no": "YG-LATE", "quantity": "10.000"}]),
            ("HS", "after_food", D(150), [])]
        uses = session.query(StockMovementRow).filter(StockMovementRow.kind == "use").count()
        assert uses == 2


def test_allergy_warnings_save_nothing_until_acknowledged(room):
    consultation_id = room.consultation()
    amoxicillin = PrescriptionLine("Amoxicillin 500 mg", 1, "capsule", "TDS", 5)
    result, changes = prescriptions.add_prescription(room.boss, consultation_id, [TRIPHALA, amoxicillin])
    assert result.prescription_id is None and not changes.consultations
    assert [(w.line_no, w.allergy, w.severity, w.reason) for w in result.warnings] == [
        (2, "Penicillin", "severe", "amoxicillin belongs to the penicillin group")]
    assert count_rows(room.boss, PrescriptionRow) == 0
    assert audit_rows(room.boss, action="consult.prescribe")[-1].outcome == "warned"
    result, _ = prescriptions.add_prescription(room.boss, consultation_id, [TRIPHALA, amoxicillin],
                                               acknowledge_allergies=True)
    assert result.prescription_id and len(result.warnings) == 1
    with room.boss.db.session() as session:
        assert session.get(PrescriptionRow, result.prescription_id).allergy_warnings_acknowledged


@pytest.mark.parametrize(("line", "message"), [
    (PrescriptionLine("", 1, "tablet", "BD", 5), "Line 1 medicine is required"),
    (PrescriptionLine("Guggulu", "two", "tablet", "BD", 5), "Line 1 dose must be a number"),
    (PrescriptionLine("Guggulu", 1, "spoonful", "BD", 5), "Line 1 dose unit must be one of"),
    (PrescriptionLine("Guggulu", 1, "tablet", "now and then", 5), "Line 1 frequency 'now and then' is not understood"),
    (PrescriptionLine("Guggulu", 1, "tablet", "BD", 0), "Line 1 duration must be between 1 and 365 days"),
    (PrescriptionLine("Guggulu", 1, "tablet", "SOS", 5), "Line 1 quantity must be given for a medicine taken only"),
    (PrescriptionLine("Guggulu", 1, "tablet", "BD", 5, route="by mouth"), "Line 1 route must be one of"),
    (PrescriptionLine("Guggulu", 1, "tablet", "BD", 5, food_timing="lunch"), "Line 1 food timing must be before"),
    (PrescriptionLine("Guggulu", 1, "tablet", "BD", 5, dispense_in_house=True), "needs a stock item"),
])
def test_bad_lines_are_refused_with_the_line_number(room, line, message):
    with pytest.raises(ValidationError, match=message):
        prescriptions.add_prescription(room.boss, room.consultation(), [line])
    assert count_rows(room.boss, PrescriptionRow) == 0


def test_sos_with_a_quantity_is_fine(room):
    line = PrescriptionLine("Paracetamol 650 mg", 1, "tablet", "SOS", 3, quantity=6)
    result, _ = prescriptions.add_prescription(room.boss, room.consultation(), [line])
    assert result.quantities == (D(6),)


def test_short_stock_refuses_dispensing_and_takes_nothing(room):
    before = _usable(room)
    with pytest.raises(ValidationError, match="Line 1 stock has only 530 tablet usable"):
        prescriptions.add_prescription(room.boss, room.consultation(), [_guggulu(room, quantity=600)])
    assert _usable(room) == before and count_rows(room.boss, PrescriptionRow) == 0
    result, changes = prescriptions.add_prescription(room.boss, room.consultation(),
                                                     [_guggulu(room, quantity=600, dispense=False)])
    assert result.availability[0].enough is False and result.dispensed == () and not changes.stock


def test_a_unit_the_stock_item_is_not_kept_in_is_refused(room):
    line = PrescriptionLine("Yogaraja Guggulu", 5, "g", "BD", 5, stock_item_id=room.item, dispense_in_house=True)
    with pytest.raises(ValidationError, match="is kept in tablet; prescribe in tablet"):
        prescriptions.add_prescription(room.boss, room.consultation(), [line])


def test_no_prescription_for_a_signed_consultation(room):
    note_id = room.signed()
    with room.boss.db.session() as session:
        consultation_id = session.get(ClinicalNoteRow, note_id).consultation_id
    with pytest.raises(IllegalTransition, match="so you cannot prescribe now"):
        prescriptions.add_prescription(room.boss, consultation_id, [TRIPHALA])


def test_medicines_heard_in_the_consultation_prefill_the_prescription(room):
    note, _ = clinical_notes.draft_note_from_transcript(room.boss, room.transcribed())
    lines = prescriptions.lines_from_note(note.medications)
    assert lines == [PrescriptionLine("Yogaraja Guggulu", D(2), "tablet", "BD", 30, food_timing="after_food")]
    result, _ = prescriptions.add_prescription(room.boss, note.consultation_id, lines)
    assert result.quantities == (D(120),)
    blank = prescriptions.lines_from_note((DraftedMedication("Murivenna oil", None, "", "HS", "", None, "topical"),))
    with pytest.raises(ValidationError, match="Line 1 dose must be a number"):
        prescriptions.add_prescription(room.boss, note.consultation_id, blank)
