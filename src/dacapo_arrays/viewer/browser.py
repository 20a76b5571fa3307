"""Screenshots of a served viewer, rendered by a headless Chromium.

No browser driver is needed: Chromium opens the viewer's URL like any client, and the
screenshot is requested through neuroglancer's own channel (``Viewer.async_screenshot``).
The client answers once every visible chunk has been loaded and drawn, so the image shows
the data, not a half-loaded view. WebGL runs on the CPU through SwiftShader.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import neuroglancer

#: Executables tried, in order, when no browser is given.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Headless, WebGL on SwiftShader, and no traffic beyond the viewer's own server.
CHROMIUM_FLAGS = (
    "--headless",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
)


class BrowserError(RuntimeError):
    """No browser, or the browser did not deliver a screenshot."""


def find_browser(browser: str | None = None) -> str:
    """The path of ``browser`` (a name or path), or of the first of ``BROWSERS`` installed."""
    candidates = [browser] if browser else list(BROWSERS)
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    wanted = browser or " / ".join(BROWSERS)
    raise BrowserError(
        f"no browser found ({wanted}); install Chromium (apt-get install chromium) or "
        f"pass --browser /path/to/chromium"
    )


def chromium_command(
    browser: str, url: str, size: tuple[int, int], profile: str | os.PathLike[str]
) -> list[str]:
    """The command line that opens ``url`` headless in a fresh ``profile`` directory."""
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run its sandbox as root.
    return [browser, *flags, url]


def local_url(url: str) -> str:
    """``url`` with a wildcard bind address (``0.0.0.0``, ``::``, a host name) as loopback."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port}"))


def screenshot(
    viewer: neuroglancer.Viewer,
    path: str | os.PathLike[str],
    *,
    browser: str | None = None,
    size: tuple[int, int] = (1024, 768),
    timeout: float = 120.0,
) -> Path:
    """Render ``viewer`` in headless Chromium at ``size`` and write the PNG to ``path``."""
    executable = find_browser(browser)
    with viewer.config_state.txn() as config:
        config.show_ui_controls = False
        config.show_panel_borders = False
        config.viewer_size = list(size)
    with tempfile.TemporaryDirectory(prefix="dacapo-arrays-chromium-") as profile:
        log = Path(profile, "chromium.log")
        command = chromium_command(
            executable, local_url(viewer.get_viewer_url()), size, Path(profile, "profile")
        )
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
            try:
                image = _capture(viewer, process, command, log, size, timeout)
            finally:
                _stop(process)
    out = Path(path)
    out.write_bytes(image)
    return out


def _capture(
    viewer: neuroglancer.Viewer,
    process: subprocess.Popen[bytes],
    command: list[str],
    log: Path,
    size: tuple[int, int],
    timeout: float,
) -> bytes:
    """Ask the connected client for screenshots until one has the requested size."""
    deadline = time.monotonic() + timeout
    progress: list[Any] = []
    reply: Any = None
    for _ in range(3):  # the first frame may come before the canvas took its size
        done = threading.Event()
        replies: list[Any] = []

        def on_reply(
            state: Any, replies: list[Any] = replies, done: threading.Event = done
        ) -> None:
            replies.append(state.screenshot)
            done.set()

        viewer.async_screenshot(on_reply, statistics_callback=progress.append)
        while not done.wait(0.25):
            if process.poll() is not None:
                raise BrowserError(
                    f"{command[0]} exited with code {process.returncode} before the "
                    f"screenshot was taken; its last output:\n{_tail(log)}"
                )
            if time.monotonic() > deadline:
                raise BrowserError(
                    f"no screenshot after {timeout:g} s ({_describe(progress)}); the data "
                    f"may be slow to read: pass a longer --timeout. Browser output:\n"
                    f"{_tail(log)}"
                )
        reply = replies[0]
        if (reply.width, reply.height) == tuple(size):
            break
    return bytes(reply.image)


def _describe(progress: Sequence[Any]) -> str:
    if not progress:
        return "the browser never reported loading the viewer"
    total = progress[-1].total
    return (
        f"{total.visible_chunks_downloading} of {total.visible_chunks_total} visible chunks "
        f"still loading"
    )


def _tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the browser and its helper processes (the session it was started in, above)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
        return
