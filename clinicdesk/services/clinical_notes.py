"""Transcripts and the SOAP note: drafting from a transcript, editing drafts, signing (final), and addenda."""

from sqlalchemy import select

from clinicdesk.domain import soap_draft
from clinicdesk.domain.consultations import ConsultationEvent
from clinicdesk.domain.errors import IllegalTransition, NotFound, ValidationError
from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_dto import (
    AddendumItem,
    DraftedMedication,
    NoteSentence,
    NoteView,
    SourceSpan,
    TranscriptSegment,
)
from clinicdesk.services.consultation_records import (
    advance,
    content_hash,
    latest_note,
    latest_transcript,
    load_consultation,
    note_context,
    open_json,
    seal_json,
    staff_names,
    transcript_context,
)
from clinicdesk.services.context import Changes, ServiceContext
from clinicdesk.store.models_consultation import ClinicalNoteRow, NoteAddendumRow, RecordingRow, TranscriptRow

MAX_SENTENCE = 2000
MAX_ADDENDUM = 4000
_LABELS = {"segments": "Transcript", "model": "Model", "language": "Language", "sections": "Note",
           "addendum": "Addendum", "transcript": "Transcript", "recording": "Recording"}
_SIGNED = "This note is signed and final, so it cannot be changed. Add an addendum instead."


def save_transcript(ctx: ServiceContext, consultation_id: str, segments, *, model: str, language: str = "en",
                    recording_id: str | None = None) -> tuple[str, Changes]:
    """What Whisper heard, as timed segments [(start, end, text)] or TranscriptSegment values; sealed."""
    user = ctx.authorise(Action.CONSULT_RUN, entity="consultation", entity_id=consultation_id)
    problems = {}
    cleaned = []
    for segment in segments:
        start, end, text = (segment.start, segment.end, segment.text) if isinstance(
            segment, TranscriptSegment | soap_draft.Segment) else segment
        if not 0 <= float(start) <= float(end) or not isinstance(text, str):
            problems["segments"] = "have a segment with times out of order or no text"
            break
        cleaned.append({"start": float(start), "end": float(end), "text": text.strip()})
    if not cleaned and "segments" not in problems:
        problems["segments"] = "are empty: nothing was heard"
    if not model.strip() or len(model) > 80:
        problems["model"] = "is required (at most 80 characters)"
    if not language.strip() or len(language) > 10:
        problems["language"] = "is required (at most 10 characters)"
    if problems:
        raise ValidationError(problems, _LABELS)
    with ctx.unit_of_work() as session:
        load_consultation(session, consultation_id)
        if recording_id is not None:
            recording = session.get(RecordingRow, recording_id)
            if recording is None or recording.consultation_id != consultation_id:
                raise ValidationError({"recording": "is not one of this consultation's recordings"}, _LABELS)
        transcript_id = ctx.make_id()
        context = transcript_context(transcript_id)
        session.add(TranscriptRow(
            id=transcript_id, consultation_id=consultation_id, recording_id=recording_id, model=model.strip(),
            language=language.strip(), created_at=ctx.now(), created_by=user.staff_id,
            sealed_text=ctx.db.sealer.seal(" ".join(s["text"] for s in cleaned).encode(), context=context),
            sealed_segments=seal_json(ctx, cleaned, context=context + ":segments")))
        ctx.audit(session, "consult.transcript_save", entity="consultation", entity_id=consultation_id,
                  detail=f"transcript {transcript_id}")
    return transcript_id, Changes(consultations=True)


def _segments(ctx: ServiceContext, row: TranscriptRow | None) -> list[soap_draft.Segment]:
    if row is None:
        return []
    raw = open_json(ctx, row.sealed_segments, context=transcript_context(row.id) + ":segments")
    return [soap_draft.Segment(s["start"], s["end"], s["text"]) for s in raw]


def _new_version(ctx: ServiceContext, session, consultation_id: str, payload: dict, version: int,
                 transcript_id: str | None) -> ClinicalNoteRow:
    note_id = ctx.make_id()
    row = ClinicalNoteRow(id=note_id, consultation_id=consultation_id, version=version, status="draft",
                          sealed_sections=seal_json(ctx, payload, context=note_context(note_id)),
                          source_transcript_id=transcript_id, written_by=ctx.user.staff_id, written_at=ctx.now(),
                          content_hash=content_hash(payload))
    session.add(row)
    return row


