"""Time-ordered record identifiers (UUID version 7) so rows made on different machines never collide."""

import uuid


def uuid7(*, unix_ms: int, random_bytes: bytes) -> str:
    """Build a UUIDv7 string from a millisecond timestamp and 10 random bytes (both passed in: no clock here)."""
    if len(random_bytes) < 10:
        raise ValueError("uuid7 needs 10 random bytes")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    rand = int.from_bytes(random_bytes[:10], "big")
    rand_a = (rand >> 68) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value |= 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))
