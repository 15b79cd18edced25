"""The size limit of uploads, checked before the body is read: an ASGI middleware in front of everything else
(the guard reads a form's CSRF field, which would parse the whole body first).

For the paths it limits: a request whose Content-Length says more than the limit is answered 413 at once,
nothing of its body read; one without a length (chunked) is counted as it arrives and stopped (413) the
moment it passes the limit. The answer is a page naming the limit, in Indonesian: the path's own message if it
has one (`messages`), else the intake's.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024


class UploadTooLarge(Exception):
    """The body of an upload passed its limit while it was being read."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def size_text(size: int) -> str:
    """'20 MB', '4 KB': a size as an officer reads it."""
    return f"{size / MIB:g} MB" if size >= MIB else f"{size / 1024:g} KB"


def too_large_message(limit: int) -> str:
    return (f"Berkas: lebih besar dari batas {size_text(limit)} untuk satu unggahan. Bagi lembar penerimaan "
            f"menjadi beberapa berkas, lalu unggah satu per satu.")


class UploadLimit:
    def __init__(self, app: ASGIApp, *, limits: dict[str, int], messages: dict[str, str] | None = None):
        self.app = app
        self.limits = limits
        self.messages = messages or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.get(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._refuse(scope, receive, send, self._message(scope, limit))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise UploadTooLarge(limit)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except UploadTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, self._message(scope, limit))

    def _message(self, scope: Scope, limit: int) -> str:
        return self.messages.get(scope.get("path", "")) or too_large_message(limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
        from beasiswa.web.errors import error_page  # the page of every refusal (it imports the route table)

        response = error_page(Request(scope, receive), 413, message)
        response.headers["connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)
