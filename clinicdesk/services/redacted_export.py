"""Saving a consultation's reviewed, redacted transcript to a file: the only way its text leaves the app."""

import os
from pathlib import Path

from clinicdesk.domain.roles import Action
from clinicdesk.services.consultation_records import load_consultation
from clinicdesk.services.context import ServiceContext


def export_redacted_transcript(ctx: ServiceContext, consultation_id: str, redacted_text: str, path: Path,
                               *, removed: int) -> Path:
    """Write the text the doctor reviewed (UTF-8, atomically) and audit the export with how much was removed."""
    ctx.authorise(Action.CONSULT_VIEW, entity="consultation", entity_id=consultation_id)
    target = Path(path)
    with ctx.unit_of_work() as session:
        load_consultation(session, consultation_id)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(redacted_text, encoding="utf-8")
        os.replace(partial, target)
        ctx.audit(session, "consult.redacted_export", entity="consultation", entity_id=consultation_id,
                  detail=f"{removed} identifiers removed")
    return target
