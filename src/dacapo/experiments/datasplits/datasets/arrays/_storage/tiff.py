"""A TIFF file's first image series, read by region: only the bytes a request needs.

Two routes, chosen once from the header:

* uncompressed data stored contiguously (ImageJ stacks, most tifffile and microscope
  output, even ImageJ files above 4 GB with a single IFD): the series is a C-order array at
  a known file offset, and a request reads one byte range of whole rows per page it touches;
* anything else (compressed, tiled, scattered strips): a request decodes only the strips or
  tiles that intersect it, on only the pages it touches, with tifffile's own decoders.

``read(index)`` takes one ``slice`` (step 1) per dimension of the series, in file order
(tifffile's ``axes``, e.g. ``"ZCYX"``), and returns a new array in native byte order.
"""

from __future__ import annotations

import itertools
import math
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays._storage.per_process import (
    PerProcess,
    without_handles,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.tiff_metadata import (
    StoredGeometry,
    read_stored_geometry,
)
from dacapo.experiments.datasplits.datasets.arrays.errors import (
    ContainerNotFoundError,
    MetadataError,
)

if TYPE_CHECKING:  # imported when a TIFF is opened: workers of other kinds skip its cost
    import tifffile
    from upath import UPath

TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
_JPEG = {6, 7, 33007, 34892}
_FIVE = {"Z": 1, "Y": 2, "X": 3}  # tifffile's normalized page: (S, Z, Y, X, S-contiguous)


def check_tiff(path: UPath) -> None:
    """Raise unless ``path`` is an existing file starting with a TIFF signature.

    Reads the 4-byte signature only: ``ContainerNotFoundError`` for a missing file,
    ``MetadataError`` for anything else that is not a TIFF.
    """
    try:
        with path.open("rb") as file:
            head = file.read(4)
    except FileNotFoundError as err:
        raise ContainerNotFoundError(f"TIFF file {str(path)!r} does not exist") from err
    except IsADirectoryError as err:
        raise MetadataError(f"{str(path)!r} is a folder, not a TIFF file") from err
    except OSError as err:
        raise MetadataError(f"cannot open TIFF file {str(path)!r}: {err}") from err
    if head not in TIFF_MAGIC:
        raise MetadataError(
            f"{str(path)!r} is not a TIFF file: it starts with {head!r}, not a TIFF "
            f"signature (b'II*\\x00' or b'MM\\x00*')"
        )


def tiff_problem(path: UPath) -> str | None:
    """Why ``path`` cannot be read as a TIFF (see :func:`check_tiff`), or ``None``."""
    try:
        check_tiff(path)
    except (ContainerNotFoundError, MetadataError) as err:
        return str(err)
    return None


def _local(path: UPath) -> str | None:
    return path.path if path.protocol in ("", "file", "local") else None


def _open_tiff(stack: TiffStack) -> tifffile.TiffFile:
    """``stack.path`` opened by tifffile (through fsspec unless local), safe across threads."""
    import tifffile

    local = _local(stack.path)
    if local is not None:
        tif = tifffile.TiffFile(local)
    else:
        handle = stack.path.open("rb")
        try:
            tif = tifffile.TiffFile(handle)
        except BaseException:
            handle.close()
            raise
        weakref.finalize(tif, handle.close)
    tif.filehandle.set_lock(True)  # reads may come from several threads
    return tif


class TiffStack:
    """The first image series of a TIFF file: shape, dtype, axis letters, region reads.

    Pickles as its path and header facts; the file is reopened lazily in a new process.
    """

    def __init__(self, path: UPath) -> None:
        self.path = path
        try:
            check_tiff(path)
        except (ContainerNotFoundError, MetadataError) as err:
            err.args = (f"{err}; check TiffArrayConfig.file_name",)
            raise
        tif = self._handle
        if not tif.series:
            raise MetadataError(f"TIFF file {str(path)!r} holds no image")
        series = tif.series[0]
        #: tifffile's axis letters in file order, e.g. "ZYX", "ZCYX", "YXS", "QYX"; size-1
        #: dimensions are squeezed away unless ``keep_size_one`` brings them back.
        axes, shape = series.axes, tuple(int(s) for s in series.shape)
        #: Size-1 dimensions tifffile kept (``Q``, ``T``, ``C`` of ``QTZYXC``), left out here
        #: like tifffile leaves them out of ImageJ files; the array notes them in ``attrs``.
        self.squeezed = "".join(
            a for a, n in zip(axes, shape, strict=True) if n == 1 and a not in "YX"
        )
        self._series = (axes, shape)
        self.axes: str = "".join(a for a in axes if a not in self.squeezed)
        self.shape: tuple[int, ...] = tuple(
            n for a, n in zip(axes, shape, strict=True) if a not in self.squeezed
        )
        self._squeezed = (self.axes, self.shape)
        self._full = (series.get_axes(False), tuple(int(s) for s in series.get_shape(False)))
        self._stored: tuple[int | None, ...] = tuple(range(len(self.shape)))
        self._file_dtype = np.dtype(tif.byteorder + series.dtype.char)
        self.dtype: np.dtype[Any] = self._file_dtype.newbyteorder("=")
        keyframe = series.keyframe
        contiguous = series.dataoffset is not None and keyframe.is_final and "Y" in self.axes
        self._offset: int | None = int(series.dataoffset) if contiguous else None
        if self._offset is None:
            self._check_pages(series)
        self.geometry: StoredGeometry | None = read_stored_geometry(tif)
        self.imagej_metadata: dict[str, Any] | None = tif.imagej_metadata
        self.ome_metadata: str | None = tif.ome_metadata

    def unsqueeze(self) -> None:
        """Bring back the size-1 dimensions this stack left out (:attr:`squeezed`)."""
        self.axes, self.shape = self._series
        self._squeezed = self._series
        self._stored = tuple(range(len(self.shape)))
        self.squeezed = ""

    def keep_size_one(self, letters: str) -> bool:
        """Bring back the squeezed size-1 dimensions named in ``letters`` (e.g. ``"Z"`` of a
        one-page ImageJ stack); ``False`` (and no change) when that is not possible."""
        (axes, shape), (full_axes, full_shape) = self._squeezed, self._full
        layout: list[tuple[str, int | None]] = []  # (letter, squeezed position or None)
        position = 0
        for letter, size in zip(full_axes, full_shape, strict=True):
            if position < len(axes) and letter == axes[position]:
                layout.append((letter, position))
                position += 1
            elif size == 1 and letter in letters and letter not in axes:
                layout.append((letter, None))
        if position != len(axes) or all(p is not None for _, p in layout):
            return False
        self._stored = tuple(p for _, p in layout)
        self.axes = "".join(letter for letter, _ in layout)
        self.shape = tuple(1 if p is None else shape[p] for _, p in layout)
        return True

    def _check_pages(self, series: Any) -> None:
        keyframe = series.keyframe
        k = len(keyframe.shape)
        if (
            self.shape[len(self.shape) - k :] != tuple(keyframe.shape)
            or math.prod(self.shape[: len(self.shape) - k]) != len(series.pages)
            or keyframe.imagedepth != 1
            or not set(keyframe.axes) <= {"S", "Y", "X"}
        ):
            raise MetadataError(
                f"TIFF file {str(self.path)!r} has a page layout this reader does not "
                f"support (series shape {self.shape}, axes {self.axes!r}, page shape "
                f"{tuple(keyframe.shape)}, page axes {keyframe.axes!r}); convert it to an "
                f"uncompressed or tiled stack, or to zarr"
            )

    # -- the open file, once per process ---------------------------------------------------

    _handle = PerProcess(_open_tiff, close=lambda tif: tif.close())

    def close(self) -> None:
        """Close the file now (it reopens on the next read)."""
        TiffStack._handle.close(self)

    __getstate__ = without_handles

    # -- reads ----------------------------------------------------------------------------

    def read(self, index: tuple[slice, ...]) -> np.ndarray:
        """The voxels of ``index`` (one step-1 slice per file dimension), native byte order."""
        shape = tuple(s.stop - s.start for s in index)
        stored = tuple(s for s, p in zip(index, self._stored, strict=True) if p is not None)
        out = np.zeros(tuple(s.stop - s.start for s in stored), dtype=self.dtype)
        if math.prod(shape):
            if self._offset is not None:
                self._read_contiguous(stored, out)
            else:
                self._read_pages(stored, out)
        return out.reshape(shape)

    def _read_contiguous(self, index: tuple[slice, ...], out: np.ndarray) -> None:
        """One byte range of whole rows for each index before the row axis ``Y``."""
        axes, shape = self._squeezed
        y = axes.index("Y")
        rows, inner = index[y], index[y + 1 :]
        row_shape = shape[y + 1 :]
        strides = np.cumprod((1, *shape[::-1]))[::-1][1:]  # elements per step, C order
        itemsize = self._file_dtype.itemsize
        count = (rows.stop - rows.start) * math.prod(row_shape)
        fh = self._handle.filehandle
        for combo in itertools.product(*(range(s.start, s.stop) for s in index[:y])):
            start = int(np.dot((*combo, rows.start), strides[: y + 1]))
            with fh.lock:
                fh.seek(self._offset + start * itemsize)
                data = fh.read(count * itemsize)
            if len(data) != count * itemsize:
                raise MetadataError(
                    f"TIFF file {str(self.path)!r} is truncated: expected {count * itemsize} "
                    f"bytes at offset {self._offset + start * itemsize}, got {len(data)}"
                )
            block = np.frombuffer(data, self._file_dtype).reshape((-1, *row_shape))
            at = tuple(c - s.start for c, s in zip(combo, index[:y], strict=True))
            out[at] = block[(slice(None), *inner)]

    def _read_pages(self, index: tuple[slice, ...], out: np.ndarray) -> None:
        series = self._handle.series[0]
        k = len(series.keyframe.shape)
        lead, window = index[: len(index) - k], index[len(index) - k :]
        lead_shape = self._squeezed[1][: len(index) - k]
        for combo in itertools.product(*(range(s.start, s.stop) for s in lead)):
            number = int(np.ravel_multi_index(combo, lead_shape)) if combo else 0
            page = series.pages[number]
            if page is not None:  # a missing page reads as zeros, as in tifffile
                at = tuple(c - s.start for c, s in zip(combo, lead, strict=True))
                out[at] = self._read_page(page, window)

    def _read_page(self, page: Any, window: tuple[slice, ...]) -> np.ndarray:
        """Decode the strips or tiles of one page that intersect ``window``."""
        import tifffile

        key = page.keyframe
        planar = key.planarconfig == 2
        box = [(0, 1)] * 5
        for letter, s in zip(key.axes, window, strict=True):
            position = (0 if planar else 4) if letter == "S" else _FIVE[letter]
            box[position] = (s.start, s.stop)
        buffer = np.zeros([b - a for a, b in box], dtype=self.dtype)
        rows, cols = (
            (key.tilelength, key.tilewidth)
            if key.is_tiled
            else (min(key.rowsperstrip, key.imagelength), key.imagewidth)
        )
        n_rows, n_cols = math.ceil(key.imagelength / rows), math.ceil(key.imagewidth / cols)
        needed = [
            (s * n_rows + r) * n_cols + c
            for s in range(*box[0])
            for r in range(box[2][0] // rows, (box[2][1] - 1) // rows + 1)
            for c in range(box[3][0] // cols, (box[3][1] - 1) // cols + 1)
        ]
        extra = {}
        if key.compression in _JPEG:
            extra = {"jpegtables": getattr(page, "jpegtables", None), "jpegheader": key.jpegheader}
        offsets, counts = page.dataoffsets, page.databytecounts
        segments = self._handle.filehandle.read_segments(
            [offsets[i] for i in needed], [counts[i] for i in needed], indices=needed
        )
        for data, i in segments:
            try:
                segment, (s, _, top, left, _), _ = key.decode(data, i, **extra)
            except (ValueError, NotImplementedError, tifffile.TiffFileError) as err:
                raise MetadataError(
                    f"cannot decode TIFF file {str(self.path)!r} (compression "
                    f"{key.compression!r}): {err}; install imagecodecs or convert the file"
                ) from err
            if segment is not None:
                _place(buffer, segment[0], box, s, top, left)
        return buffer.reshape([s.stop - s.start for s in window])


def _place(
    buffer: np.ndarray,
    segment: np.ndarray,
    box: list[tuple[int, int]],
    s: int,
    top: int,
    left: int,
) -> None:
    """Copy the part of a decoded segment (rows, cols, samples) that falls inside ``box``."""
    y0, y1 = max(box[2][0], top), min(box[2][1], top + segment.shape[0])
    x0, x1 = max(box[3][0], left), min(box[3][1], left + segment.shape[1])
    if y0 < y1 and x0 < x1:
        buffer[
            s - box[0][0], 0, y0 - box[2][0] : y1 - box[2][0], x0 - box[3][0] : x1 - box[3][0]
        ] = segment[y0 - top : y1 - top, x0 - left : x1 - left, box[4][0] : box[4][1]]
