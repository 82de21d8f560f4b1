"""The bundle's entry point: no arguments starts the desktop app; a CLI sub-command (demo, transcribe...) runs."""

import multiprocessing
import sys


def bundle_argv(argv: list[str], commands: set[str]) -> list[str]:
    """Put `app` in front when no sub-command was named, so a double-click (no arguments) opens the app."""
    if any(token in commands for token in argv) or any(token in ("-h", "--help") for token in argv):
        return argv
    return ["app", *argv]


def main() -> int:
    from clinicdesk.cli import build_parser
    from clinicdesk.cli import main as cli_main

    sub_actions = [action for action in build_parser()._actions if getattr(action, "choices", None)]
    commands = {name for action in sub_actions for name in action.choices}
    return cli_main(bundle_argv(sys.argv[1:], commands))


if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen child process must not start a second app
    sys.exit(main())
