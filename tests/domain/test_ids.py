"""UUIDv7 identifiers: version and variant bits, the timestamp they carry, and time ordering."""

import uuid

import pytest

from clinicdesk.domain.ids import uuid7

MS = 1_795_000_000_000


@pytest.mark.parametrize("random_bytes", [bytes(10), b"\xff" * 10, bytes(range(10)), bytes(range(200, 212))])
def test_version_variant_and_timestamp(random_bytes):
    value = uuid.UUID(uuid7(unix_ms=MS, random_bytes=random_bytes))
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert value.int >> 80 == MS


def test_random_bits_are_used():
    a = uuid7(unix_ms=MS, random_bytes=bytes(10))
    b = uuid7(unix_ms=MS, random_bytes=bytes(9) + b"\x01")
    c = uuid7(unix_ms=MS, random_bytes=b"\x01" + bytes(9))
    assert len({a, b, c}) == 3


def test_ids_sort_by_timestamp_whatever_the_random_part():
    made = [uuid7(unix_ms=MS + step, random_bytes=bytes([255 - step] * 10)) for step in range(50)]
    assert sorted(made) == made
    assert sorted(made, key=uuid.UUID) == made


def test_too_few_random_bytes_raise():
    with pytest.raises(ValueError, match="10 random bytes"):
        uuid7(unix_ms=MS, random_bytes=b"123")
