"""Renders the portal's pages: Jinja2 templates from resources/portal/templates, texts in en, hi and ml.

Texts live in resources/portal/i18n/*.json, one file per area of the portal, each {"key": {"en": ..., "hi": ...,
"ml": ...}}; English is required and stands in for a missing translation. Templates call t("key", name=value).
Autoescaping is on for every template: patient-entered text can never become markup.
"""

import json
from functools import lru_cache
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from clinicdesk.resources import resource_path
from clinicdesk.server.portal.identity import PortalIdentity

LANGUAGES = ("en", "hi", "ml")
LANGUAGE_NAMES = {"en": "English", "hi": "हिन्दी", "ml": "മലയാളം"}
DEFAULT_LANGUAGE = "en"


def portal_dir(*parts: str) -> Path:
    return resource_path("portal", *parts)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """Every text key of every area file; a key defined twice is a mistake caught at start."""
    texts: dict[str, dict[str, str]] = {}
    for path in sorted(portal_dir("i18n").glob("*.json")):
        for key, versions in json.loads(path.read_text(encoding="utf-8")).items():
            if key in texts:
                raise ValueError(f"portal text {key!r} is defined twice ({path.name})")
            if "en" not in versions:
                raise ValueError(f"portal text {key!r} has no English version ({path.name})")
            texts[key] = versions
    return texts


def translate(language: str, key: str, **values) -> str:
    """The text of `key` in `language` (English if that language lacks it), with {placeholders} filled."""
    versions = catalogue().get(key)
    if versions is None:
        raise KeyError(f"no portal text {key!r}")
    text = versions.get(language) or versions["en"]
    return text.format(**values) if values else text


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(portal_dir("templates"))),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    return env


def language_of(request: Request, identity: PortalIdentity | None) -> str:
    """The signed-in session's language, else the `lang` cookie, else English."""
    if identity is not None:
        return identity.language
    chosen = request.cookies.get("lang", DEFAULT_LANGUAGE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def render(request: Request, template: str, identity: PortalIdentity | None = None, *, status_code: int = 200,
           **context) -> HTMLResponse:
    """One page. Every template gets `t` (texts in the page's language), `lang`, `identity` and `csrf`."""
    language = language_of(request, identity)

    def t(key: str, **values) -> str:
        return translate(language, key, **values)

    html = environment().get_template(template).render(
        t=t, lang=language, identity=identity, csrf=identity.csrf_token if identity else context.pop("csrf", ""),
        request_path=request.url.path, **context)
    response = HTMLResponse(html, status_code=status_code)
    # a patient's page must not stay in a shared phone's or a proxy's cache
    response.headers["Cache-Control"] = "no-store"
    return response
