"""Raises a "possible duplicate patient" review item when a push creates a patient who may already be registered
in the same centre (domain.sync.duplicates.possible_duplicate); nothing is merged automatically."""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinicdesk.domain.sync.duplicates import normalised_name, normalised_phone, possible_duplicate
from clinicdesk.domain.sync.merge import RowState
from clinicdesk.server.sync_models import ReviewItemRow, RowStateRow

PATIENTS = "patients"
POSSIBLE_DUPLICATE = "possible_duplicate"
_DOB_CHUNK = 500  # bound parameters per IN list


def match_keys(values: Mapping[str, object]) -> dict[str, str]:
    """What a patient can be matched on, by kind; possible_duplicate needs the same date of birth and one of these,
    so only patients sharing a key need the full comparison."""
    dob = str(values.get("date_of_birth") or "")
    if not dob:
        return {}
    keys = {"name": normalised_name(str(values.get("given_name") or ""), str(values.get("family_name") or "")),
            "local_name": normalised_name(str(values.get("name_local") or "")),
            "phone": normalised_phone(str(values.get("phone") or ""))}
    return {kind: f"{kind}:{dob}:{key}" for kind, key in keys.items() if key}


class DuplicateWatch:
    """One push batch's view of the centre's live patients born on a date that a patient of the batch gives, loaded
    once on the first new patient of the batch (a new row's values are its operation's fields, so those dates are
    every date a new patient of the batch can have)."""

    def __init__(self, session: Session, centre_id: str, now: datetime, wires: Iterable[Mapping]):
        self.session, self.centre_id, self.now = session, centre_id, now
        self._dates = sorted({str(wire["fields"]["date_of_birth"]) for wire in wires if wire.get("table") == PATIENTS
                              and isinstance(wire.get("fields"), Mapping) and wire["fields"].get("date_of_birth")})
        self._patients: dict[str, Mapping[str, object]] | None = None
        self._by_key: dict[str, set[str]] = defaultdict(set)
        self._raised: set[str] = set()

    def _load(self) -> None:
        self._patients = {}
        born = RowStateRow.field_values["date_of_birth"].as_string()
        for start in range(0, len(self._dates), _DOB_CHUNK):
            for row_id, values in self.session.execute(
                    select(RowStateRow.row_id, RowStateRow.field_values).where(
                        RowStateRow.centre_id == self.centre_id, RowStateRow.table_name == PATIENTS,
                        RowStateRow.deleted.is_(None), born.in_(self._dates[start:start + _DOB_CHUNK]))):
                self._remember(row_id, values)

    def _remember(self, row_id: str, values: Mapping[str, object]) -> None:
        self._patients[row_id] = values
        for key in match_keys(values).values():
            self._by_key[key].add(row_id)

    def row_created(self, state: RowState, op_id: str) -> None:
        """Call before the new row is stored: compares it with every live patient sharing a match key."""
        if state.table != PATIENTS or state.is_deleted:
            return
        if self._patients is None:
            self._load()
        keys = match_keys(state.values)
        candidates = set().union(*(self._by_key.get(key, set()) for key in keys.values())) - {state.row_id}
        for other in sorted(candidates):
            if possible_duplicate(state.values, self._patients[other]):
                matched = sorted(kind for kind, key in keys.items() if other in self._by_key.get(key, ()))
                self._raise(state.row_id, other, "+".join([*matched, "date_of_birth"]), op_id)
        self._remember(state.row_id, dict(state.values))

    def _raise(self, row_id: str, other: str, matched_on: str, op_id: str) -> None:
        key = f"{POSSIBLE_DUPLICATE}:{PATIENTS}:{':'.join(sorted((row_id, other)))}"
        item_id = hashlib.sha256(key.encode()).hexdigest()
        if item_id in self._raised or self.session.get(ReviewItemRow, (self.centre_id, item_id)) is not None:
            return
        self._raised.add(item_id)
        self.session.add(ReviewItemRow(centre_id=self.centre_id, id=item_id, kind=POSSIBLE_DUPLICATE,
                                       table_name=PATIENTS, row_id=row_id, other_row_id=other, matched_on=matched_on,
                                       raised_by_op_id=op_id, created_at=self.now))
