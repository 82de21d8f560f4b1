"""An admin's new versions of therapy, SOP and course templates: listed, drafted from the latest, checked, saved."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.protocols import (
    EDITABLE_THERAPY_FIELDS,
    TEMPLATE_KINDS,
    Library,
    check_template,
    course_to_dict,
    effective,
    sop_to_dict,
    therapy_to_dict,
)
from clinicdesk.domain.roles import Action
from clinicdesk.services import protocol_library
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.scheduling_adapter import to_local
from clinicdesk.services.therapy_dto import TemplateDraft, TemplateItem, TemplateVersionItem
from clinicdesk.services.therapy_records import centre_zone
from clinicdesk.store.models import StaffRow
from clinicdesk.store.models_protocols import ProtocolTemplateVersionRow

__all__ = ["list_templates", "save_template_version", "template_draft"]

_LABELS = {"kind": "Template kind", "effective_from": "Effective from", "note": "Note"}


def _today(ctx: ServiceContext, session: Session) -> date:
    return to_local(ctx.now(), centre_zone(session, ctx.user.centre_id)).date()


def _all_versions(session: Session, today: date) -> tuple[Library, list[ProtocolTemplateVersionRow]]:
    """Every SOP and course version; for therapies the rows themselves tell the versions apart."""
    return protocol_library.effective_library(session, today), protocol_library.admin_rows(session)


def _shipped_versions(kind: str, key: str) -> list[tuple[int, date | None, dict]]:
    shipped = protocol_library.library()
    if kind == "therapy":
        return [(1, None, therapy_to_dict(shipped.therapies[key]))] if key in shipped.therapies else []
    if kind == "sop":
        return [(s.version, s.effective_from, sop_to_dict(s)) for s in shipped.sops if s.key == key]
    return [(c.version, c.effective_from, course_to_dict(c)) for c in shipped.courses if c.key == key]


def _keys(library: Library) -> list[tuple[str, str, str]]:
    """(kind, key, name) of every template, therapies first, then SOPs, then courses."""
    sops = sorted({s.key: s for s in library.sops}.items())
    courses = sorted({c.key: max((x for x in library.courses if x.key == c.key), key=lambda x: x.version)
                      for c in library.courses}.items())
    return ([("therapy", key, t.name) for key, t in sorted(library.therapies.items())]
            + [("sop", key, library.therapies[s.therapy].name if s.therapy in library.therapies else key)
               for key, s in sops]
            + [("course", key, c.name) for key, c in courses])


def _in_force(kind: str, key: str, library: Library, rows: list, today: date) -> int | None:
    if kind == "therapy":
        admin = [r.version for r in protocol_library.therapy_rows_in_force(rows, today) if r.key == key]
        return admin[0] if admin else 1
    versions = library.sops if kind == "sop" else library.courses
    found = [v.version for v in versions if v.key == key and effective(v.effective_from, v.effective_until, today)]
    return max(found) if found else None


def list_templates(ctx: ServiceContext) -> list[TemplateItem]:
    """Every template with its shipped and admin versions, and which version is in force today."""
    ctx.authorise(Action.PROTOCOL_MANAGE, entity="protocol_template")
    with ctx.unit_of_work() as session:
        today = _today(ctx, session)
        zone = centre_zone(session, ctx.user.centre_id)
        library, rows = _all_versions(session, today)
        staff = dict(session.execute(select(StaffRow.id, StaffRow.full_name)).all())
        items = []
        for kind, key, name in _keys(library):
            versions = [TemplateVersionItem(v, since, "shipped") for v, since, _ in _shipped_versions(kind, key)]
            versions += [TemplateVersionItem(r.version, r.effective_from, "admin", r.note, staff.get(r.created_by, ""),
                                             to_local(r.created_at, zone))
                         for r in rows if r.kind == kind and r.key == key]
            items.append(TemplateItem(kind, key, name, _in_force(kind, key, library, rows, today),
                                      tuple(sorted(versions, key=lambda v: v.version))))
        return items


def _latest(kind: str, key: str, rows: list[ProtocolTemplateVersionRow]) -> tuple[int, dict] | None:
    admin = [(r.version, r.body) for r in rows if r.kind == kind and r.key == key]
    shipped = [(version, body) for version, _, body in _shipped_versions(kind, key)]
    found = admin + shipped
    return max(found, key=lambda v: v[0]) if found else None


def template_draft(ctx: ServiceContext, kind: str, key: str) -> TemplateDraft:
    """The latest version's body to edit, and the number the new version will get."""
    ctx.authorise(Action.PROTOCOL_MANAGE, entity="protocol_template", entity_id=f"{kind}:{key}")
    with ctx.unit_of_work() as session:
        today = _today(ctx, session)
        library, rows = _all_versions(session, today)
        latest = _latest(kind, key, rows)
        if latest is None:
            raise NotFound(f"There is no {kind} template called '{key}'.")
        version, body = latest
        if kind == "therapy":  # an admin version holds only the fields that change; the rest stay as shipped
            body = therapy_to_dict(protocol_library.library().therapies[key]) | body
        name = next((n for k, tk, n in _keys(library) if k == kind and tk == key), key)
        return TemplateDraft(kind, key, name, dict(body), version + 1, today,
                             tuple((k, t.name) for k, t in sorted(library.therapies.items())))


def save_template_version(ctx: ServiceContext, kind: str, key: str, body: dict, effective_from: date, *,
                          note: str = "") -> tuple[int, Changes]:
    """Save an edited template as the next version, in force from `effective_from` (today or later).

    Plans already made keep the course version and the SOP steps they were made with; a plan starting on or after
    `effective_from` gets this version. Every problem is keyed by its field inside the template.
    """
    user = ctx.authorise(Action.PROTOCOL_MANAGE, entity="protocol_template", entity_id=f"{kind}:{key}")
    if kind not in TEMPLATE_KINDS:
        raise ValidationError({"kind": "must be one of: " + ", ".join(TEMPLATE_KINDS)}, _LABELS)
    with ctx.unit_of_work(write_lock=True) as session:
        today = _today(ctx, session)
        library, rows = _all_versions(session, today)
        latest = _latest(kind, key, rows)
        if latest is None:
            raise NotFound(f"There is no {kind} template called '{key}'; new templates are added as files.")
        version = latest[0] + 1
        problems = {}
        if not isinstance(effective_from, date) or effective_from < today:
            problems["effective_from"] = (f"must be today ({today:%d %b %Y}) or later; a new version never "
                                          "changes what was already in force")
        if len(note) > 300:
            problems["note"] = "must be at most 300 characters"
        try:
            check_template(kind, key, body, library.therapies, version=version,
                           effective_from=effective_from if not problems.get("effective_from") else today)
        except ValidationError as error:
            problems = error.problems | problems
            labels = error.labels | _LABELS
        else:
            labels = _LABELS
        if problems:
            raise ValidationError(problems, labels)
        session.add(ProtocolTemplateVersionRow(
            id=ctx.make_id(), kind=kind, key=key, version=version, effective_from=effective_from,
            body={name: body.get(name) for name in EDITABLE_THERAPY_FIELDS} if kind == "therapy" else dict(body),
            note=note.strip(), created_by=user.staff_id, created_at=ctx.now()))
        ctx.audit(session, "protocol.version_save", entity="protocol_template", entity_id=f"{kind}:{key}",
                  detail=f"v{version} from {effective_from.isoformat()}")
        return version, Changes(therapy=True)
