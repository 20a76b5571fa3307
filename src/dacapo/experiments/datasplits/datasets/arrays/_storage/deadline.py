"""Bounds on every remote request (S3, GCS, ``http(s)://``), so a dead server ends in an error.

tensorstore's defaults let a stalled or refusing server block a read for ten minutes or more
(32 retries with exponential backoff up to 32 s, and no transfer timeout). Here:

* ``DACAPO_ARRAYS_REMOTE_TIMEOUT`` (seconds, default 5): a request that moves less than
  256 bytes/s for this long is abandoned (curl's low-speed limit; sets
  ``TENSORSTORE_CURL_LOW_SPEED_TIME_SECONDS`` unless that is set already);
* ``DACAPO_ARRAYS_REMOTE_RETRIES`` (default 2): attempts after a request's first failure,
  with backoff from 0.5 s up to 2 s;
* ``DACAPO_ARRAYS_REMOTE_DEADLINE`` (seconds, default 25): the total time one remote
  operation (opening, a metadata document, one read or write) may take, retries and the
  body included, plus :data:`SECONDS_PER_MIB` for each MiB it moves: a server that trickles
  bytes just fast enough for curl's low-speed limit ends here (:func:`settle`,
  :func:`cancel_after`), in a ``TimeoutError`` the callers turn into ``StorageError``.

With the defaults every remote fault ends within (2 + 1) x 5 s + 1.5 s < 20 s (the deadline
is a little longer, so on a loaded machine either may end a stalled request first), and any
operation of up to 1 MiB within 26 s. The first two are read when this module is first
imported (before tensorstore's first HTTP request: curl reads its settings once per
process); the deadline at every operation.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

TIMEOUT_SETTING = "DACAPO_ARRAYS_REMOTE_TIMEOUT"
RETRIES_SETTING = "DACAPO_ARRAYS_REMOTE_RETRIES"
DEFAULT_TIMEOUT = 5
DEFAULT_RETRIES = 2
DEADLINE_SETTING = "DACAPO_ARRAYS_REMOTE_DEADLINE"
DEFAULT_DEADLINE = 25
#: Extra seconds one remote operation gets for each MiB it moves (so it may run at 1 MiB/s).
SECONDS_PER_MIB = 1.0
_CURL_TIME = "TENSORSTORE_CURL_LOW_SPEED_TIME_SECONDS"


def _whole(name: str, default: int, minimum: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ValueError(
            f"environment variable {name}={text!r} is not a whole number >= {minimum}; set "
            f"it to e.g. {default}, or unset it for the default"
        )
    return value


def remote_timeout() -> int:
    return _whole(TIMEOUT_SETTING, DEFAULT_TIMEOUT, 1)


def remote_retries() -> int:
    return _whole(RETRIES_SETTING, DEFAULT_RETRIES, 0)


def context_spec() -> dict[str, Any]:
    """The retry settings of tensorstore's shared context, for every remote driver."""
    retries = {"max_retries": remote_retries(), "initial_delay": "0.5s", "max_delay": "2s"}
    return {f"{name}_request_retries": dict(retries) for name in ("http", "s3", "gcs")}


def apply_curl_timeout() -> None:
    """Set curl's low-speed timeout for tensorstore (unless the user set it already)."""
    os.environ.setdefault(_CURL_TIME, str(remote_timeout()))


def settings_hint() -> str:
    return (
        f"check the network and the URL (and AWS_ENDPOINT_URL for S3); each request gives up "
        f"after {TIMEOUT_SETTING} s without data and {RETRIES_SETTING} retries"
    )


def remote_deadline(nbytes: int = 0) -> float:
    """Seconds one remote operation moving ``nbytes`` may take in all."""
    return _whole(DEADLINE_SETTING, DEFAULT_DEADLINE, 1) + nbytes / 2**20 * SECONDS_PER_MIB


class DeadlineError(TimeoutError):
    """A remote operation did not finish within its total deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"no complete answer within {seconds:.0f} s (the server is stalled or trickling "
            f"bytes; {DEADLINE_SETTING} sets this deadline: {DEFAULT_DEADLINE} s by default, "
            f"plus {SECONDS_PER_MIB:.0f} s per MiB)"
        )
        self.seconds = seconds


def settle(future: Any, *, remote: bool, nbytes: int = 0) -> Any:
    """``future.result()``; for a remote store at most :func:`remote_deadline` seconds, then
    the operation is cancelled and :class:`DeadlineError` raised."""
    if not remote:
        return future.result()
    seconds = remote_deadline(nbytes)
    try:
        return future.result(timeout=seconds)
    except TimeoutError:
        future.cancel()
        raise DeadlineError(seconds) from None


class _Watchdog:
    """One thread that runs ``action(future)`` for futures still running when they are due
    (for reads nobody waits on); ``action`` returns the seconds until it is due again, or
    None. It keeps only futures still running: each leaves when it finishes, so a finished
    read's result is not held until it would have been due."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int]] = []
        self._running: dict[int, tuple[Any, Callable[[Any], float | None]]] = {}
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, future: Any, seconds: float, action: Callable[[Any], float | None]) -> None:
        token = next(self._order)
        with self._wake:
            self._running[token] = (future, action)
            self._schedule(token, seconds)
        future.add_done_callback(lambda _: self._finished(token))

    def _schedule(self, token: int, seconds: float) -> None:
        heapq.heappush(self._due, (time.monotonic() + seconds, token))
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="dacapo-read-watchdog")  # fmt: skip
            self._thread.start()
        elif self._due[0][1] == token:  # due before everything else: wake the thread
            self._wake.notify()

    def _finished(self, token: int) -> None:
        with self._wake:
            self._running.pop(token, None)

    def _run(self) -> None:
        with self._wake:
            while True:
                while self._due and self._due[0][1] not in self._running:
                    heapq.heappop(self._due)
                if not self._due:
                    self._thread = None
                    return
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(timeout=min(wait, 1.0))
                    continue
                token = heapq.heappop(self._due)[1]
                future, action = self._running[token]
                self._wake.release()
                try:
                    again = action(future)
                finally:
                    self._wake.acquire()
                if again is not None and token in self._running:
                    heapq.heappush(self._due, (time.monotonic() + again, token))


_WATCHDOG = _Watchdog()


def after(future: Any, seconds: float, action: Callable[[Any], float | None]) -> None:
    """Run ``action(future)`` if ``future`` is still running after ``seconds`` (again after
    the seconds ``action`` returns, until it returns None or the future finishes)."""
    _WATCHDOG.add(future, seconds, action)


def _cancel(future: Any) -> None:
    future.cancel()


def cancel_after(future: Any, nbytes: int = 0) -> float:
    """Cancel ``future`` (a remote operation) once its :func:`remote_deadline` has passed;
    the seconds it was given."""
    seconds = remote_deadline(nbytes)
    after(future, seconds, _cancel)
    return seconds
