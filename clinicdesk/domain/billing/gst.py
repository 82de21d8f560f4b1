"""GST per line: HSN/SAC codes and rates, exempt health care, place of supply and the CGST+SGST or IGST split."""

import re
from dataclasses import dataclass
from decimal import Decimal

from clinicdesk.domain.billing.gstin import state_code
from clinicdesk.domain.billing.money import to_paisa
from clinicdesk.domain.errors import ValidationError

# Rates the GST schedules use (per cent). Kept as data: which rate applies is the clinic's catalogue decision.
GST_RATES = tuple(Decimal(r) for r in ("0", "0.1", "0.25", "1.5", "3", "5", "12", "18", "28", "40"))
HUNDRED = Decimal(100)
_HSN_SAC = re.compile(r"\d{4}|\d{6}|\d{8}")


@dataclass(frozen=True)
class TaxCode:
    """How one line is taxed: its HSN (goods) or SAC (services, starting 99) code and its GST rate in per cent.

    `exempt` marks supplies exempt by notification (health care by a clinical establishment, SAC 9993): they
    carry no tax and are listed as exempt on the bill, apart from taxable and nil-rated supplies.
    """

    hsn_sac: str
    rate: Decimal
    exempt: bool = False

    @property
    def is_service(self) -> bool:
        return self.hsn_sac.startswith("99")

    @property
    def label(self) -> str:
        return "Exempt" if self.exempt else f"{self.rate.normalize():f}%"


# Examples a catalogue starts from, not tax advice: the clinic sets its own rates and changes them when the law does.
HEALTH_CARE_EXEMPT = TaxCode("999312", Decimal("0"), exempt=True)  # treatment by a clinical establishment
AYURVEDIC_MEDICINE = TaxCode("30049011", Decimal("5"))  # classical Ayurvedic medicines and medicated oils
SPA_WELLNESS = TaxCode("999722", Decimal("18"))  # wellness massage and spa services not part of treatment
ROOM_STAY = TaxCode("996311", Decimal("5"))  # room stay up to Rs 7,500 a night


def validate_tax_code(hsn_sac: str, rate: Decimal, *, exempt: bool = False) -> TaxCode:
    """A TaxCode from the catalogue form, or a ValidationError that names the field and the rule."""
    labels = {"hsn_sac": "HSN/SAC code", "gst_rate": "GST rate"}
    code = hsn_sac.strip()
    problems = {}
    if not _HSN_SAC.fullmatch(code):
        problems["hsn_sac"] = "must be 4, 6 or 8 digits (SAC codes for services start with 99)"
    if isinstance(rate, float):
        raise TypeError("a GST rate is a Decimal, never a float")
    if rate not in GST_RATES:
        allowed = ", ".join(f"{r.normalize():f}" for r in GST_RATES)
        problems["gst_rate"] = f"must be one of the GST rates: {allowed} per cent"
    elif exempt and rate != 0:
        problems["gst_rate"] = "must be 0 for an exempt supply"
    if problems:
        raise ValidationError(problems, labels)
    return TaxCode(code, Decimal(rate), exempt)


def place_of_supply(*, centre_state: str, patient_state: str = "", buyer_gstin: str = "") -> str:
    """The state whose tax applies: a registered buyer's GSTIN state, else the patient's state, else the centre's."""
    if buyer_gstin:
        from clinicdesk.domain.billing.gstin import STATE_CODES

        return STATE_CODES.get(buyer_gstin[:2], centre_state)
    return patient_state.strip() or centre_state


def same_state(a: str, b: str) -> bool:
    """States compared by GST state code when known ("Orissa" is "Odisha"), else by name ignoring case."""
    code_a, code_b = state_code(a), state_code(b)
    if code_a and code_b:
        return code_a == code_b
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


@dataclass(frozen=True)
class LineTax:
    cgst: Decimal
    sgst: Decimal
    igst: Decimal

    @property
    def total(self) -> Decimal:
        return self.cgst + self.sgst + self.igst


def line_tax(taxable: Decimal, tax: TaxCode, *, intra_state: bool) -> LineTax:
    """Tax on one line, each part rounded half up to the paisa.

    Within the state the rate is halved into CGST and SGST, each computed and rounded on its own, so the two are
    always equal; across states the whole rate is IGST.
    """
    zero = Decimal("0.00")
    if tax.exempt or tax.rate == 0:
        return LineTax(zero, zero, zero)
    if intra_state:
        half = to_paisa(taxable * tax.rate / 2 / HUNDRED)
        return LineTax(half, half, zero)
    return LineTax(zero, zero, to_paisa(taxable * tax.rate / HUNDRED))
