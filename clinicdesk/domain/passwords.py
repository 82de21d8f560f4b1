"""Staff password rules (length and a blocklist, no composition rules) and the sign-in lock-out schedule."""

from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
LOCK_AFTER_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)


def password_problem(password: str, *, blocklist: frozenset[str], user_words: tuple[str, ...] = ()) -> str | None:
    """A sentence saying why this password is refused, or None when it is acceptable (NIST SP 800-63B style)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long; a short sentence is easy to remember"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters long"
    lowered = password.lower()
    if lowered in blocklist or len(set(lowered)) <= 2:
        return "is one of the most common passwords and would be guessed quickly; choose another"
    for word in user_words:
        if word and len(word) >= 3 and word.lower() in lowered:
            return "must not contain your name or username"
    return None


@dataclass(frozen=True)
class SignInGate:
    """Whether a sign-in attempt may be tried now, and if not, until when."""

    allowed: bool
    retry_at: datetime | None = None
    locked: bool = False


def sign_in_gate(*, failures: int, last_failure_at: datetime | None, now: datetime) -> SignInGate:
    """Increasing delay after the 3rd failure (2 s, 4 s), lock-out for 15 minutes after the 5th."""
    if failures <= 0 or last_failure_at is None:
        return SignInGate(allowed=True)
    if failures >= LOCK_AFTER_FAILURES:
        until = last_failure_at + LOCK_DURATION
        return SignInGate(allowed=now >= until, retry_at=until if now < until else None, locked=now < until)
    if failures >= 3:
        until = last_failure_at + timedelta(seconds=2 ** (failures - 2))
        return SignInGate(allowed=now >= until, retry_at=until if now < until else None)
    return SignInGate(allowed=True)


def failures_after_lock_expired(*, failures: int, last_failure_at: datetime | None, now: datetime) -> int:
    """Once a lock-out has run out the counter starts again, so one more mistake does not lock at once."""
    if failures >= LOCK_AFTER_FAILURES and last_failure_at and now >= last_failure_at + LOCK_DURATION:
        return 0
    return failures
