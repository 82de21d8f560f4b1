"""The audit hash chain: deterministic hashes and exact reports of altered, deleted and reordered entries."""

from dataclasses import fields, replace

import pytest

from clinicdesk.domain.audit_chain import GENESIS_HASH, AuditFields, ChainProblem, entry_hash, verify_chain


def make_chain(n: int = 6) -> list[tuple[AuditFields, str, str]]:
    chain, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        entry = AuditFields(seq=seq, at=f"2026-11-26T10:00:{seq:02d}.000+00:00", actor="frontdesk",
                            action="patient.view", entity="patient", entity_id=f"id-{seq}", outcome="ok",
                            detail="")
        digest = entry_hash(prev, entry)
        chain.append((entry, prev, digest))
        prev = digest
    return chain


def test_entry_hash_is_deterministic_sha256_hex():
    entry, prev, digest = make_chain(1)[0]
    assert entry_hash(prev, entry) == entry_hash(GENESIS_HASH, replace(entry)) == digest
    assert len(digest) == 64 and int(digest, 16) >= 0


@pytest.mark.parametrize("name", [f.name for f in fields(AuditFields)])
def test_every_field_changes_the_hash(name):
    entry = make_chain(1)[0][0]
    changed = replace(entry, **{name: 99 if name == "seq" else getattr(entry, name) + "x"})
    assert entry_hash(GENESIS_HASH, changed) != entry_hash(GENESIS_HASH, entry)


def test_previous_hash_changes_the_hash():
    entry = make_chain(1)[0][0]
    assert entry_hash("1" * 64, entry) != entry_hash(GENESIS_HASH, entry)


def test_fields_cannot_be_shifted_between_columns():
    entry = make_chain(1)[0][0]
    a = replace(entry, entity="patient", entity_id="x")
    b = replace(entry, entity="patientx", entity_id="")
    assert entry_hash(GENESIS_HASH, a) != entry_hash(GENESIS_HASH, b)


def test_intact_chain_has_no_problems():
    assert verify_chain(make_chain()) == []
    assert verify_chain([]) == []


@pytest.mark.parametrize("name", ["at", "actor", "action", "entity", "entity_id", "outcome", "detail"])
def test_altered_entry_is_reported_at_its_seq(name):
    chain = make_chain()
    entry, prev, digest = chain[2]
    chain[2] = (replace(entry, **{name: getattr(entry, name) + "!"}), prev, digest)
    [problem] = verify_chain(chain)
    assert problem.seq == 3
    assert "altered" in problem.message


def test_altered_stored_hash_is_reported_at_its_seq():
    chain = make_chain()
    entry, prev, _ = chain[3]
    chain[3] = (entry, prev, "f" * 64)
    assert verify_chain(chain)[0].seq == 4


@pytest.mark.parametrize(("deleted", "seq", "words"), [
    ([0], 1, "entry 1 missing"),
    ([2], 3, "entry 3 missing (deleted) before entry 4"),
    ([2, 3], 3, "entries 3-4 missing"),
    ([4], 5, "entry 5 missing"),
])
def test_deleted_entries_show_as_a_gap(deleted, seq, words):
    chain = [link for i, link in enumerate(make_chain()) if i not in deleted]
    [problem] = verify_chain(chain)
    assert problem.seq == seq
    assert words in problem.message


def test_reordered_list_is_reported_at_the_first_misplaced_seq():
    chain = make_chain()
    chain[1], chain[2] = chain[2], chain[1]
    assert verify_chain(chain)[0].seq == 2


def test_entries_renumbered_into_a_new_order_are_reported():
    """Swapping two rows' sequence numbers in the database keeps seq order but breaks the links."""
    chain = make_chain()
    (e2, p2, h2), (e3, p3, h3) = chain[1], chain[2]
    chain[1] = (replace(e3, seq=2), p3, h3)
    chain[2] = (replace(e2, seq=3), p2, h2)
    [problem] = verify_chain(chain)
    assert problem == ChainProblem(2, "entry 2 does not follow the entry before it")


def test_duplicated_seq_is_out_of_order():
    chain = make_chain()
    chain.insert(2, chain[1])
    [problem] = verify_chain(chain)
    assert "out of order" in problem.message
