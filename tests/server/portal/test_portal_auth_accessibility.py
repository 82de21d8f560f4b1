"""The shell's pages and stylesheet are usable by keyboard and screen reader on a cheap phone: every field has a
label, the page says its language, text contrast is at least 4.5:1, focus is visible, targets are 44 px, and
nothing is downloaded from elsewhere."""

import re

import pytest

from clinicdesk.server.portal.rendering import portal_dir
from tests.server.portal.conftest import OWN_PHONE, SOLO_PHONE

CSS = portal_dir("static", "portal.css").read_text(encoding="utf-8")
# (text colour, background) pairs the stylesheet sets: variables by name, or literal colours
TEXT_ON_BACKGROUND = [("ink", "paper"), ("ink", "wash"), ("muted", "paper"), ("muted", "wash"),
                      ("brand-dark", "paper"), ("brand-dark", "wash"), ("#ffffff", "brand"),
                      ("#ffffff", "brand-dark"), ("#ffffff", "danger"), ("error-ink", "error-bg"),
                      ("info-ink", "info-bg"), ("ok-ink", "ok-bg"), ("ink", "#e3e7e4")]


def _colour(name: str) -> str:
    if name.startswith("#"):
        return name
    return re.search(rf"--{re.escape(name)}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(_colour(foreground)), _luminance(_colour(background))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("foreground, background", TEXT_ON_BACKGROUND)
def test_text_contrast_is_at_least_4_5_to_1(foreground, background):
    assert contrast(foreground, background) >= 4.5


def test_the_stylesheet_shows_focus_uses_system_fonts_and_big_targets():
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid", CSS)
    assert "@font-face" not in CSS and "@import" not in CSS and "url(" not in CSS
    for family in ("system-ui", "Noto Sans Devanagari", "Noto Sans Malayalam"):
        assert family in CSS
    for selector in ("button, .button", "input[type=\"text\"]", ".list > li"):
        rule = CSS[CSS.index(selector):]
        assert "min-height: 44px" in rule[:rule.index("}")], selector
    for generic in (".card", ".stack", ".button.secondary", ".button.danger", ".muted", ".alert.error", ".alert.info",
                    ".alert.ok", ".badge", ".countdown", ".list", ".field", ".chart", ".steps", "table.data"):
        assert generic in CSS, generic
    assert len(CSS.encode()) < 12_000


def _labelled(html: str) -> None:
    fields = re.findall(r"<(input|select|textarea)\b([^>]*)>", html)
    visible = [attrs for tag, attrs in fields if 'type="hidden"' not in attrs]
    assert visible
    for attrs in visible:
        field_id = re.search(r'\bid="([^"]+)"', attrs).group(1)
        assert f'<label for="{field_id}"' in html, field_id


def test_every_field_of_the_sign_in_pages_has_a_label(portal):
    client = portal.new_client()
    _labelled(client.get("/portal/sign-in").text)
    _labelled(portal.start(client, "12").text)  # with an error shown
    portal.start(client, OWN_PHONE)
    _labelled(client.get("/portal/verify").text)
    portal.enter_code(client, portal.last_code())
    chooser = client.get("/portal/choose").text
    _labelled(chooser)
    assert "<fieldset>" in chooser and "<legend>" in chooser


def test_errors_are_announced_and_tied_to_their_field(portal):
    client = portal.new_client()
    page = portal.start(client, "12").text
    assert 'role="alert" id="phone-error"' in page and 'aria-describedby="phone-hint phone-error"' in page
    portal.start(client, SOLO_PHONE)
    wrong = portal.enter_code(client, "000000").text
    assert 'role="alert" id="code-error"' in wrong and 'aria-describedby="code-hint code-error"' in wrong


def test_the_page_title_holds_no_patient_data(portal):
    client = portal.new_client()
    portal.start(client, OWN_PHONE)
    portal.enter_code(client, portal.last_code())
    title = re.search(r"<title>(.*?)</title>", client.get("/portal/choose").text).group(1)
    assert "Asha" not in title and "2345" not in title

