"""A local HTTP server for download tests: serves fixed bytes, or misbehaves on purpose."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Behaviour:
    """What the server does next: send ``body``; or fail with ``status``; or cut it short.

    ``content_length``: ``"auto"`` announces ``len(body)``; None sends no Content-Length (the
    body ends when the connection closes); any other text is sent as the header verbatim.
    ``pause``: seconds to wait before each of ``pieces`` parts of the body (a slow server).
    """

    body: bytes = b""
    status: int = 200
    truncate_to: int | None = None  # announce len(body) but send only this many bytes
    content_length: str | None = "auto"
    pause: float = 0.0
    pieces: int = 1
    hits: list[str] = field(default_factory=list)


@contextlib.contextmanager
def serve(behaviour: Behaviour) -> Iterator[str]:
    """Run a server on 127.0.0.1 in a thread; yield its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            behaviour.hits.append(self.path)
            if behaviour.status != 200:
                self.send_error(behaviour.status)
                return
            self.send_response(200)
            if behaviour.content_length == "auto":
                self.send_header("Content-Length", str(len(behaviour.body)))
            elif behaviour.content_length is not None:
                self.send_header("Content-Length", behaviour.content_length)
            self.end_headers()
            sent = (
                behaviour.body
                if behaviour.truncate_to is None
                else behaviour.body[: behaviour.truncate_to]
            )
            step = -(-len(sent) // max(behaviour.pieces, 1)) or 1
            try:
                for start in range(0, len(sent), step):
                    time.sleep(behaviour.pause)
                    self.wfile.write(sent[start : start + step])
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):  # the client went away
                pass
            self.close_connection = True

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
