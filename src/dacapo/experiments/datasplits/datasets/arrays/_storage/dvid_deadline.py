"""One total deadline per DVID request: connecting, retries and every byte of the body.

``requests`` timeouts bound each socket wait, not a request: a server that trickles a byte
every few seconds, or stalls before each of several retries, kept a read going for minutes.
Here the whole request (retries included) must finish within ``DACAPO_ARRAYS_DVID_DEADLINE``
seconds (default 20); each attempt waits at most its share of what is left.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

DEADLINE_SETTING = "DACAPO_ARRAYS_DVID_DEADLINE"
DEFAULT_DEADLINE = 20.0
CONNECT_SECONDS = 5.0


class DeadlineExceeded(Exception):
    """The request did not complete within its deadline."""


def deadline_seconds() -> float:
    text = os.environ.get(DEADLINE_SETTING, "").strip()
    try:
        value = float(text) if text else DEFAULT_DEADLINE
    except ValueError:
        value = 0.0
    if value <= 0:
        raise ValueError(
            f"environment variable {DEADLINE_SETTING}={text!r} is not a positive number of "
            f"seconds; set it to e.g. {DEFAULT_DEADLINE:g}, or unset it"
        )
    return value


def get_within(
    session: requests.Session, url: str, params: dict[str, str] | None, attempts: int
) -> requests.Response:
    """``session.get(url)`` with its body read, all within :func:`deadline_seconds`."""
    total = deadline_seconds()
    end = time.monotonic() + total
    wait = max(total / max(attempts, 1), 0.1)
    response = session.get(
        url, params=params, timeout=(min(CONNECT_SECONDS, wait), wait), stream=True
    )
    chunks = []
    while True:  # read1: whatever has arrived (read(n) would wait for n bytes)
        chunk = response.raw.read1(1 << 16, decode_content=True)
        if not chunk:
            break
        chunks.append(chunk)
        if time.monotonic() > end:
            response.close()
            raise DeadlineExceeded(
                f"no complete answer within {total:g} s (the total deadline of a request, "
                f"{DEADLINE_SETTING})"
            )
    response._content = b"".join(chunks)
    return response
