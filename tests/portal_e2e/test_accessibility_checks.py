"""The browser-side accessibility checks find what they look for (so a clean portal page means something)."""

from tests.portal_e2e.accessibility import FOCUS_IS_VISIBLE, problems_on

FLAWED = """<html><body style="background:#fff"><p style="color:#aaa">faint text</p><input id="name">
<img src="a.png"><svg width="10" height="10"></svg><button id="go" style="outline:none">Go</button></body></html>"""
SOUND = """<html lang="hi"><body><label for="name">Name</label><input id="name"><img src="a.png" alt="">
<svg role="img" aria-label="chart" width="10" height="10"></svg><p>clear text</p>
<button id="go" style="outline:3px solid #0b57d0">Go</button></body></html>"""


def test_the_checks_flag_missing_labels_alternatives_language_contrast_and_focus(browser):
    page = browser.new_page()
    try:
        page.set_content(FLAWED)
        assert sorted(problems_on(page)) == sorted([
            "input#name has no label", "img a.png has no alt", "an inline svg has no role, label or title",
            "p. contrast 2.32", "the html element has no lang of en, hi or ml"])
        page.focus("#go")
        assert not page.evaluate(FOCUS_IS_VISIBLE)
        page.set_content(SOUND)
        assert problems_on(page) == []
        page.focus("#go")
        assert page.evaluate(FOCUS_IS_VISIBLE)
    finally:
        page.close()
