"""Request body size limits per path: the default for every endpoint, a larger one where batches travel."""

from collections.abc import Mapping

from clinicdesk.server.limits import BodySizeLimit


class BodySizeLimitByPath:
    """ASGI middleware: BodySizeLimit with `max_bytes` everywhere except the paths named in `larger` and the
    (method, path prefix) pairs in `larger_by_prefix` (paths that carry an id, such as PUT /v1/chunks/<sha256>)."""

    def __init__(self, app, max_bytes: int, larger: Mapping[str, int],
                 larger_by_prefix: Mapping[tuple[str, str], int] | None = None):
        self._default = BodySizeLimit(app, max_bytes)
        self._by_path = {path: BodySizeLimit(app, limit) for path, limit in larger.items()}
        self._by_prefix = [(method, prefix, BodySizeLimit(app, limit))
                           for (method, prefix), limit in (larger_by_prefix or {}).items()]

    async def __call__(self, scope, receive, send):
        limit = self._choose(scope) if scope["type"] == "http" else self._default
        return await limit(scope, receive, send)

    def _choose(self, scope) -> BodySizeLimit:
        path = scope.get("path", "")
        if path in self._by_path:
            return self._by_path[path]
        for method, prefix, limit in self._by_prefix:
            if scope.get("method") == method and path.startswith(prefix):
                return limit
        return self._default
