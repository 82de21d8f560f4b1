"""The desktop app: the only package that imports PySide6 (start-up, main window, task runner, views, dialogs)."""
