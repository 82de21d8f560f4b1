"""Strict input limits: request body size, header size, request shapes (no unknown fields, no type coercion)."""

import json
import unicodedata
from typing import Annotated

from fastapi import Request
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from clinicdesk.server.errors import ApiError

DEFAULT_MAX_BODY_BYTES = 64 * 1024  # enrolment and admin bodies are tiny; push batches will get their own limit
AUTHORIZATION_MAX_LENGTH = 200


class StrictModel(BaseModel):
    """Every request body: unknown fields are refused (a body can never name a centre it has no right to) and
    values are never coerced ("5" is not 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _no_control_characters(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise ValueError("must not contain control or invisible formatting characters")
    return value


def text(max_length: int, min_length: int = 1):
    """A single-line text field: trimmed, bounded, printable."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(_no_control_characters)]


class BodySizeLimit:
    """ASGI middleware: refuses a body over `max_bytes` with 413, whether or not Content-Length tells the truth,
    before any handler parses it. The body is buffered (it is small by definition) and replayed to the app."""

    def __init__(self, app, max_bytes: int = DEFAULT_MAX_BODY_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._refuse(send)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return await self._refuse(send)
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)

    async def _refuse(self, send):
        payload = json.dumps({"error": "body_too_large",
                              "reason": f"The request body is larger than {self.max_bytes} bytes."}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": payload})


def _declared_query_parameters(dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query_parameters(sub)
    return names


async def reject_unknown_query_parameters(request: Request) -> None:
    """A router dependency: a query parameter the endpoint does not declare is refused, not silently ignored
    (so `?centre_id=...` can never look as if it had an effect)."""
    route = request.scope.get("route")
    declared = _declared_query_parameters(route.dependant) if route is not None else set()
    unknown = sorted(set(request.query_params.keys()) - declared)
    if unknown:
        raise ApiError(422, "unknown_query_parameter",
                       f"This endpoint does not take the query parameter(s): {', '.join(unknown)[:100]}.")


RAW_BODY_ROUTE = "x-clinicdesk-raw-body"  # openapi_extra flag of a route that reads raw bytes and checks their type


async def require_json_content_type(request: Request) -> None:
    """Bodies must be declared as JSON; anything else is refused before parsing (except on a route flagged
    RAW_BODY_ROUTE, such as a chunk upload, which checks its own content type)."""
    route = request.scope.get("route")
    if (getattr(route, "openapi_extra", None) or {}).get(RAW_BODY_ROUTE):
        return
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ApiError(415, "unsupported_media_type", "Send the request body as JSON (Content-Type: "
                                                          "application/json).")
