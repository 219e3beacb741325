"""A real HTTP receiver on a loopback port (asyncio streams): records every request, answers as scripted."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """`answer(request)` gives each request's status (200 unless told otherwise)."""

    answer: Callable[[Received], int] = lambda _: 200
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    reply_body: bytes = b"ok"
    port: int = 0
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def start(self) -> "Receiver":
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def delivered(self) -> list[Received]:
        """The requests answered 2xx, in the order they arrived."""
        return [request for request, status in zip(self.requests, self.statuses, strict=True) if status < 300]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    return
                path = request_line.decode().split(" ")[1]
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                received = Received(path, headers, body)
                status = self.answer(received)
                self.requests.append(received)
                self.statuses.append(status)
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: {len(self.reply_body)}\r\n\r\n".encode()
                             + self.reply_body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


class Clock:
    """A clock the test moves by hand; it starts at the real time so signatures' timestamps look current."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
