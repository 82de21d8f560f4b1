"""Password policy (length, blocklist, no user words) and the sign-in delay and lock-out schedule."""

from datetime import UTC, datetime, timedelta

import pytest

from clinicdesk.domain.passwords import (
    LOCK_DURATION,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    SignInGate,
    failures_after_lock_expired,
    password_problem,
    sign_in_gate,
)
from clinicdesk.store.password_hashing import password_blocklist

USER_WORDS = ("asha.menon", "Asha", "Menon")


@pytest.fixture(scope="module")
def blocklist():
    return password_blocklist()


@pytest.mark.parametrize(("password", "words"), [
    ("short", f"at least {MIN_PASSWORD_LENGTH} characters"),
    ("123456789", f"at least {MIN_PASSWORD_LENGTH} characters"),
    ("x" * (MAX_PASSWORD_LENGTH - 1) + "yz", f"at most {MAX_PASSWORD_LENGTH}"),
    ("1234567890", "most common passwords"),
    ("qwertyuiop", "most common passwords"),
    ("Password123", "most common passwords"),
    ("PANCHAKARMA123", "most common passwords"),
    ("clinicdesk123", "most common passwords"),
    ("aaaaaaaaaaaa", "most common passwords"),
    ("abababababab", "most common passwords"),
    ("menon loves the monsoon", "must not contain your name or username"),
    ("I am ASHA from kochi", "must not contain your name or username"),
    ("login asha.menon now", "must not contain your name or username"),
])
def test_refused_passwords_say_why(blocklist, password, words):
    problem = password_problem(password, blocklist=blocklist, user_words=USER_WORDS)
    assert problem is not None and words in problem


@pytest.mark.parametrize("password", [
    "mango rain",  # exactly the minimum length
    "tea garden monsoon",
    "Correct horse battery staple",
    "k" + "ettle" * 25 + "ab",  # 128 characters
    "al is my best friend",  # user words shorter than 3 letters are not checked
])
def test_acceptable_passphrases(blocklist, password):
    assert len(password) <= MAX_PASSWORD_LENGTH
    assert password_problem(password, blocklist=blocklist, user_words=USER_WORDS + ("al",)) is None


def test_blocklist_has_the_common_and_the_clinic_lists(blocklist):
    assert len(blocklist) > 20000
    assert {"password", "iloveyou", "clinicdesk", "ayurveda@123"} <= blocklist


T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("failures", "seconds_later", "expected"), [
    (0, 0, SignInGate(allowed=True)),
    (1, 0, SignInGate(allowed=True)),
    (2, 0, SignInGate(allowed=True)),
    (3, 0, SignInGate(allowed=False, retry_at=T0 + timedelta(seconds=2))),
    (3, 1.999, SignInGate(allowed=False, retry_at=T0 + timedelta(seconds=2))),
    (3, 2, SignInGate(allowed=True)),
    (4, 0, SignInGate(allowed=False, retry_at=T0 + timedelta(seconds=4))),
    (4, 3.5, SignInGate(allowed=False, retry_at=T0 + timedelta(seconds=4))),
    (4, 4, SignInGate(allowed=True)),
    (5, 0, SignInGate(allowed=False, retry_at=T0 + timedelta(minutes=15), locked=True)),
    (5, 14 * 60 + 59, SignInGate(allowed=False, retry_at=T0 + timedelta(minutes=15), locked=True)),
    (5, 15 * 60, SignInGate(allowed=True)),
    (6, 60, SignInGate(allowed=False, retry_at=T0 + timedelta(minutes=15), locked=True)),
])
def test_sign_in_gate_schedule(failures, seconds_later, expected):
    now = T0 + timedelta(seconds=seconds_later)
    assert sign_in_gate(failures=failures, last_failure_at=T0, now=now) == expected


def test_gate_without_a_recorded_failure_time_is_open():
    assert sign_in_gate(failures=4, last_failure_at=None, now=T0).allowed


@pytest.mark.parametrize(("failures", "seconds_later", "expected"), [
    (5, LOCK_DURATION.total_seconds(), 0),
    (7, LOCK_DURATION.total_seconds() + 3600, 0),
    (5, LOCK_DURATION.total_seconds() - 1, 5),
    (4, 86400, 4),
    (0, 0, 0),
])
def test_failures_reset_only_once_a_lock_has_run_out(failures, seconds_later, expected):
    now = T0 + timedelta(seconds=seconds_later)
    assert failures_after_lock_expired(failures=failures, last_failure_at=T0, now=now) == expected


def test_after_an_expired_lock_one_more_mistake_does_not_lock_again():
    now = T0 + LOCK_DURATION
    failures = failures_after_lock_expired(failures=5, last_failure_at=T0, now=now) + 1
    assert sign_in_gate(failures=failures, last_failure_at=now, now=now).allowed
