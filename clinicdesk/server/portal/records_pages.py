"""The portal's records page and its PDF downloads: GET /records and GET /records/{kind}/{row_id}.pdf."""

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from clinicdesk.server.portal.access import portal_transaction
from clinicdesk.server.portal.audit import audit
from clinicdesk.server.portal.consultation_notes import NoteUnavailable, note_opener_for
from clinicdesk.server.portal.identity import PortalIdentity
from clinicdesk.server.portal.record_choice import opens_several_records
from clinicdesk.server.portal.record_documents import KINDS, RecordEntry, list_records, record_pdf
from clinicdesk.server.portal.record_scope import open_scope
from clinicdesk.server.portal.rendering import render
from clinicdesk.server.portal.sessions import current_identity

router = APIRouter()

MAX_ROW_ID = 64  # row ids are UUIDs; anything longer is not one of ours and is not looked up
LATEST_SHOWN = 5  # of each kind; a course patient's dozens of bills would make the phone page metres long


def _refused(request: Request, identity: PortalIdentity, message: str, status_code: int) -> HTMLResponse:
    return render(request, "error.html", identity, status_code=status_code, message=message, back="/portal/records")


def _section(kind: str, entries: list[RecordEntry], show_all: str) -> dict:
    """One kind's records, newest first: the latest few, or every one when the patient asked for all of them."""
    expanded = show_all == kind
    return {"kind": kind, "entries": entries if expanded else entries[:LATEST_SHOWN], "total": len(entries),
            "more": not expanded and len(entries) > LATEST_SHOWN}


@router.get("/records", response_class=HTMLResponse)
def records_page(request: Request, show_all: str = Query("", alias="all"),
                 identity: PortalIdentity = Depends(current_identity)) -> HTMLResponse:
    """Each kind's latest records with a download link; ?all=<kind> lists every one of that kind (any other value,
    or none, shows the latest only: an odd link is not an error worth a page)."""
    with portal_transaction(request, identity) as session:
        scope = open_scope(session, identity.centre_id, identity.patient_id)
        records = list_records(scope) if scope is not None else {kind: [] for kind in KINDS}
        audit(session, identity, "records.view", show_all if show_all in KINDS else "")
        switch_record = opens_several_records(session, identity)
    return render(request, "records.html", identity, switch_record=switch_record,
                  sections=[_section(kind, records[kind], show_all) for kind in KINDS])


@router.get("/records/{kind}/{row_id}.pdf")
def record_download(kind: str, row_id: str, request: Request,
                    identity: PortalIdentity = Depends(current_identity)) -> Response:
    """The PDF as an attachment. Anything not the patient's own record of that kind is a 404 that records nothing
    and reveals nothing (a guessed id of another patient looks exactly like an id that does not exist)."""
    if kind not in KINDS or not 0 < len(row_id) <= MAX_ROW_ID:
        return _refused(request, identity, "records.not_found", 404)
    portal = request.app.state.portal
    with portal_transaction(request, identity) as session:
        scope = open_scope(session, identity.centre_id, identity.patient_id)
        if scope is None:
            return _refused(request, identity, "records.not_found", 404)
        today = portal.clock().astimezone(scope.zone).date()
        notes = note_opener_for(portal, session, identity.centre_id) if kind in ("consultation", "prescription",
                                                                                 "discharge") else None
        try:
            document = record_pdf(scope, kind, row_id, language=identity.language, today=today, notes=notes)
        except NoteUnavailable:
            return _refused(request, identity, "records.note_unavailable", 503)
        if document is None:
            return _refused(request, identity, "records.not_found", 404)
        audit(session, identity, f"records.download.{kind}", row_id)
    return Response(document.content, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{document.file_name}"',
        "Cache-Control": "no-store",  # a shared phone or a proxy must not keep a patient's document
        "X-Content-Type-Options": "nosniff"})
