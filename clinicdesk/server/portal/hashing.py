"""Hashes the portal keeps instead of secrets: SHA-256 of tokens, keyed HMACs of phones and client addresses."""

import hashlib
import hmac
import secrets


def sha256_hex(token: str) -> str:
    """Session tokens and challenges are 256 random bits: a plain hash suffices (nothing to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value`, separated by purpose so a phone's hash never equals an address's."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def phone_key(key: bytes, normalised_phone: str) -> str:
    return keyed_hash(key, "phone", normalised_phone)


def client_key(key: bytes, client_address: str) -> str:
    return keyed_hash(key, "client", client_address)


def code_hash(salt: str, code: str) -> str:
    """A code is 6 digits: the salt keeps two equal codes apart, the iterations slow a stolen table's guessing."""
    return hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), 20_000).hex()


def new_salt() -> str:
    return secrets.token_hex(16)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
