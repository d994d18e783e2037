"""A webhook receiver for delivery tests: answers HEAD with 200 and each POST by its path's rule.

Paths: `/ok`, `/status/<code>` (always that code), `/flaky/<n>` (500 n times, then 200),
`/redirect/<n>` (307 to `/redirect/<n-1>`, `/redirect/0` answers 200), `/slow/<ms>` (200 after ms),
`/slow-once/<ms>` (the first POST answers 200 after ms, later ones at once).
"""

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness.processes import free_port


class Receiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.posts: list[tuple[str, bytes]] = []
        self.hits: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                self.send_response(200)
                self.end_headers()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.posts.append((self.path, body))
                receiver.hits[self.path] += 1
                receiver.delay(self.path)
                status, location = receiver.answer(self.path)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str) -> tuple[int, str | None]:
        parts = path.strip("/").split("/")
        if parts[0] == "status":
            return int(parts[1]), None
        if parts[0] == "flaky":
            return (500 if self.hits[path] <= int(parts[1]) else 200), None
        if parts[0] == "redirect" and int(parts[1]) > 0:
            return 307, f"/redirect/{int(parts[1]) - 1}"
        return 200, None

    def delay(self, path: str) -> None:
        parts = path.strip("/").split("/")
        if parts[0] == "slow" or (parts[0] == "slow-once" and self.hits[path] == 1):
            time.sleep(int(parts[1]) / 1000)  # the slow receiver under test, not a wait for a result

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
