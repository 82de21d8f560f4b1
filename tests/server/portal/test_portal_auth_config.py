"""The portal's start-up settings and its phone lookup's edges: the hash key file, the gateway options of
`clinicdesk server`, phones saved in older forms, and who counts as under 18."""

import argparse
import stat
from datetime import date

import pytest

from clinicdesk.cli import build_parser
from clinicdesk.server.portal.config import PortalConfig, load_or_create_hash_key
from clinicdesk.server.portal.phone_lookup import adult_cutoff, records_of_phone
from clinicdesk.server_command import portal_config
from tests.server.portal.conftest import KOCHI, patient_fields, seed_rows


def test_the_hash_key_file_is_made_once_private_and_then_reused(tmp_path):
    path = tmp_path / "hq" / "portal-hash-key"
    first = load_or_create_hash_key(path)
    assert len(first) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_hash_key(path) == first
    path.write_text("not hex\n")
    with pytest.raises(ValueError, match="not hex"):
        load_or_create_hash_key(path)


def test_a_short_hash_key_is_refused():
    with pytest.raises(ValueError, match="at least 32 bytes"):
        PortalConfig(hash_key=b"short")


def test_the_server_options_configure_the_gateway_with_the_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CLINICDESK_PORTAL_SMS_KEY", "sms-secret")
    args = build_parser().parse_args(["server", "--dev-self-signed", "--portal-sms-url", "https://sms.example.in/v1",
                                      "--portal-sms-sender", "SUKHAM", "--portal-database-url",
                                      "postgresql://clinicdesk_portal@db/hq"])
    config = portal_config(args, tmp_path)
    assert (config.sms_gateway.url, config.sms_gateway.api_key, config.sms_gateway.sender_id) == (
        "https://sms.example.in/v1", "sms-secret", "SUKHAM")
    assert args.portal_database_url == "postgresql://clinicdesk_portal@db/hq"
    assert (tmp_path / "portal-hash-key").exists()
    assert portal_config(args, tmp_path).hash_key == config.hash_key


def test_without_a_gateway_url_there_is_no_gateway_and_plain_http_is_refused(tmp_path):
    bare = argparse.Namespace(portal_sms_url=None, portal_sms_sender="", portal_hash_key_file=None)
    assert portal_config(bare, tmp_path).sms_gateway is None
    plain = argparse.Namespace(portal_sms_url="http://sms.example.in/v1", portal_sms_sender="",
                               portal_hash_key_file=str(tmp_path / "key"))
    with pytest.raises(ValueError, match="https://"):
        portal_config(plain, tmp_path)


@pytest.mark.parametrize("today, cutoff", [(date(2026, 11, 26), "2008-11-26"), (date(2028, 2, 29), "2010-02-28")])
def test_the_adult_cutoff_is_the_18th_birthday(today, cutoff):
    assert adult_cutoff(today) == cutoff


def test_phones_saved_without_the_country_code_are_found_and_an_18th_birthday_ends_guardianship(portal):
    today = date(2026, 11, 26)
    with portal.transaction(KOCHI) as session:
        seed_rows(session, {
            (KOCHI, "patients", "old-form"): patient_fields(KOCHI, "Old", "Form", "1970-01-01", "9447012345"),
            (KOCHI, "patients", "turns-18"): patient_fields(KOCHI, "Turns", "Eighteen", "2008-11-26", "+919447000001",
                                                           "09447012345", "FATHER"),
            (KOCHI, "patients", "17"): patient_fields(KOCHI, "Still", "Seventeen", "2008-11-27", "+919447000002",
                                                     "+919447012345", " Guardian "),
            (KOCHI, "patients", "uncle"): patient_fields(KOCHI, "Nephew", "Minor", "2015-01-01", "+919447000003",
                                                        "+919447012345", "uncle"),
        })
    with portal.transaction() as session:
        found = records_of_phone(session, "+919447012345", today)
    assert [(r.patient_id, r.as_guardian) for r in found] == [("old-form", False), ("17", True)]
