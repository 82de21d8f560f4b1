"""How the app looks: fonts that render Latin, Devanagari and Malayalam, the Fusion style and one style sheet."""

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

# Noto Sans first for Latin; the Indic families follow so a name like "अनीता" or "അനിത" never shows boxes even
# where fontconfig's own fallback is missing (the offscreen platform, minimal installs).
FONT_FAMILIES = ["Noto Sans", "Noto Sans Devanagari", "Noto Sans Malayalam", "Noto Sans Symbols 2", "DejaVu Sans",
                 "sans-serif"]
BASE_POINT_SIZE = 10

DANGER = "#b3261e"
DANGER_BG = "#fdecea"
ACCENT = "#2e6b4f"  # the clinic's green

STYLE_SHEET = f"""
QWidget[invalid="true"] {{ border: 2px solid {DANGER}; border-radius: 3px; }}
QLabel#errorBanner {{ background: {DANGER_BG}; color: {DANGER}; border: 1px solid {DANGER}; border-radius: 4px;
                      padding: 8px; }}
QLabel#infoBanner {{ background: #e8f3ec; color: #1d4d36; border: 1px solid #9cc7ad; border-radius: 4px;
                     padding: 8px; }}
QLabel#pageTitle {{ font-size: 16pt; font-weight: 600; }}
QLabel#patientName {{ font-size: 17pt; font-weight: 600; }}
QLabel#patientLocalName {{ font-size: 14pt; color: #333333; }}
QLabel#muted {{ color: #5f6368; }}
QFrame#allergyChip {{ background: {DANGER_BG}; border: 1px solid {DANGER}; border-radius: 10px; }}
QFrame#allergyChip QLabel {{ color: {DANGER}; font-weight: 600; }}
QFrame#medicationChip {{ background: #eef2f7; border: 1px solid #9aa9bd; border-radius: 10px; }}
QFrame#patientHeader {{ background: #f7f7f4; border: 1px solid #dcdcd5; border-radius: 6px; }}
QListWidget#sidebar {{ background: #24352c; color: #f1f4f2; border: none; font-size: 11pt; padding-top: 6px; }}
QListWidget#sidebar::item {{ padding: 8px 12px; }}
QListWidget#sidebar::item:selected {{ background: {ACCENT}; color: white; }}
QListWidget#sidebar::item:disabled {{ color: #9fb3a8; }}
QFrame#lockPanel {{ background: #ffffff; border: 1px solid #c9d3cd; border-radius: 8px; }}
QWidget#lockPage {{ background: #24352c; }}
"""


def apply_look(app: QApplication) -> None:
    app.setStyle("Fusion")
    font = QFont()
    available = set(QFontDatabase.families())
    font.setFamilies([f for f in FONT_FAMILIES if f in available] or ["sans-serif"])
    font.setPointSize(BASE_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)
