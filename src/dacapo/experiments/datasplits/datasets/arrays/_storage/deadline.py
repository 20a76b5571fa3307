"""Bounds on every remote request (S3, GCS, ``http(s)://``), so a dead server ends in an error.

tensorstore's defaults let a stalled or refusing server block a read for ten minutes or more
(32 retries with exponential backoff up to 32 s, and no transfer timeout). Here:

* ``DACAPO_ARRAYS_REMOTE_TIMEOUT`` (seconds, default 5): a request that moves less than
  256 bytes/s for this long is abandoned (curl's low-speed limit; sets
  ``TENSORSTORE_CURL_LOW_SPEED_TIME_SECONDS`` unless that is set already);
* ``DACAPO_ARRAYS_REMOTE_RETRIES`` (default 2): attempts after a request's first failure,
  with backoff from 0.5 s up to 2 s.

With the defaults every remote fault ends within (2 + 1) x 5 s + 1.5 s < 20 s. Both are
read when this module is first imported (before tensorstore's first HTTP request: curl reads
its settings once per process).
"""

from __future__ import annotations

import os
from typing import Any

TIMEOUT_SETTING = "DACAPO_ARRAYS_REMOTE_TIMEOUT"
RETRIES_SETTING = "DACAPO_ARRAYS_REMOTE_RETRIES"
DEFAULT_TIMEOUT = 5
DEFAULT_RETRIES = 2
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
