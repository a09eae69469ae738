"""A small client for headless Chromium over the DevTools protocol (``--remote-debugging-pipe``):
enough to open a page, record its console messages, errors and network requests, read its DOM,
take a screenshot and print it to PDF.

The pipe is the browser's file descriptors 3 (commands in) and 4 (events and replies out), each
message JSON ended by a NUL byte; no port is opened. The browser is launched with a fresh profile
and with everything that could reach the network on its own turned off.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
         "--remote-debugging-pipe"]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One browser process; :meth:`open` gives a fresh page (tab) each time."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="ccirules-chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def arrange() -> None:  # in the child: the pipe ends become fds 3 and 4, inherited
            import fcntl

            # above 10 first, so that neither end is overwritten by moving the other
            reading = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            writing = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(reading, 3)
            os.dup2(writing, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=arrange, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError):
            self.send("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)

    # ---- the protocol ---------------------------------------------------------------------

    def send(self, method: str, session: str | None = None, timeout: float = 30,
             **params: object) -> dict:
        """Send a command and wait for its reply, keeping the events that arrive meanwhile."""
        self._next += 1
        message: dict[str, object] = {"id": self._next, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("the browser did not answer")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise OSError("the browser closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    # ---- pages ------------------------------------------------------------------------------

    def open(self, url: str, width: int = 1100, height: int = 1400) -> Page:
        """A new tab, with the console, errors and network watched, at ``url`` once loaded."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.events.clear()
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session)
        self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired")
        return Page(self, session, target, url)


class Page:
    def __init__(self, browser: Browser, session: str, target: str, url: str) -> None:
        self.browser, self.session, self.target, self.url = browser, session, target, url

    def _events(self, method: str) -> list[dict]:
        return [event["params"] for event in self.browser.events
                if event.get("method") == method and event.get("sessionId") == self.session]

    def console_errors(self) -> list[str]:
        found = [" ".join(str(arg.get("value", arg.get("description", "")))
                          for arg in event["args"])
                 for event in self._events("Runtime.consoleAPICalled")
                 if event["type"] in ("error", "assert", "warning")]
        found += [event["exceptionDetails"].get("text", "exception")
                  for event in self._events("Runtime.exceptionThrown")]
        found += [event["entry"]["text"] for event in self._events("Log.entryAdded")
                  if event["entry"]["level"] in ("error", "warning")]
        return found

    def requests(self) -> list[str]:
        """Every request the page made, but the page's own document."""
        return [event["request"]["url"] for event in self._events("Network.requestWillBeSent")
                if event["request"]["url"] != self.url]

    def evaluate(self, expression: str) -> object:
        reply = self.browser.send("Runtime.evaluate", self.session, expression=expression,
                                  returnByValue=True)
        return reply["result"].get("value")

    def screenshot(self) -> bytes:
        data = self.browser.send("Page.captureScreenshot", self.session, format="png")["data"]
        return base64.b64decode(data)

    def pdf(self) -> bytes:
        """The page printed on A4, with the page's own print CSS."""
        data = self.browser.send("Page.printToPDF", self.session, timeout=60,
                                 paperWidth=8.27, paperHeight=11.69, preferCSSPageSize=True,
                                 printBackground=True)["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        self.browser.send("Target.closeTarget", targetId=self.target)