def draft_note_from_transcript(ctx: ServiceContext, consultation_id: str,
                               transcript_id: str | None = None) -> tuple[NoteView, Changes]:
    """A new draft version from the transcript (the newest when none is named); every sentence cites its source."""
    ctx.authorise(Action.NOTE_WRITE, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work(write_lock=True) as session:
        consultation = load_consultation(session, consultation_id)
        transcript = session.get(TranscriptRow, transcript_id) if transcript_id else latest_transcript(
            session, consultation_id)
        if transcript is None or transcript.consultation_id != consultation_id:
            raise ValidationError({"transcript": "is missing: record or type the consultation first"}, _LABELS)
        advance(consultation, ConsultationEvent.DRAFT_NOTE, ctx.now())
        previous = latest_note(session, consultation_id)
        drafted = soap_draft.draft(_segments(ctx, transcript))
        row = _new_version(ctx, session, consultation_id, soap_draft.draft_to_dict(drafted),
                           previous.version + 1 if previous else 1, transcript.id)
        session.flush()
        ctx.audit(session, "consult.note_draft", entity="consultation", entity_id=consultation_id,
                  detail=f"note {row.id} v{row.version}")
        return _view(ctx, session, row), Changes(consultations=True)


def update_note_draft(ctx: ServiceContext, note_id: str, sections: dict[str, list[str]]) -> tuple[NoteView, Changes]:
    """The doctor's edit of the current draft, saved as a new version. Unchanged sentences keep their sources;
    new ones are matched against the transcript and flagged when nothing said backs them. Sections not given
    stay as they were; vitals and drafted medicines are carried over."""
    ctx.authorise(Action.NOTE_WRITE, entity="clinical_note", entity_id=note_id)
    unknown = sorted(set(sections) - set(soap_draft.SECTIONS))
    if unknown:
        raise ValidationError({"sections": "has unknown parts: " + ", ".join(unknown)}, _LABELS)
    for lines in sections.values():
        if isinstance(lines, str) or any(not isinstance(t, str) or len(t) > MAX_SENTENCE for t in lines):
            raise ValidationError({"sections": f"must be lists of sentences of at most {MAX_SENTENCE} characters"},
                                  _LABELS)
    with ctx.unit_of_work(write_lock=True) as session:
        row = _current(session, note_id)
        consultation = load_consultation(session, row.consultation_id)
        advance(consultation, ConsultationEvent.DRAFT_NOTE, ctx.now())
        payload = open_json(ctx, row.sealed_sections, context=note_context(row.id))
        segments = _segments(ctx, session.get(TranscriptRow, row.source_transcript_id)
                             if row.source_transcript_id else latest_transcript(session, row.consultation_id))
        known = {s["text"].strip(): s for lines in payload["sections"].values() for s in lines}
        for name, lines in sections.items():
            kept = []
            for text in (" ".join(t.split()) for t in lines):
                if not text:
                    continue
                if text in known:
                    kept.append(known[text])
                else:
                    kept.append(soap_draft.sentence_to_dict(soap_draft.find_support(text, segments)))
            payload["sections"][name] = kept
        new = _new_version(ctx, session, row.consultation_id, payload, row.version + 1, row.source_transcript_id)
        session.flush()
        ctx.audit(session, "consult.note_edit", entity="consultation", entity_id=row.consultation_id,
                  detail=f"note {new.id} v{new.version}")
        return _view(ctx, session, new), Changes(consultations=True)


def _current(session, note_id: str) -> ClinicalNoteRow:
    """The note, which must be the newest version and still a draft."""
    row = session.get(ClinicalNoteRow, note_id)
    if row is None:
        raise NotFound("That note was not found.")
    newest = latest_note(session, row.consultation_id)
    if newest.status == "signed":
        raise IllegalTransition(_SIGNED)
    if newest.id != row.id:
        raise IllegalTransition(f"This is version {row.version}, but the note has been edited since "
                                f"(version {newest.version}). Reopen the note and edit the newest version.")
    return row


def sign_note(ctx: ServiceContext, note_id: str, *, acknowledge_unsupported: bool = False) -> tuple[NoteView,
                                                                                                      Changes]:
    """The doctor signs the current draft: it becomes final, with a hash of its content, and the consultation ends.
    Sentences that nothing in the transcript backs must be acknowledged first."""
    user = ctx.authorise(Action.NOTE_SIGN, entity="clinical_note", entity_id=note_id)
    with ctx.unit_of_work(write_lock=True) as session:
        row = _current(session, note_id)
        payload = open_json(ctx, row.sealed_sections, context=note_context(row.id))
        lines = [s for part in payload["sections"].values() for s in part]
        if not lines:
            raise ValidationError({"sections": "is empty: write at least one sentence before signing"}, _LABELS)
        flagged = sum(1 for s in lines if not s["supported"])
        if flagged and not acknowledge_unsupported:
            raise ValidationError({"sections": f"has {flagged} sentence{'s' if flagged > 1 else ''} not heard in "
                                               "the recording; check them, then sign again to confirm"}, _LABELS)
        consultation = load_consultation(session, row.consultation_id)
        advance(consultation, ConsultationEvent.SIGN, ctx.now())
        consultation.ended_at = ctx.now()
        row.status, row.signed_by, row.signed_at = "signed", user.staff_id, ctx.now()
        row.content_hash = content_hash(payload)
        ctx.audit(session, "consult.note_sign", entity="consultation", entity_id=row.consultation_id,
                  detail=f"note {row.id} v{row.version}")
        return _view(ctx, session, row), Changes(consultations=True)


def add_addendum(ctx: ServiceContext, note_id: str, text: str) -> tuple[str, Changes]:
    """A later addition to a signed note (the note itself never changes)."""
    user = ctx.authorise(Action.NOTE_WRITE, entity="clinical_note", entity_id=note_id)
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_ADDENDUM:
        raise ValidationError({"addendum": f"is required (at most {MAX_ADDENDUM} characters)"}, _LABELS)
    with ctx.unit_of_work() as session:
        row = session.get(ClinicalNoteRow, note_id)
        if row is None:
            raise NotFound("That note was not found.")
        if row.status != "signed":
            raise IllegalTransition("This note is still a draft: edit it instead of adding an addendum.")
        addendum_id = ctx.make_id()
        session.add(NoteAddendumRow(id=addendum_id, note_id=note_id, author_id=user.staff_id, at=ctx.now(),
                                    sealed_text=ctx.db.sealer.seal(cleaned.encode(),
                                                                   context=f"note-addendum:{addendum_id}")))
        ctx.audit(session, "consult.note_addendum", entity="consultation", entity_id=row.consultation_id,
                  detail=f"note {note_id}")
    return addendum_id, Changes(consultations=True)


def get_note(ctx: ServiceContext, consultation_id: str) -> NoteView | None:
    """The current version of the consultation's note with its sources and addenda; None before any draft."""
    ctx.authorise(Action.CONSULT_VIEW, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        load_consultation(session, consultation_id)
        row = latest_note(session, consultation_id)
        ctx.audit(session, "consult.note_view", entity="consultation", entity_id=consultation_id)
        return _view(ctx, session, row) if row else None


def get_transcript(ctx: ServiceContext, consultation_id: str) -> tuple[TranscriptSegment, ...]:
    """The newest transcript's segments (empty when none was saved)."""
    ctx.authorise(Action.CONSULT_VIEW, entity="consultation", entity_id=consultation_id)
    with ctx.unit_of_work() as session:
        load_consultation(session, consultation_id)
        segments = _segments(ctx, latest_transcript(session, consultation_id))
        ctx.audit(session, "consult.transcript_view", entity="consultation", entity_id=consultation_id)
        return tuple(TranscriptSegment(s.start, s.end, s.text) for s in segments)


def _view(ctx: ServiceContext, session, row: ClinicalNoteRow) -> NoteView:
    payload = open_json(ctx, row.sealed_sections, context=note_context(row.id))
    drafted = soap_draft.draft_from_dict(payload)
    segments = _segments(ctx, session.get(TranscriptRow, row.source_transcript_id) if row.source_transcript_id
                         else None)

    def source(span: soap_draft.Span) -> SourceSpan:
        if span.segment < len(segments):
            segment = segments[span.segment]
            return SourceSpan(span.segment, span.start, span.end, segment.start, segment.end,
                              segment.text[span.start:span.end])
        return SourceSpan(span.segment, span.start, span.end, 0.0, 0.0, "")

    addenda = session.scalars(select(NoteAddendumRow).where(NoteAddendumRow.note_id == row.id)
                              .order_by(NoteAddendumRow.at, NoteAddendumRow.id)).all()
    names = staff_names(session, {row.signed_by} | {a.author_id for a in addenda})
    return NoteView(
        row.id, row.consultation_id, row.version, row.status,
        {name: tuple(NoteSentence(s.text, tuple(source(x) for x in s.sources), s.supported) for s in lines)
         for name, lines in drafted.sections.items()},
        dict(drafted.vitals),
        tuple(DraftedMedication(m.name, m.dose, m.dose_unit, m.frequency, m.food_timing, m.duration_days, m.route)
              for m in drafted.medications),
        row.written_at, names.get(row.signed_by, ""), row.signed_at, row.content_hash if row.status == "signed"
        else "",
        tuple(AddendumItem(a.id, ctx.db.sealer.open(a.sealed_text, context=f"note-addendum:{a.id}").decode(),
                           names.get(a.author_id, ""), a.at) for a in addenda))


