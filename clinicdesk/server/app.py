"""Builds the HQ server's FastAPI application over a database URL (SQLite file by default, PostgreSQL later)."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import Depends, FastAPI

from clinicdesk.server import admin_routes, centre_key_routes, device_routes
from clinicdesk.server.body_limits import BodySizeLimitByPath
from clinicdesk.server.centre_keys import MasterKey
from clinicdesk.server.chunk_routes import LARGER_BODY_LIMITS_BY_PREFIX
from clinicdesk.server.chunk_routes import router as chunk_router
from clinicdesk.server.database import open_server_database
from clinicdesk.server.errors import install_error_handlers
from clinicdesk.server.limits import (
    DEFAULT_MAX_BODY_BYTES,
    reject_unknown_query_parameters,
    require_json_content_type,
)
from clinicdesk.server.portal.app import PORTAL_PREFIX, create_portal_app, open_portal_database
from clinicdesk.server.portal.config import PortalConfig, unsaved_portal_config
from clinicdesk.server.state import ServerState
from clinicdesk.server.sync_routes import LARGER_BODY_LIMITS, install_sync

MIN_ADMIN_TOKEN_LENGTH = 32


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(database_url: str, *, admin_token: str | None = None, clock: Callable[[], datetime] = utc_now,
               max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, centre_master_key: MasterKey | None = None,
               portal: PortalConfig | None = None, portal_database_url: str | None = None) -> FastAPI:
    """The HQ application; the schema is brought to the Alembic head before the first request.
    Without an admin token the admin endpoints refuse every call; without a master key (the file that wraps the
    centre keys, clinicdesk.server.centre_keys) devices get no centre key. The patient portal is mounted at
    /portal (docs/portal.md); without its config it runs with no SMS gateway, so nobody can sign in to it.
    `portal_database_url` lets it connect as its own role (default: the server's own connection)."""
    if admin_token is not None and len(admin_token) < MIN_ADMIN_TOKEN_LENGTH:
        raise ValueError(f"The HQ admin token must be at least {MIN_ADMIN_TOKEN_LENGTH} characters long.")
    sessions = open_server_database(database_url)
    portal_sessions = open_portal_database(portal_database_url) if portal_database_url else sessions

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        sessions.kw["bind"].dispose()  # close pooled connections when the server stops
        if portal_sessions is not sessions:
            portal_sessions.kw["bind"].dispose()

    app = FastAPI(title="ClinicDesk HQ", version="1", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan,
                  dependencies=[Depends(reject_unknown_query_parameters), Depends(require_json_content_type)])
    app.state.hq = ServerState(sessions=sessions, clock=clock, admin_token=admin_token)
    app.state.centre_master_key = centre_master_key
    install_error_handlers(app)
    app.include_router(device_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(centre_key_routes.router)
    install_sync(app)
    app.include_router(chunk_router)
    portal_app = create_portal_app(portal_sessions, clock=clock, config=portal or unsaved_portal_config())
    # the records pages open signed notes (sealed with the centre key) with it: portal/consultation_notes.py
    portal_app.state.portal.centre_master_key = centre_master_key
    app.mount(PORTAL_PREFIX, portal_app)
    app.add_middleware(BodySizeLimitByPath, max_bytes=max_body_bytes, larger=LARGER_BODY_LIMITS,
                       larger_by_prefix=LARGER_BODY_LIMITS_BY_PREFIX)
    return app
