"""Message templates in force: the starter set shipped under resources/ plus the edits an admin saved in the app."""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import ClinicError, NotFound
from clinicdesk.domain.notifications.templates import (
    SAMPLE_VALUES,
    MessageTemplate,
    RenderedMessage,
    TemplateText,
    check_template,
    render,
)
from clinicdesk.domain.roles import Action
from clinicdesk.resources import resource_path
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models_notifications import NotificationTemplateRow


def _parse(data: dict) -> MessageTemplate:
    texts = {language: TemplateText(str(text.get("subject", "")), str(text.get("body", "")))
             for language, text in dict(data.get("texts", {})).items()}
    return MessageTemplate(str(data.get("key", "")), str(data.get("name", "")), str(data.get("category", "")), texts)


def _texts_json(template: MessageTemplate) -> dict:
    return {language: {"subject": text.subject, "body": text.body} for language, text in template.texts.items()}


def load_starter_set(folder: Path) -> dict[str, MessageTemplate]:
    """Every template file in `folder`, each checked; a broken file names itself."""
    templates = {}
    for path in sorted(folder.glob("*.json")):
        try:
            template = check_template(_parse(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, json.JSONDecodeError, ClinicError) as error:
            raise ClinicError(f"The message template file {path.name} cannot be used ({error}); restore it from the "
                              "installation.") from None
        templates[template.key] = template
    return templates


@lru_cache(maxsize=2)
def _starter(folder: str) -> dict[str, MessageTemplate]:
    return load_starter_set(Path(folder))


def starter_set() -> dict[str, MessageTemplate]:
    return _starter(str(resource_path("notification_templates")))


def templates_in_force(session: Session) -> dict[str, MessageTemplate]:
    """The shipped set with the admin's saved versions on top."""
    merged = dict(starter_set())
    for row in session.scalars(select(NotificationTemplateRow)):
        merged[row.key] = _parse({"key": row.key, "name": row.name, "category": row.category, "texts": row.texts})
    return merged


def template_in_force(session: Session, key: str) -> MessageTemplate:
    template = templates_in_force(session).get(key)
    if template is None:
        raise NotFound(f"There is no message template called '{key}'.")
    return template


@dataclass(frozen=True)
class TemplateItem:
    key: str
    name: str
    category: str
    texts: dict[str, TemplateText]
    edited: bool  # an admin's version replaces the shipped one


def list_templates(ctx: ServiceContext) -> list[TemplateItem]:
    ctx.authorise(Action.MESSAGE_MANAGE, entity="notification_template")
    with ctx.unit_of_work() as session:
        edited = set(session.scalars(select(NotificationTemplateRow.key)))
        return [TemplateItem(t.key, t.name, t.category, dict(t.texts), t.key in edited)
                for t in sorted(templates_in_force(session).values(), key=lambda t: t.name)]


def preview(template: MessageTemplate, language: str) -> RenderedMessage:
    """The template filled in for a sample patient; raises UnknownPlaceholder exactly as saving would."""
    return render(template, language, SAMPLE_VALUES)


def save_template(ctx: ServiceContext, template: MessageTemplate) -> Changes:
    """Keep the admin's version; an unknown placeholder is refused with its name and nothing is saved."""
    ctx.authorise(Action.MESSAGE_MANAGE, entity="notification_template", entity_id=template.key)
    check_template(template)
    with ctx.unit_of_work() as session:
        if template.key not in templates_in_force(session):
            raise NotFound(f"There is no message template called '{template.key}'.")
        row = session.get(NotificationTemplateRow, template.key)
        if row is None:
            row = NotificationTemplateRow(key=template.key)
            session.add(row)
        row.name, row.category, row.texts = template.name.strip()[:120], template.category, _texts_json(template)
        row.updated_at, row.updated_by = ctx.now(), ctx.require_user().staff_id
        ctx.audit(session, "notification_template.save", entity="notification_template", entity_id=template.key)
    return Changes(messages=True)


def reset_template(ctx: ServiceContext, key: str) -> Changes:
    """Drop the admin's version so the shipped text is used again."""
    ctx.authorise(Action.MESSAGE_MANAGE, entity="notification_template", entity_id=key)
    with ctx.unit_of_work() as session:
        row = session.get(NotificationTemplateRow, key)
        if row is not None:
            session.delete(row)
            ctx.audit(session, "notification_template.reset", entity="notification_template", entity_id=key)
    return Changes(messages=True)
