"""The clinic's own words (therapies, medicines and oils in stock) for the speech model's vocabulary prompt."""

from sqlalchemy import select

from clinicdesk.domain.roles import Action
from clinicdesk.services import protocol_library
from clinicdesk.services.context import ServiceContext
from clinicdesk.store.models_therapy import StockItemRow

MAX_TERMS = 60  # Whisper's prompt holds 224 tokens; the commonest words must fit


def clinical_terms(ctx: ServiceContext, centre_id: str) -> list[str]:
    """Therapy names from the protocol library, then the names of active stock items, no repeats."""
    ctx.authorise(Action.CONSULT_VIEW)
    # "Abhyanga (full-body oil massage)": the name alone; the explanation would only crowd the prompt
    names = [therapy.name.split(" (")[0] for therapy in protocol_library.library().therapies.values()]
    with ctx.unit_of_work() as session:
        names += session.scalars(select(StockItemRow.name).where(
            StockItemRow.centre_id == centre_id, StockItemRow.active.is_(True)).order_by(StockItemRow.name)).all()
    terms: list[str] = []
    seen: set[str] = set()
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            terms.append(name)
    return terms[:MAX_TERMS]
