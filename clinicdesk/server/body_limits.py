"""Request body size limits per path: the default for every endpoint, a larger one where batches travel."""

from collections.abc import Mapping

from clinicdesk.server.limits import BodySizeLimit


class BodySizeLimitByPath:
    """ASGI middleware: BodySizeLimit with `max_bytes` everywhere except the paths named in `larger`."""

    def __init__(self, app, max_bytes: int, larger: Mapping[str, int]):
        self._default = BodySizeLimit(app, max_bytes)
        self._by_path = {path: BodySizeLimit(app, limit) for path, limit in larger.items()}

    async def __call__(self, scope, receive, send):
        limit = self._by_path.get(scope.get("path", ""), self._default) if scope["type"] == "http" else self._default
        return await limit(scope, receive, send)
