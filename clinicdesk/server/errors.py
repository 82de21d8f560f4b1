"""One error shape for every refusal, {"error": code, "reason": sentence}, and the handlers that produce it."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A refusal the client can act on; `reason` is a sentence and never contains patient data."""

    def __init__(self, status: int, code: str, reason: str, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.status = status
        self.code = code
        self.reason = reason
        self.headers = headers


def error_response(status: int, code: str, reason: str, headers: dict[str, str] | None = None,
                   **extra) -> JSONResponse:
    return JSONResponse({"error": code, "reason": reason, **extra}, status_code=status, headers=headers)


def _where(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def describe_validation_errors(errors) -> list[dict]:
    # Only where and what: the offending input is never echoed back (it may be large or personal).
    return [{"field": _where(e.get("loc", ())), "problem": e.get("msg", "is invalid"), "type": e.get("type", "")}
            for e in errors[:20]]


async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.reason, exc.headers)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = describe_validation_errors(exc.errors())
    if any(p["type"] == "json_invalid" for p in problems):
        return error_response(400, "malformed_json", "The request body is not valid JSON.", problems=problems)
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:3])
    return error_response(422, "invalid_request", f"The request does not have the expected shape ({summary}).",
                          problems=problems)


async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    # FastAPI raises a bare 400 when the body cannot be parsed at all (e.g. JSON nested too deeply).
    known = {400: ("malformed_json", "The request body could not be read as JSON."),
             404: ("not_found", "There is no such endpoint."),
             405: ("method_not_allowed", "This endpoint does not accept that method.")}
    code, reason = known.get(exc.status_code, ("http_error", str(exc.detail)))
    return error_response(exc.status_code, code, reason, getattr(exc, "headers", None))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected server error (%s)", type(exc).__name__)
    return error_response(500, "server_error", "HQ hit an unexpected error; it was logged. Try again later.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
