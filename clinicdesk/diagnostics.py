"""Logging and crash reports that never carry patient data: tracebacks keep places, not messages or values."""

import logging
import logging.handlers
import sys
import threading
import traceback
from pathlib import Path

LOG_DIR = "logs"
log = logging.getLogger("clinicdesk")


def scrubbed_traceback(exc: BaseException) -> str:
    """Where it failed (files, lines, functions) and the exception's type, without its message.

    Exception messages can quote the data being saved (a database error lists the values of the row), so
    only the type name is kept; the frames are enough to find the bug.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
    cause = exc.__cause__ or exc.__context__
    chained = f"\n(caused by {type(cause).__module__}.{type(cause).__qualname__})" if cause else ""
    return "Traceback (most recent call last):\n" + "\n".join(lines) + \
        f"\n{type(exc).__module__}.{type(exc).__qualname__} (message withheld: it may contain patient data){chained}"


def log_failure(what: str, exc: BaseException) -> None:
    log.error("%s\n%s", what, scrubbed_traceback(exc))


def configure_logging(data_dir: Path, *, level: int = logging.INFO) -> Path:
    """A rotating log file in the clinic folder (5 x 2 MB); returns its path."""
    folder = data_dir / LOG_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "clinicdesk.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return path


def install_crash_hooks() -> None:
    """Unhandled errors in any thread are logged scrubbed instead of printed with their messages."""

    def on_uncaught(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log_failure("Unhandled error", exc.with_traceback(tb))
        print(scrubbed_traceback(exc.with_traceback(tb)), file=sys.stderr)

    def on_thread_uncaught(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log_failure(f"Unhandled error in thread {args.thread.name if args.thread else '?'}", args.exc_value)

    sys.excepthook = on_uncaught
    threading.excepthook = on_thread_uncaught
