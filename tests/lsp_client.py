"""A small Language Server Protocol client for the tests: JSON-RPC with Content-Length framing
over a server's standard input and output, as an editor speaks it.

Written from the protocol, not with pygls's own client, so the tests see the bytes an editor
would. A thread reads every message; requests wait for their response by id, and notifications
(diagnostics) are kept in order to be waited for.
"""

from __future__ import annotations

import itertools
import json
import queue
import subprocess
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

TIMEOUT = 30  # seconds any one answer may take


class LspClient:
    def __init__(self, command: list[str], cwd: str | None = None) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, cwd=cwd)
        self._ids = itertools.count(1)
        self._responses: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.notifications: queue.Queue[dict] = queue.Queue()
        self._reader = threading.Thread(target=self._read_all, daemon=True)
        self._reader.start()

    # ---- the wire ----------------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    @staticmethod
    def _read_message(stream: BinaryIO) -> dict | None:
        length = None
        while True:
            line = stream.readline()
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        return json.loads(stream.read(length).decode("utf-8"))

    def _read_all(self) -> None:
        while (message := self._read_message(self.process.stdout)) is not None:
            if "id" in message and "method" in message:  # a request from the server
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "id" in message:
                with self._lock:
                    waiting = self._responses.setdefault(message["id"], queue.Queue())
                waiting.put(message)
            else:
                self.notifications.put(message)

    # ---- what the tests say ------------------------------------------------------------------

    def request(self, method: str, params: Any) -> Any:
        """Send a request and return its result; a protocol error fails the test."""
        number = next(self._ids)
        with self._lock:
            waiting = self._responses.setdefault(number, queue.Queue())
        self._send({"jsonrpc": "2.0", "id": number, "method": method, "params": params})
        response = waiting.get(timeout=TIMEOUT)
        assert "error" not in response, response["error"]
        return response["result"]

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self._send(message)

    def wait_for(self, method: str, accept: Callable[[dict], bool] = lambda params: True) -> dict:
        """The params of the next notification of ``method`` that ``accept`` takes (others
        are dropped)."""
        while True:
            message = self.notifications.get(timeout=TIMEOUT)
            if message["method"] == method and accept(message["params"]):
                return message["params"]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()
