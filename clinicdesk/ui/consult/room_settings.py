"""This machine's consultation-room choices (speech model, microphone), kept in its local configuration file."""

from dataclasses import replace

from clinicdesk.ui.app_context import AppContext


def speech_model(app: AppContext) -> str:
    return app.ctx.db.config.speech_model


def microphone_name(app: AppContext) -> str:
    return app.ctx.db.config.microphone_name


def _remember(app: AppContext, **changes) -> None:
    database = app.ctx.db
    if any(getattr(database.config, name) != value for name, value in changes.items()):
        database.config = replace(database.config, **changes)
        database.config.save(database.data_dir)


def remember_microphone(app: AppContext, name: str) -> None:
    """The USB microphone chosen here is offered first next time, even after its device number changes."""
    _remember(app, microphone_name=name)


def remember_speech_model(app: AppContext, name: str) -> None:
    _remember(app, speech_model=name)
