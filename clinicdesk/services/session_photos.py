"""Before/after photos of a therapy session: sealed before they reach the database, opened only by clinicians."""

import hashlib

from sqlalchemy import select

from clinicdesk.domain.errors import NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.services.therapy_dto import SessionPhotoItem
from clinicdesk.services.therapy_records import get_session
from clinicdesk.store.models import StaffRow
from clinicdesk.store.models_consent_media import SessionPhotoRow

PHOTO_KINDS = ("before", "after")
PHOTO_MIME = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
MAX_PHOTO_BYTES = 15 * 1024 * 1024


def _context(photo_id: str) -> str:
    return f"session-photo:{photo_id}"


def add_photo(ctx: ServiceContext, plan_session_id: str, kind: str, mime_type: str,
              content: bytes) -> tuple[str, Changes]:
    user = ctx.authorise(Action.THERAPY_PHOTO_ADD, entity="plan_session", entity_id=plan_session_id)
    problems = {}
    if kind not in PHOTO_KINDS:
        problems["kind"] = "must be before or after"
    if mime_type not in PHOTO_MIME:
        problems["photo"] = "must be a JPEG or PNG image"
    elif not content:
        problems["photo"] = "is empty"
    elif not content.startswith(PHOTO_MIME[mime_type]):
        problems["photo"] = "is not a valid " + mime_type.split("/")[1].upper() + " image"
    elif len(content) > MAX_PHOTO_BYTES:
        problems["photo"] = "is larger than 15 MB"
    if problems:
        raise ValidationError(problems, {"kind": "Photo kind", "photo": "Photo"})
    with ctx.unit_of_work() as session:
        get_session(session, plan_session_id)
        photo_id = ctx.make_id()
        session.add(SessionPhotoRow(id=photo_id, session_id=plan_session_id, kind=kind, mime_type=mime_type,
                                    size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                    sealed_content=ctx.db.sealer.seal(content, context=_context(photo_id)),
                                    taken_at=ctx.now(), taken_by=user.staff_id))
        ctx.audit(session, "therapy.photo_add", entity="plan_session", entity_id=plan_session_id)
    return photo_id, Changes(therapy=True)


def list_photos(ctx: ServiceContext, plan_session_id: str) -> tuple[SessionPhotoItem, ...]:
    """What was taken and by whom; never the images themselves."""
    ctx.authorise(Action.THERAPY_VIEW, entity="plan_session", entity_id=plan_session_id)
    with ctx.unit_of_work() as session:
        get_session(session, plan_session_id)
        rows = session.execute(select(SessionPhotoRow.id, SessionPhotoRow.kind, SessionPhotoRow.mime_type,
                                      SessionPhotoRow.size_bytes, SessionPhotoRow.taken_at, StaffRow.full_name)
                               .join(StaffRow, StaffRow.id == SessionPhotoRow.taken_by)
                               .where(SessionPhotoRow.session_id == plan_session_id)
                               .order_by(SessionPhotoRow.taken_at, SessionPhotoRow.id)).all()
        return tuple(SessionPhotoItem(*row) for row in rows)


def open_photo(ctx: ServiceContext, plan_session_id: str, photo_id: str) -> tuple[str, bytes]:
    """(mime type, image bytes); audited."""
    ctx.authorise(Action.THERAPY_PHOTO_VIEW, entity="plan_session", entity_id=plan_session_id)
    with ctx.unit_of_work() as session:
        row = session.get(SessionPhotoRow, photo_id)
        if row is None or row.session_id != plan_session_id:
            raise NotFound("That photo was not found.")
        if not row.sealed_content:  # a row pulled from HQ whose bytes travel separately (clinicdesk/sync/blobs.py)
            raise NotFound("This photo is still downloading from HQ; it opens after the next sync.")
        content = ctx.db.sealer.open(row.sealed_content, context=_context(row.id))
        ctx.audit(session, "therapy.photo_view", entity="plan_session", entity_id=plan_session_id)
        return row.mime_type, content
