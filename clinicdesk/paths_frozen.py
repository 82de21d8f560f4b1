"""Where this ClinicDesk is running from: a source checkout or installed package, or a PyInstaller bundle."""

import sys
from pathlib import Path


def is_frozen() -> bool:
    """True inside a PyInstaller bundle (the installer's build), False when run from Python and site-packages."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_dir() -> Path | None:
    """The bundle's read-only data folder (sys._MEIPASS: _internal/ beside the executable); None when not frozen.

    Bundled files (migrations/, resources/, model packages) are read from here; nothing is ever written here,
    because the install folder may belong to an administrator (Program Files, /opt).
    """
    return Path(sys._MEIPASS) if is_frozen() else None


def bundled_path(*parts: str) -> Path | None:
    """A path inside the bundle if running frozen and it exists there; None otherwise (callers fall back)."""
    root = bundle_dir()
    if root is None:
        return None
    candidate = root.joinpath(*parts)
    return candidate if candidate.exists() else None
