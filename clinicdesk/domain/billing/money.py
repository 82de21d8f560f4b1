"""Rupee amounts as Decimal: parsing, paise rounding, the rupee round-off rule, Indian grouping and amounts in words."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from clinicdesk.domain.errors import ValidationError

PAISA = Decimal("0.01")
RUPEE = Decimal("1")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("99999999.99")  # ten crore less a paisa: far above any clinic bill, catches a typo of zeros


def money(value: Decimal | int | str) -> Decimal:
    """Exact rupees to the paisa. A float is refused: 0.1 + 0.2 is not 0.3 in binary, and bills must add up."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal, an int or a string")
    return Decimal(value).quantize(PAISA, rounding=ROUND_HALF_UP)


def to_paisa(value: Decimal) -> Decimal:
    """Round half up to the paisa (the half paisa goes up, as on a calculator and in GST practice)."""
    return value.quantize(PAISA, rounding=ROUND_HALF_UP)


def round_off(total: Decimal) -> tuple[Decimal, Decimal]:
    """(rounded total, round-off line). The bill is rounded to the nearest rupee, 50 paise and above going up.

    Section 170 of the CGST Act lets tax be rounded to the rupee; clinics round the bill's grand total instead and
    show the difference as a separate "Round off" line, so every tax figure stays exact to the paisa.
    Examples: 1,049.50 -> 1,050.00 (round off +0.50); 1,049.49 -> 1,049.00 (round off -0.49).
    """
    rounded = total.quantize(RUPEE, rounding=ROUND_HALF_UP).quantize(PAISA)
    return rounded, rounded - to_paisa(total)


def parse_amount(text: str, *, field: str = "amount", label: str = "Amount", allow_zero: bool = False) -> Decimal:
    """An amount typed by a person ("1,250.50", "₹ 800"): exact Decimal or a ValidationError that says why."""
    cleaned = text.strip().replace(",", "").replace("₹", "").replace("Rs.", "").replace("Rs", "").strip()
    if not cleaned:
        raise ValidationError({field: "is required"}, {field: label})
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError({field: "must be a number of rupees, e.g. 1250 or 1250.50"}, {field: label}) from None
    if not value.is_finite():
        raise ValidationError({field: "must be a number of rupees, e.g. 1250 or 1250.50"}, {field: label})
    if value != value.quantize(PAISA):
        raise ValidationError({field: "may have at most two decimal places (paise)"}, {field: label})
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError({field: "must be more than zero" if not allow_zero else "must not be negative"},
                              {field: label})
    if value > MAX_AMOUNT:
        raise ValidationError({field: "is larger than any bill this clinic could issue; check the zeros"},
                              {field: label})
    return value.quantize(PAISA)


def group_indian(whole: int) -> str:
    """12,34,567: the last three digits, then pairs (lakh and crore grouping)."""
    digits = str(whole)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return ",".join([head, *pairs, tail])


def format_inr(amount: Decimal, *, symbol: bool = True) -> str:
    """₹1,20,000.50 (negative as -₹500.00)."""
    value = to_paisa(amount)
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):.2f}".partition(".")
    return f"{sign}{'₹' if symbol else ''}{group_indian(int(whole))}.{fraction}"


_ONES = ("", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
         "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen")
_TENS = ("", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")
_SCALES = ((10_000_000, "Crore"), (100_000, "Lakh"), (1000, "Thousand"), (100, "Hundred"))


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    return f"{_TENS[n // 10]} {_ONES[n % 10]}".strip()


def number_in_words(n: int) -> str:
    """Indian numbering: 120000 -> "One Lakh Twenty Thousand"; crores repeat for larger numbers."""
    if n == 0:
        return "Zero"
    words = []
    for size, name in _SCALES:
        if n >= size:
            count, n = divmod(n, size)
            words.append(f"{number_in_words(count) if count >= 100 else _below_hundred(count)} {name}")
    if n:
        words.append(_below_hundred(n))
    return " ".join(words)


def amount_in_words(amount: Decimal) -> str:
    """"Rupees One Lakh Twenty Thousand and Fifty Paise Only", as printed under a bill's total."""
    value = to_paisa(abs(amount))
    rupees = int(value)
    paise = int((value - rupees) * 100)
    text = f"Rupees {number_in_words(rupees)}"
    if paise:
        text += f" and {_below_hundred(paise)} Paise"
    return f"{'Minus ' if amount < 0 else ''}{text} Only"
