"""The one place tensorstore's errors become ours.

tensorstore raises ``ValueError("CODE: message [tensorstore_spec='...']")`` for everything.
:func:`translate` keeps the message (without the long spec), picks our exception class from the
status code and adds the fix.
"""

from __future__ import annotations

import re

from dacapo.experiments.datasplits.datasets.arrays.errors import (
    ArrayError,
    DatasetNotFoundError,
    MetadataError,
    ReadOnlyError,
    StorageError,
)

from .deadline import DeadlineError, settings_hint

_SPEC = re.compile(r"\s*\[tensorstore_spec='.*'\]\s*$", re.DOTALL)
#: ENOSPC, EDQUOT, EFBIG as tensorstore reports them writing local files.
_FULL = re.compile(
    r"No space left on device|Disk quota exceeded|File too large|os_error_code='(?:28|122|27)'"
)
_SOURCE = re.compile(r"\s*\[source locations='.*'\]\s*$", re.DOTALL)


def short_message(err: BaseException) -> str:
    """tensorstore's message without the spec and source locations it appends."""
    text = str(err)
    for pattern in (_SPEC, _SOURCE):
        text = pattern.sub("", text)
    return text.strip()


def translate(err: BaseException, what: str) -> ArrayError:
    """Our exception for a tensorstore error raised while doing ``what``.

    ``what`` says what failed, e.g. ``"cannot read ROI [0:8] (nm) of ZarrArray 'raw'"``.

    >>> translate(ValueError("NOT_FOUND: x does not exist"), "cannot open 'a'")
    DatasetNotFoundError("cannot open 'a': NOT_FOUND: x does not exist; check the path ...")
    """
    if isinstance(err, ArrayError):
        return err
    message = short_message(err)
    code = message.split(":", 1)[0]
    if isinstance(err, DeadlineError):
        return StorageError(f"{what}: the server did not answer in time: {err}; {settings_hint()}")
    if isinstance(err, TimeoutError):
        return StorageError(f"{what}: timed out; check the network and the store's URL")
    if "does not support writing" in message or (
        code == "PERMISSION_DENIED" and "writ" in message
    ):
        return ReadOnlyError(f"{what}: {message}; open it writable or check your permissions")
    if code == "NOT_FOUND":
        return DatasetNotFoundError(f"{what}: {message}; check the path and the dataset name")
    if any(sign in message for sign in ("Error parsing", "Invalid JSON", "Error opening ")):
        return MetadataError(
            f"{what}: {message}; the stored metadata is unreadable or unsupported: repair it "
            f"or recreate the dataset"
        )
    if code == "PERMISSION_DENIED" and "local file" in message:
        return StorageError(
            f"{what}: {message}; check the permissions of that file and its folders "
            f"(ls -l), or read it as a user who may"
        )
    if code in ("PERMISSION_DENIED", "UNAUTHENTICATED"):
        return StorageError(
            f"{what}: {message}; check your credentials (AWS_ACCESS_KEY_ID / "
            f"AWS_SECRET_ACCESS_KEY, or GOOGLE_APPLICATION_CREDENTIALS)"
        )
    if _FULL.search(message):
        return StorageError(
            f"{what}: {message}; the file system is full: free space (df -h shows it) and "
            f"try again"
        )
    if "CURL error" in message or "retry attempts failed" in message:
        return StorageError(f"{what}: the server did not answer: {message}; {settings_hint()}")
    if code in ("UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"):
        return StorageError(f"{what}: {message}; check the network and the store's URL")
    return StorageError(
        f"{what}: {message}; the stored bytes could not be used: check the file is complete "
        f"and not being written by another program"
    )
