"""Noto fonts for documents: find and register them once, and mark runs of Hindi and Malayalam text with their font."""

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from clinicdesk.domain.errors import ClinicError

# Debian/Ubuntu's fonts-noto-core puts them here; a packaged build may ship copies in resources/fonts.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/noto"),
                    Path("/usr/local/share/fonts"), Path.home() / ".local/share/fonts")
APT_PACKAGE = "fonts-noto-core"

LATIN, DEVANAGARI, MALAYALAM = "latin", "devanagari", "malayalam"
# family name registered with reportlab -> (regular file, bold file)
_FAMILIES = {
    LATIN: ("ClinicDeskNotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    DEVANAGARI: ("ClinicDeskNotoDevanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
    MALAYALAM: ("ClinicDeskNotoMalayalam", "NotoSansMalayalam-Regular.ttf", "NotoSansMalayalam-Bold.ttf"),
}
# Characters that belong to whichever script surrounds them: spaces and the joiners that select Malayalam chillu
# and Devanagari half forms (they must stay inside the run so the shaper sees them).
_INHERIT = {"\u200c", "\u200d"}
# Digits and punctuation that the Noto Devanagari and Malayalam fonts also draw (checked against their cmaps).
_COMMON = set(".,;:!?()[]-/'\"%+*=0123456789\u2013\u2014\u2018\u2019\u201c\u201d")

_lock = threading.Lock()
_registered: "DocumentFonts | None" = None


class FontsMissing(ClinicError):
    """The fonts needed to print Indian-language text are not installed."""


@dataclass(frozen=True)
class DocumentFonts:
    """Registered reportlab font names: `regular[script]` and `bold[script]`."""

    regular: dict[str, str]
    bold: dict[str, str]

    @property
    def body(self) -> str:
        return self.regular[LATIN]

    @property
    def body_bold(self) -> str:
        return self.bold[LATIN]


def _font_dirs() -> list[Path]:
    dirs = list(SYSTEM_FONT_DIRS)
    try:
        from clinicdesk.resources import resource_path

        dirs.insert(0, resource_path("fonts"))
    except FileNotFoundError:
        pass
    return dirs


def _find(file_name: str, dirs: list[Path]) -> Path | None:
    return next((d / file_name for d in dirs if (d / file_name).is_file()), None)


def register_document_fonts(font_dirs: list[Path] | None = None) -> DocumentFonts:
    """Register the Noto families with reportlab (once per process); raise FontsMissing naming the apt package."""
    global _registered
    with _lock:
        if _registered is not None and font_dirs is None:
            return _registered
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        dirs = font_dirs if font_dirs is not None else _font_dirs()
        wanted = {file: _find(file, dirs) for _, *files in _FAMILIES.values() for file in files}
        missing = sorted(file for file, path in wanted.items() if path is None)
        if missing:
            raise FontsMissing(f"The Noto fonts needed to print prescriptions in English, Hindi and Malayalam are not "
                               f"installed (missing: {', '.join(missing)}). Install the '{APT_PACKAGE}' package "
                               f"(sudo apt install {APT_PACKAGE}) and try again.")
        regular, bold = {}, {}
        for script, (family, regular_file, bold_file) in _FAMILIES.items():
            regular[script], bold[script] = family, f"{family}-Bold"
            if family not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(family, str(wanted[regular_file])))
                pdfmetrics.registerFont(TTFont(f"{family}-Bold", str(wanted[bold_file])))
                # So <b> inside a paragraph picks the bold face of the same script.
                for is_bold, is_italic in ((0, 0), (1, 0), (0, 1), (1, 1)):
                    addMapping(family, is_bold, is_italic, f"{family}-Bold" if is_bold else family)
        fonts = DocumentFonts(regular, bold)
        if font_dirs is None:
            _registered = fonts
        return fonts


def script_of(char: str) -> str | None:
    """LATIN, DEVANAGARI or MALAYALAM for a character; None for spaces, joiners, digits and common punctuation."""
    if char in _INHERIT or char.isspace() or char in _COMMON:
        return None
    code = ord(char)
    if 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x1CD0 <= code <= 0x1CFF:
        return DEVANAGARI
    if 0x0D00 <= code <= 0x0D7F:
        return MALAYALAM
    return LATIN


def _word_script(word: str) -> str:
    return next((script for script in map(script_of, word) if script in (DEVANAGARI, MALAYALAM)), LATIN)


def script_runs(text: str) -> list[tuple[str, str]]:
    """Split text into (script, run) pairs for font selection.

    Digits and punctuation take the script of the word they touch ("लें;" stays one Devanagari run): reportlab
    misplaces glyphs when a shaped run and another font meet inside one word. Spaces and joiners stay with the run
    they sit in, so the shaper sees ZWJ/ZWNJ (Malayalam chillu, Devanagari half forms).
    """
    runs: list[tuple[str, str]] = []
    current, buffer = None, ""
    for word in re.split(r"(\s+)", text):
        fallback = _word_script(word)
        for char in word:
            script = script_of(char)
            if script is None and not char.isspace() and char not in _INHERIT:
                script = fallback
            if script is None or current is None or script == current:
                buffer += char
                current = script or current
                continue
            runs.append((current, buffer))
            current, buffer = script, char
    if buffer:
        runs.append((current or LATIN, buffer))
    return runs


def markup(text: str, fonts: DocumentFonts, *, bold: bool = False) -> str:
    """Paragraph markup for plain text: escaped, each Hindi or Malayalam run wrapped in its Noto font."""
    faces = fonts.bold if bold else fonts.regular
    parts = []
    for script, run in script_runs(text):
        escaped = escape(run)
        parts.append(escaped if script == LATIN else f'<font face="{faces[script]}">{escaped}</font>')
    return "".join(parts)
