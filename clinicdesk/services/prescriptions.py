"""Writing a prescription: frequency presets, quantities, allergy warnings to acknowledge, stock-aware dispensing."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from clinicdesk.domain import prescriptions as rx
from clinicdesk.domain.errors import ClinicError, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.domain.stock import Batch, on_hand
from clinicdesk.services import stock
from clinicdesk.services.consultation_dto import (
    AllergyWarning,
    DraftedMedication,
    PrescriptionLine,
    PrescriptionResult,
    StockAvailability,
)
from clinicdesk.services.consultation_records import load_consultation, local_today, require_open
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models import AllergyRow
from clinicdesk.store.models_consultation import PrescriptionItemRow, PrescriptionRow
from clinicdesk.store.models_therapy import StockBatchRow, StockItemRow

DOSE_UNITS = ("tablet", "capsule", "vati", "gutika", "sachet", "piece", "ml", "g", "mg", "drop", "teaspoon", "puff",
              "application")
MAX_LINES = 30
_FIELD_WORDS = {"drug_name": "medicine", "dose": "dose", "dose_unit": "dose unit", "frequency": "frequency",
                "food_timing": "food timing", "duration_days": "duration", "route": "route", "quantity": "quantity",
                "instructions": "instructions", "stock": "stock"}


@dataclass(frozen=True)
class _Checked:
    line: PrescriptionLine
    dose: Decimal
    frequency: rx.Frequency
    food_timing: str
    quantity: Decimal


def _problem(problems: dict, labels: dict, line_no: int, field: str, message: str) -> None:
    key = f"line_{line_no}_{field}"
    problems.setdefault(key, message)
    labels[key] = f"Line {line_no} {_FIELD_WORDS[field]}"


def _check_line(line_no: int, line: PrescriptionLine, problems: dict, labels: dict) -> _Checked | None:
    found: dict[str, str] = {}
    if not line.drug_name.strip() or len(line.drug_name) > 120:
        found["drug_name"] = "is required (at most 120 characters)"
    dose = rx.parse_decimal(line.dose, "dose", low=Decimal("0.001"), high=Decimal(10000), problems=found)
    if line.dose_unit not in DOSE_UNITS:
        found["dose_unit"] = "must be one of: " + ", ".join(DOSE_UNITS)
    frequency = food = None
    for name, parse in (("frequency", rx.parse_frequency), ("food_timing", rx.parse_food_timing)):
        try:
            value = parse(getattr(line, name))
        except ValidationError as refusal:
            found[name] = next(iter(refusal.problems.values()))
        else:
            frequency, food = (value, food) if name == "frequency" else (frequency, value)
    if not isinstance(line.duration_days, int) or not 1 <= line.duration_days <= 365:
        found["duration_days"] = "must be between 1 and 365 days"
    if line.route not in rx.ROUTES:
        found["route"] = "must be one of: " + ", ".join(rx.ROUTES)
    if len(line.instructions) > 300:
        found["instructions"] = "must be at most 300 characters"
    quantity = Decimal(0)
    if line.quantity not in (None, ""):
        quantity = rx.parse_decimal(line.quantity, "quantity", low=Decimal("0.001"), high=Decimal(100000),
                                    problems=found)
    elif frequency is not None and not found:
        try:
            quantity = rx.quantity_needed(dose, line.dose_unit, frequency, line.duration_days)
        except ValidationError as refusal:
            found["quantity"] = next(iter(refusal.problems.values()))
    for field, message in found.items():
        _problem(problems, labels, line_no, field, message)
    if found:
        return None
    return _Checked(line, dose, frequency, food, quantity)


def _stock_unit_fits(item_unit: str, dose_unit: str) -> bool:
    return item_unit == dose_unit or (item_unit == "piece" and dose_unit in rx.COUNTED_UNITS)


def add_prescription(ctx: ServiceContext, consultation_id: str, lines: list[PrescriptionLine], *,
                     acknowledge_allergies: bool = False) -> tuple[PrescriptionResult, Changes]:
    """Save the prescription, issuing in-house medicines from stock earliest expiry first.

    When a medicine may trigger one of the patient's recorded allergies nothing is saved: the result carries the
    warnings (prescription_id None) and the doctor calls again with acknowledge_allergies=True to go ahead.
    """
    user = ctx.authorise(Action.PRESCRIBE, entity="consultation", entity_id=consultation_id)
    problems: dict[str, str] = {}
    labels = {"lines": "Prescription"}
    if not lines:
        problems["lines"] = "is empty: add at least one medicine"
    elif len(lines) > MAX_LINES:
        problems["lines"] = f"has more than {MAX_LINES} medicines"
    checked = [_check_line(n, line, problems, labels) for n, line in enumerate(lines, start=1)]
    if problems:
        raise ValidationError(problems, labels)
    with ctx.unit_of_work(write_lock=True) as session:
        consultation = load_consultation(session, consultation_id)
        require_open(consultation, "prescribe")
        today = local_today(session, consultation.centre_id, ctx.now())
        allergies = session.execute(select(AllergyRow.substance, AllergyRow.severity).where(
            AllergyRow.patient_id == consultation.patient_id, AllergyRow.removed_at.is_(None))).all()
        severity = dict(allergies)
        warnings = tuple(AllergyWarning(n, m.drug, m.allergy, severity[m.allergy], m.reason)
                         for n, c in enumerate(checked, start=1)
                         for m in rx.allergy_matches(c.line.drug_name, severity))
        availability, items = [], {}
        for n, c in enumerate(checked, start=1):
            if c.line.stock_item_id is None:
                if c.line.dispense_in_house:
                    _problem(problems, labels, n, "stock", "needs a stock item to be dispensed in-house")
                continue
            item = session.get(StockItemRow, c.line.stock_item_id)
            if item is None or not item.active or item.centre_id != consultation.centre_id:
                _problem(problems, labels, n, "stock", "is not an active stock item at this centre")
                continue
            if not _stock_unit_fits(item.unit, c.line.dose_unit):
                _problem(problems, labels, n, "stock", f"is kept in {item.unit}; prescribe in {item.unit} to "
                                                       "dispense it from stock")
                continue
            batches = session.scalars(select(StockBatchRow).where(StockBatchRow.item_id == item.id)).all()
            left = on_hand([Batch(b.id, b.batch_no, b.expiry, b.left) for b in batches], today)
            availability.append(StockAvailability(n, item.id, item.name, item.unit, c.quantity, left))
            items[n] = item
            if c.line.dispense_in_house and left < c.quantity:
                _problem(problems, labels, n, "stock", f"has only {left.normalize():f} {item.unit} usable; "
                                                       "prescribe less or have it bought outside")
        if problems:
            raise ValidationError(problems, labels)
        if warnings and not acknowledge_allergies:
            ctx.audit(session, "consult.prescribe", entity="consultation", entity_id=consultation_id,
                      outcome="warned", detail=f"{len(warnings)} allergy warnings")
            return PrescriptionResult(None, warnings, tuple(availability)), Changes(audit=True)
        prescription_id = ctx.make_id()
        session.add(PrescriptionRow(id=prescription_id, consultation_id=consultation_id,
                                    patient_id=consultation.patient_id, prescribed_by=user.staff_id,
                                    prescribed_at=ctx.now(), allergy_warnings_acknowledged=bool(warnings)))
        session.flush()
        dispensed = []
        for n, c in enumerate(checked, start=1):
            taken = []
            if c.line.dispense_in_house:
                try:
                    taken = stock.take(ctx, session, consultation.centre_id, items[n].code, c.quantity,
                                       session_id=None, step_no=None, today=today)
                except ClinicError as short:  # another desk took the stock since we looked: say so, change nothing
                    raise ValidationError({f"line_{n}_stock": str(short)}, labels) from None
                dispensed += [(n, batch_no, quantity) for batch_no, quantity in taken]
            session.add(PrescriptionItemRow(
                id=ctx.make_id(), prescription_id=prescription_id, line_no=n, drug_name=c.line.drug_name.strip(),
                stock_item_id=c.line.stock_item_id, dose=c.dose, dose_unit=c.line.dose_unit,
                frequency_code=c.frequency.code, food_timing=c.food_timing, duration_days=c.line.duration_days,
                route=c.line.route, quantity=c.quantity, instructions=c.line.instructions.strip(),
                dispense_in_house=c.line.dispense_in_house,
                dispensed=[{"batch_no": b, "quantity": str(q)} for b, q in taken]))
        ctx.audit(session, "consult.prescribe", entity="consultation", entity_id=consultation_id,
                  detail=f"prescription {prescription_id}" + (" (allergy warnings acknowledged)" if warnings else ""))
    return (PrescriptionResult(prescription_id, warnings, tuple(availability), tuple(c.quantity for c in checked),
                               tuple(dispensed)), Changes(consultations=True, stock=bool(dispensed)))


def lines_from_note(medications: tuple[DraftedMedication, ...]) -> list[PrescriptionLine]:
    """Prescription lines pre-filled from the medicines the drafter heard; what was not said is left blank ("" or 0)
    so that add_prescription refuses it until the doctor fills it in."""
    return [PrescriptionLine(drug_name=m.name, dose="" if m.dose is None else m.dose, dose_unit=m.dose_unit,
                             frequency=m.frequency, duration_days=m.duration_days or 0, route=m.route,
                             food_timing=m.food_timing) for m in medications]
