"""Alembic environment of the HQ server database, separate from the desktop's migrations/ history."""

from alembic import context

from clinicdesk.server import (
    chunks,  # noqa: F401  (registers the chunk and blob tables)
    sync_models,  # noqa: F401  (registers the sync tables on ServerBase.metadata)
)
from clinicdesk.server.models import ServerBase
from clinicdesk.server.portal import portal_models  # noqa: F401  (registers the patient portal's tables)


def render_item(type_, obj, autogen_context):
    # Keep revisions free of model imports: the UTC wrapper is a plain DATETIME in the database.
    if type_ == "type" and type(obj).__name__ == "UtcDateTime":
        return "sa.DateTime()"
    return False


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=ServerBase.metadata, render_as_batch=True,
                      compare_type=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
