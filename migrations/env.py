"""Alembic environment: runs over the keyed SQLCipher connection handed in by clinicdesk.store.migrate."""

from alembic import context

from clinicdesk.store.models import Base

FTS_PREFIX = "patient_fts"
SCHEDULER_TABLE = "apscheduler_jobs"  # made and kept by apscheduler's own job store (the nightly sync), not by us


def include_object(obj, name, type_, reflected, compare_to):
    # The FTS5 search index and its shadow tables are made by hand-written SQL, not by the models.
    return not (type_ == "table" and name and (name.startswith(FTS_PREFIX) or name == SCHEDULER_TABLE))


def render_item(type_, obj, autogen_context):
    # Keep revisions free of model imports: our UTC wrapper is a plain DATETIME in the file.
    if type_ == "type" and type(obj).__name__ == "UtcDateTime":
        return "sa.DateTime()"
    return False


def run_migrations() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                      include_object=include_object, compare_type=True,
                      render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
