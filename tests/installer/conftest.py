"""The `bundle` marker: tests that build the PyInstaller bundle run only when selected (-m bundle) or asked for."""

import os

import pytest

BUNDLE_MARKER = "bundle"
# Set to a built dist/ClinicDesk folder to test that bundle instead of building one (saves the build).
EXISTING_BUNDLE_ENV = "CLINICDESK_BUNDLE"


def pytest_configure(config):
    config.addinivalue_line("markers", f"{BUNDLE_MARKER}: builds the Linux bundle with PyInstaller (minutes); "
                                       f"select with -m {BUNDLE_MARKER}")


def pytest_collection_modifyitems(config, items):
    # The build takes longer than the rest of the suite on a 2-core machine, so the default run leaves it out.
    if BUNDLE_MARKER in (config.getoption("-m") or "") or os.environ.get(EXISTING_BUNDLE_ENV):
        return
    skip = pytest.mark.skip(reason=f"builds the bundle; run with -m {BUNDLE_MARKER} (or {EXISTING_BUNDLE_ENV}=dir)")
    for item in items:
        if BUNDLE_MARKER in item.keywords:
            item.add_marker(skip)
