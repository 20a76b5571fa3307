from __future__ import annotations

import pytest

from dacapo.experiments.datasplits.datasets.arrays import (
    DatasetNotFoundError,
    MetadataError,
    ReadOnlyError,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.tserrors import translate
from dacapo.experiments.datasplits.datasets.arrays.errors import StorageError

SPEC = ' [tensorstore_spec=\'{"driver":"zarr"}\']'


@pytest.mark.parametrize(
    ("message", "kind", "pattern"),
    [
        (
            'FAILED_PRECONDITION: Error opening "zarr" driver: odd',
            MetadataError,
            "unreadable or unsupported",
        ),
        ("NOT_FOUND: key missing", DatasetNotFoundError, "check the path and the dataset name"),
        ('FAILED_PRECONDITION: Error reading "x/.zarray": Invalid JSON', MetadataError, "repair"),
        ("Destination does not support writing.", ReadOnlyError, "open it writable"),
        ("PERMISSION_DENIED: HTTP 403 forbidden", StorageError, "check your credentials"),
        ("UNAVAILABLE: connection refused", StorageError, "check the network"),
        (
            'RESOURCE_EXHAUSTED: Error writing local file "o.zarr/0/0/0": Failed to write 99 '
            "bytes to file 11: No space left on device [os_error_code='28']",
            StorageError,
            "the file system is full: free space",
        ),
        ("FAILED_PRECONDITION: Invalid blosc-compressed data", StorageError, "file is complete"),
    ],
)
def test_translate_picks_our_class_and_drops_the_spec(message, kind, pattern) -> None:
    err = translate(ValueError(message + SPEC), "cannot read 'x'")
    assert type(err) is kind
    assert str(err).startswith(f"cannot read 'x': {message}; ")
    assert pattern in str(err)
    assert "tensorstore_spec" not in str(err)


def test_timeouts_and_our_own_errors() -> None:
    assert "timed out" in str(translate(TimeoutError(), "cannot list 'x'"))
    ours = MetadataError("already ours")
    assert translate(ours, "x") is ours
