"""Compressors as other tools store them, made readable by tensorstore or refused clearly.

============================  ===========================================  =================
stored                        written by                                   here
============================  ===========================================  =================
zarr v2 ``zstd`` +            zarr-python 2 / numcodecs >= 0.13, the       read (``checksum``
``"checksum": false``         janelia-cosem buckets                        dropped: zstd
                                                                           frames carry it)
zarr v2 blosc/gzip/zlib/bz2   zarr-python, tensorstore                     read as stored
zarr v2 lzma, lz4, others     numcodecs                                    refused
zarr v2 ``filters``           numcodecs (delta, quantize, ...)             refused
N5 ``zstd`` with ``id``       zarr-python's N5Store                        read (``type``,
                                                                           ``level`` kept)
N5 ``compressionType``        N5 < 2.0 (legacy Java N5)                    raw, gzip, bzip2,
                                                                           xz read
N5 / zarr lz4                 n5-zstandard's sibling, numcodecs            refused
============================  ===========================================  =================

:func:`readable` returns the metadata document tensorstore is opened with (``assume_metadata``)
when it differs from the stored one, so the stored files are never rewritten.
"""

from __future__ import annotations

from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

from .formats import N5, ZARR2, Format
from .kvstore import Document

#: zarr v2 compressor ids tensorstore decodes, and the keys it accepts for each.
ZARR2_CODECS: dict[str, frozenset[str]] = {
    "blosc": frozenset(("id", "cname", "clevel", "shuffle", "blocksize")),
    "zlib": frozenset(("id", "level")),
    "gzip": frozenset(("id", "level")),
    "bz2": frozenset(("id", "level")),
    "zstd": frozenset(("id", "level")),
}
#: N5 compression types tensorstore decodes, and the keys it accepts for each.
N5_CODECS: dict[str, frozenset[str]] = {
    "raw": frozenset(("type",)),
    "gzip": frozenset(("type", "level", "useZlib")),
    "bzip2": frozenset(("type", "blockSize")),
    "xz": frozenset(("type", "preset")),
    "blosc": frozenset(("type", "cname", "clevel", "shuffle", "blocksize", "nthreads")),
    "zstd": frozenset(("type", "level")),
}
#: Legacy N5 (< 2.0) ``compressionType`` values that name one of :data:`N5_CODECS`.
LEGACY_N5 = {"raw": "raw", "gzip": "gzip", "bzip2": "bzip2", "xz": "xz"}


def _refuse(codec: Any, where: str, readable: list[str]) -> MetadataError:
    return MetadataError(
        f"compressor {codec!r} of {where} cannot be decoded here (readable: "
        f"{', '.join(readable)}); recompress the dataset, e.g. with numcodecs Zstd or Blosc, "
        f"or read it with the tool that wrote it"
    )


def _zarr2(document: Document, where: str) -> Document | None:
    filters = document.get("filters")
    if filters:
        ids = [f.get("id") if isinstance(f, dict) else f for f in filters]
        raise MetadataError(
            f"filters {ids} of {where} cannot be decoded here (only compressors are); "
            f"rewrite the dataset without filters"
        )
    compressor = document.get("compressor")
    if compressor is None:
        return None
    codec = compressor.get("id") if isinstance(compressor, dict) else None
    if codec not in ZARR2_CODECS:
        raise _refuse(codec if codec is not None else compressor, where, sorted(ZARR2_CODECS))
    kept = {k: v for k, v in compressor.items() if k in ZARR2_CODECS[codec]}
    if kept == compressor:
        return None
    return {**document, "compressor": kept}


def _n5(document: Document, where: str) -> Document:
    compression = document.get("compression")
    if compression is None and "compressionType" in document:  # N5 < 2.0
        legacy = document["compressionType"]
        if legacy not in LEGACY_N5:
            raise _refuse(legacy, where, sorted(LEGACY_N5))
        compression = {"type": LEGACY_N5[legacy]}
    if compression is None:
        compression = {"type": "raw"}
    codec = compression.get("type") if isinstance(compression, dict) else None
    if codec not in N5_CODECS:
        raise _refuse(codec if codec is not None else compression, where, sorted(N5_CODECS))
    kept = {k: v for k, v in compression.items() if k in N5_CODECS[codec]}
    found: dict[str, Any] = {
        k: document[k] for k in ("dimensions", "blockSize", "dataType") if k in document
    }
    return {**found, "compression": kept}


def readable(fmt: Format, document: Document, where: str) -> Document | None:
    """The metadata to open the array with when the stored one must be adapted (always for
    N5, which is opened from the metadata read); ``None``: let tensorstore read it.

    >>> readable(ZARR2, {"compressor": {"id": "zstd", "level": 6, "checksum": False}}, "w")
    {'compressor': {'id': 'zstd', 'level': 6}}
    >>> readable(N5, {"dimensions": [2], "blockSize": [2], "dataType": "uint8",
    ...               "compressionType": "gzip"}, "w")["compression"]
    {'type': 'gzip'}
    """
    if fmt is N5:
        return _n5(document, where)
    if fmt is ZARR2:
        return _zarr2(document, where)
    return None
