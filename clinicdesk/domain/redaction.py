"""Redaction span logic: merge detected spans, replace them with tokens, keyed patient tokens, spoken-digit joins."""

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Kinds of identifier, most important first: when two overlapping spans are equally long, the earlier kind names
# the merged span (a 12-digit run that is both a lenient Aadhaar and a phone is reported as Aadhaar).
KIND_PRIORITY = ("AADHAAR", "ABHA", "PAN", "UHID", "PHONE", "EMAIL", "DOB", "PIN", "ADDRESS", "PERSON")

_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, order=True)
class Span:
    """A piece of text to redact: [start, end) in the text it was found in."""

    start: int
    end: int
    kind: str
    text: str

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class KnownName:
    """A name the clinic already knows (the patient, a relative, a staff member), matched directly in the text."""

    name: str
    role: str = "other"  # "patient", "relative", "staff" or "other"
    patient_id: str | None = None  # set for the patient: the key of their stable token

    @property
    def is_patient(self) -> bool:
        return self.role == "patient"


@dataclass(frozen=True)
class Redacted:
    """The redacted text and the spans that were replaced, in the offsets of the input text."""

    text: str
    entities: tuple[Span, ...]


def placeholder(kind: str) -> str:
    return f"<{kind}>"


def _rank(span: Span) -> tuple:
    priority = KIND_PRIORITY.index(span.kind) if span.kind in KIND_PRIORITY else len(KIND_PRIORITY)
    # Longer first, then the more important kind, then position and name so the result never depends on input order.
    return (-(span.end - span.start), priority, span.start, span.kind)


def merge_spans(spans: Iterable[Span], text: str | None = None) -> list[Span]:
    """Resolve overlaps: each group of overlapping spans becomes one span covering all of them.

    The kind of the group is that of its longest span (ties: the higher priority kind). Covering the union rather
    than dropping the loser means nothing any recognizer flagged is ever left in clear text. With `text`, the merged
    span's text is cut from it; without, it is stitched from the members.
    """
    ordered = sorted(s for s in spans if s.end > s.start)
    groups: list[list[Span]] = []
    for span in ordered:
        if groups and span.start < max(s.end for s in groups[-1]):
            groups[-1].append(span)
        else:
            groups.append([span])
    merged = []
    for group in groups:
        winner = min(group, key=_rank)
        start, end = group[0].start, max(s.end for s in group)
        covered = text[start:end] if text is not None else _stitch(group, start, end)
        merged.append(Span(start, end, winner.kind, covered))
    return merged


def _stitch(group: list[Span], start: int, end: int) -> str:
    chars: dict[int, str] = {}
    for span in group:
        for offset, ch in enumerate(span.text[: span.end - span.start]):
            chars.setdefault(span.start + offset, ch)
    return "".join(chars.get(i, " ") for i in range(start, end))


def apply_redaction(text: str, spans: Iterable[Span], *,
                    token_for: Callable[[str, str], str] | None = None) -> Redacted:
    """Replace each (merged) span with `token_for(kind, original_text)`; by default a placeholder like <PHONE>."""
    token_for = token_for or (lambda kind, _original: placeholder(kind))
    merged = merge_spans(spans, text)
    pieces, cursor = [], 0
    for span in merged:
        pieces.append(text[cursor:span.start])
        pieces.append(token_for(span.kind, span.text))
        cursor = span.end
    pieces.append(text[cursor:])
    return Redacted("".join(pieces), tuple(merged))


def edit_spans(spans: Iterable[Span], add: Iterable[Span] = (), remove: Iterable[Span] = ()) -> list[Span]:
    """The doctor's review before export: drop every span touching a removed range, then add the chosen spans.

    An added span replaces detected spans it overlaps (the doctor's choice of extent and kind wins).
    """
    add, remove = list(add), list(remove)
    kept = [s for s in spans if not any(s.overlaps(r) for r in remove)]
    kept = [s for s in kept if not any(s.overlaps(a) for a in add)]
    return merge_spans(kept + add)


def patient_token(secret: bytes, patient_id: str) -> str:
    """Stable pseudonym PATIENT_XXXXXX: the same patient always gets the same token; only the secret maps back."""
    digest = hmac.new(secret, patient_id.encode("utf-8"), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    code = []
    for _ in range(6):
        number, digit = divmod(number, 36)
        code.append(_BASE36[digit])
    return "PATIENT_" + "".join(code)


# ---- spoken digits -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OffsetMap:
    """For each character of the normalised text, where it came from in the input: [starts[i], ends[i])."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    input_length: int

    def input_range(self, start: int, end: int) -> tuple[int, int]:
        """The input offsets of the normalised range [start, end)."""
        if end <= start:
            position = self.starts[start] if start < len(self.starts) else self.input_length
            return position, position
        return self.starts[start], self.ends[end - 1]


_DIGIT_WORDS = {"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9"}
_REPEAT_WORDS = {"double": 2, "triple": 3}
# A digit group or a spoken digit word ("double four" is two tokens); separators are a comma (Whisper's thousands
# separator, only between digits), a hyphen, or spaces.
_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_SEPARATOR = re.compile(r"(?:,(?=\d)| ?- ?| +)")
# Runs shorter than this are left alone: they are doses, vitals and counts ("two three times", "130 85"), and
# joining them would only invite false matches.
MIN_JOINED_DIGITS = 6


def _run_tokens(text: str, position: int) -> list[tuple[int, int, str]]:
    """Tokens of the digit run starting at `position`: (start, end, digits)."""
    tokens: list[tuple[int, int, str]] = []
    pending_repeat: tuple[int, int] | None = None  # (start, times) after "double" or "triple"
    cursor = position
    while True:
        match = _TOKEN.match(text, cursor)
        if not match:
            break
        word, end = match.group(), match.end()
        if end < len(text) and text[end].isalnum():  # "10ml", "3rd": part of a longer word, not a digit group
            break
        lower = word.lower()
        if word.isdigit():
            if pending_repeat:
                break
            tokens.append((match.start(), end, word))
        elif lower in _REPEAT_WORDS and pending_repeat is None:
            pending_repeat = (match.start(), _REPEAT_WORDS[lower])
        elif lower in _DIGIT_WORDS:
            digits = _DIGIT_WORDS[lower]
            if pending_repeat:
                start, times = pending_repeat
                tokens.append((start, end, digits * times))
                pending_repeat = None
            else:
                tokens.append((match.start(), end, digits))
        else:
            break
        separator = _SEPARATOR.match(text, end)
        if not separator:
            break
        cursor = separator.end()
    return tokens


def normalise_spoken_digits(text: str) -> tuple[str, OffsetMap]:
    """Join digit groups as speech recognition writes them ("98,765 43,210", "nine eight seven ...") into one run.

    Only runs of at least MIN_JOINED_DIGITS digits are joined; everything else is copied unchanged. The offset map
    turns a span found in the normalised text back into offsets of the input text.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        at_word_start = i == 0 or not text[i - 1].isalnum()
        tokens = _run_tokens(text, i) if at_word_start and text[i].isalnum() else []
        if sum(len(t[2]) for t in tokens) >= MIN_JOINED_DIGITS and len(tokens) > 1:
            for start, end, digits in tokens:
                for digit in digits:
                    out.append(digit)
                    starts.append(start)
                    ends.append(end)
            i = tokens[-1][1]
            continue
        out.append(text[i])
        starts.append(i)
        ends.append(i + 1)
        i += 1
    return "".join(out), OffsetMap(tuple(starts), tuple(ends), len(text))
