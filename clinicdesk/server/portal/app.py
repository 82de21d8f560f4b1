"""Builds the portal's own FastAPI sub-app (HTML forms, mounted by the HQ app at /portal): page routers, static
files, security headers, and error pages in the visitor's language."""

import logging
from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from clinicdesk.server.database import make_engine, refuse_roles_that_bypass_isolation
from clinicdesk.server.portal import auth_pages, booking_pages, home_pages, records_pages
from clinicdesk.server.portal.config import PortalConfig
from clinicdesk.server.portal.portal_state import PortalState
from clinicdesk.server.portal.rendering import portal_dir, render
from clinicdesk.server.portal.security_headers import SecurityHeaders
from clinicdesk.server.portal.sms import CodeSender, gateway_sender

log = logging.getLogger(__name__)

# the sign-in shell first, then the pages: home and progress, records, appointments and booking
PAGE_ROUTERS = (auth_pages.router, home_pages.router, records_pages.router, booking_pages.router)

PORTAL_PREFIX = "/portal"
ERROR_TEXTS = {403: "portal.error_csrf", 404: "portal.error_not_found"}


def _error_page(request: Request, status_code: int, message: str) -> Response:
    return render(request, "error.html", None, status_code=status_code, message=message, back="/portal/home")


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if 300 <= error.status_code < 400 and error.headers and "Location" in error.headers:
            return RedirectResponse(error.headers["Location"], status_code=error.status_code, headers={
                k: v for k, v in error.headers.items() if k != "Location"})
        return _error_page(request, error.status_code, ERROR_TEXTS.get(error.status_code, "portal.error_general"))

    @app.exception_handler(RequestValidationError)
    async def bad_form(request: Request, _error: RequestValidationError) -> Response:
        return _error_page(request, 400, "portal.error_general")

    @app.exception_handler(Exception)
    async def failure(request: Request, error: Exception) -> Response:
        # the type and the path only: a message may carry a patient's data
        log.error("portal request to %s failed: %s", request.url.path, type(error).__name__)
        return _error_page(request, 500, "portal.error_general")


def open_portal_database(database_url: str) -> sessionmaker[Session]:
    """The portal's own connection (PostgreSQL: as clinicdesk_portal). It never migrates: the server's own
    connection has brought the schema to head first; a role that bypasses row-level security is refused."""
    engine = make_engine(database_url)
    refuse_roles_that_bypass_isolation(engine)
    return sessionmaker(engine, expire_on_commit=False)


def create_portal_app(sessions: sessionmaker[Session], *, clock: Callable[[], datetime], config: PortalConfig,
                      send_code: CodeSender | None = None) -> FastAPI:
    """The portal over `sessions` (on PostgreSQL, connected as the clinicdesk_portal role). Codes go through
    `send_code`, else through config.sms_gateway; with neither, the sign-in page says sign-in is not set up."""
    if send_code is None and config.sms_gateway is not None:
        send_code = gateway_sender(config.sms_gateway)
    app = FastAPI(title="ClinicDesk portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = PortalState(sessions=sessions, clock=clock, config=config, send_code=send_code)
    _install_error_pages(app)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(portal_dir("static"))), name="static")
    app.add_middleware(SecurityHeaders)
    return app
