"""A small read-only client for DVID's HTTP API: instance metadata and voxel boxes.

Endpoints (DVID orders spatial axes x, y, z in URLs and in its JSON):

* ``GET <server>/api/node/<uuid>/<instance>/info``: ``Base.TypeName``, ``Extended.Values``,
  ``Extended.VoxelSize``/``VoxelUnits``, and the extents ``MinPoint``/``MaxPoint``
  (inclusive voxel corners; the top-level ``Extents`` where the server sends it, else
  ``Extended``);
* ``GET <server>/api/node/<uuid>/<instance>/raw/0_1_2/<sx>_<sy>_<sz>/<ox>_<oy>_<oz>``: the
  box as packed little-endian voxels in z, y, x order (x fastest); label instances
  (``labelmap``, ``labelblk``) send uint64, gzip-compressed with ``?compression=gzip``;
* ``GET <server>/api/repo/<uuid>/info`` only to explain a failure (which instances exist).

One ``requests.Session`` per process (connection reuse), timeouts on every request, and
retries (urllib3 ``Retry``) for refused or dropped connections and 502/503/504 replies.
"""

from __future__ import annotations

import gzip
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import attrs
import numpy as np

from dacapo.experiments.datasplits.datasets.arrays._storage.dvid_deadline import (
    DeadlineExceeded,
    get_within,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.per_process import (
    PerProcess,
    without_handles,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.units import (
    exact,
    nanometres_per,
)
from dacapo.experiments.datasplits.datasets.arrays.errors import (
    ArrayError,
    ContainerNotFoundError,
    DatasetNotFoundError,
    MetadataError,
)

if TYPE_CHECKING:  # imported with the first session: workers of other kinds skip its cost
    import requests

#: Instance types DVIDArray reads, and the compression it asks for (None: plain bytes).
IMAGE_TYPES = ("uint8blk", "uint16blk", "uint32blk", "uint64blk", "float32blk")
LABEL_TYPES = ("labelmap", "labelblk")

#: (connect, read) seconds; retries per request.
RETRIES = 3


class DVIDRequestError(ArrayError, ValueError):
    """The DVID server refused a request or sent a reply that cannot be decoded."""


class DVIDConnectionError(ArrayError, ConnectionError):
    """The DVID server could not be reached, or the connection broke."""


@attrs.frozen
class InstanceInfo:
    """What ``/info`` says about an instance, in DVID's x, y, z order."""

    type_name: str
    dtype: np.dtype[Any]  # as sent: little-endian
    voxel_size: tuple[Fraction, ...]  # nm, x, y, z
    min_point: tuple[int, ...]  # x, y, z, inclusive
    max_point: tuple[int, ...]  # x, y, z, inclusive
    compression: str | None


#: What DVIDArray needs of an ``/info`` document, for the message about a malformed one.
_NEEDS = (
    "Base.TypeName, Extended.VoxelSize and VoxelUnits (three positive lengths), MinPoint and "
    "MaxPoint (three integers each, MinPoint <= MaxPoint) and, for image types, "
    "Extended.Values[0].DataType"
)


def parse_info(info: Any, url: str) -> InstanceInfo:
    """The facts DVIDArray needs from an ``/info`` document (see the module docstring).

    Anything malformed (not an object, NaN or text where numbers belong, unknown data types)
    is a :class:`MetadataError` naming the URL and what is needed.
    """
    if not isinstance(info, dict):
        raise MetadataError(
            f"DVID instance at {url} sent an /info document that is a "
            f"{type(info).__name__}, not a JSON object; check that the URL names a DVID instance"
        )
    try:
        parsed = _parse_info(info, url)
    except MetadataError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as e:
        raise MetadataError(
            f"DVID instance at {url} sent a malformed /info document ({e}); DVIDArray needs "
            f"{_NEEDS}; fix the instance's metadata or choose another instance"
        ) from e
    low, high = np.array(parsed.min_point), np.array(parsed.max_point)
    if min(parsed.voxel_size) <= 0 or (low > high).any():
        raise MetadataError(
            f"DVID instance at {url} has VoxelSize {list(map(str, parsed.voxel_size))} and "
            f"extents {list(parsed.min_point)} to {list(parsed.max_point)}; DVIDArray needs "
            f"{_NEEDS}; fix the instance's metadata or choose another instance"
        )
    return parsed


def _integer(value: Any) -> int:
    """A coordinate that must be an integer as sent (``1.5``, ``NaN`` or ``"3"`` are not)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not np.isfinite(value)
        or value != int(value)
    ):
        raise ValueError(f"{value!r} is not an integer")
    return int(value)


def _parse_info(info: dict[str, Any], url: str) -> InstanceInfo:
    base, extended = info.get("Base") or {}, info.get("Extended") or {}
    type_name = base.get("TypeName")
    if type_name in LABEL_TYPES:
        dtype, compression = np.dtype("<u8"), "gzip"
    elif type_name in IMAGE_TYPES:
        values = extended.get("Values") or [{}]
        dtype, compression = np.dtype(values[0].get("DataType", "uint8")).newbyteorder("<"), None
    else:
        raise MetadataError(
            f"DVID instance at {url} has type {type_name!r}; DVIDArray reads "
            f"{', '.join(IMAGE_TYPES + LABEL_TYPES)}; point DVIDArrayConfig.source at one"
        )
    sizes = extended.get("VoxelSize") or [1, 1, 1]
    units = extended.get("VoxelUnits") or ["nanometers"] * 3
    if len(sizes) != 3 or len(units) != 3:
        raise MetadataError(
            f"DVID instance at {url} has VoxelSize {sizes!r} and VoxelUnits {units!r}; "
            f"DVIDArray reads 3D instances (three of each) only"
        )
    voxel_size = []
    for value, unit in zip(sizes, units, strict=True):
        factor = nanometres_per(str(unit))
        if factor is None:
            raise MetadataError(
                f"DVID instance at {url} has voxel unit {unit!r}, which is not a length this "
                f"library knows (nm, µm, ...); fix the instance's VoxelUnits"
            )
        voxel_size.append(exact(value) * factor)
    extents = info.get("Extents") or {}
    if not (extents.get("MinPoint") and extents.get("MaxPoint")):
        extents = extended
    low, high = extents.get("MinPoint"), extents.get("MaxPoint")
    if not low or not high:
        raise MetadataError(
            f"DVID instance at {url} reports no extents (MinPoint/MaxPoint): it holds no voxels "
            f"yet; write data to it or choose another instance"
        )
    return InstanceInfo(
        str(type_name),
        dtype,
        tuple(voxel_size),
        tuple(_integer(v) for v in low),
        tuple(_integer(v) for v in high),
        compression,
    )


def _new_session(client: DVIDClient) -> requests.Session:
    """A session that reuses connections and retries refused or dropped ones, and 50x."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(
        total=RETRIES,
        connect=RETRIES,
        read=RETRIES,
        status=RETRIES,
        backoff_factor=0.1,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class DVIDClient:
    """GETs against one data instance of one DVID node; pickles without its session."""

    def __init__(self, server: str, uuid: str, instance: str) -> None:
        self.server = server.rstrip("/")
        self.uuid = uuid
        self.instance = instance
        self.node_url = f"{self.server}/api/node/{quote(uuid, safe='')}/{quote(instance, safe='')}"
        self.info_url = f"{self.node_url}/info"

    # -- the session, once per process ------------------------------------------------------

    _session = PerProcess(_new_session, close=lambda session: session.close())

    def close(self) -> None:
        """Close the session now (a new one opens on the next request)."""
        DVIDClient._session.close(self)

    __getstate__ = without_handles

    # -- requests -----------------------------------------------------------------------------

    def get(self, url: str, params: dict[str, str] | None = None) -> requests.Response:
        """GET ``url``; a refused, dropped or timed-out connection raises DVIDConnectionError."""
        import requests

        try:
            response = get_within(self._session, url, params, RETRIES + 1)
        except (requests.RequestException, DeadlineExceeded) as err:
            raise DVIDConnectionError(
                f"cannot read {url} from DVID server {self.server!r} (after {RETRIES} retries): "
                f"{_reason(err)}; check that the server is running and reachable, and the "
                f"server URL in DVIDArrayConfig.source[0]"
            ) from err
        return response

    def info(self) -> dict[str, Any]:
        """The instance's ``/info`` document; a missing node or instance is explained."""
        response = self.get(self.info_url)
        if response.status_code in (400, 404):
            self._raise_missing(response)
        if response.status_code != 200:
            raise _refused(response, "check the server's logs")
        try:
            document = response.json()
        except ValueError as err:
            raise DVIDRequestError(
                f"DVID server sent something that is not JSON for GET {self.info_url} "
                f"({response.text[:200]!r}); check that DVIDArrayConfig.source[0] is a DVID server"
            ) from err
        if not isinstance(document, dict):
            raise DVIDRequestError(f"DVID server sent {document!r} for GET {self.info_url}")
        return document

    def _raise_missing(self, response: requests.Response) -> None:
        """The node or the instance is unknown: say which, and what exists instead."""
        said = _said(response)
        repo = self.get(f"{self.server}/api/repo/{quote(self.uuid, safe='')}/info")
        if repo.status_code != 200:
            raise ContainerNotFoundError(
                f"DVID server {self.server!r} has no node {self.uuid!r} (GET {self.info_url}: "
                f"{said}); check the uuid in DVIDArrayConfig.source[1]"
            )
        try:
            names = sorted((repo.json().get("DataInstances") or {}).keys())
        except (ValueError, AttributeError):
            names = []
        raise DatasetNotFoundError(
            f"no data instance {self.instance!r} at node {self.uuid!r} of DVID server "
            f"{self.server!r} (GET {self.info_url}: {said}; found: "
            f"{', '.join(repr(n) for n in names) or 'none'}); check the instance name in "
            f"DVIDArrayConfig.source[2]"
        )

    def raw(self, size: tuple[int, ...], offset: tuple[int, ...], info: InstanceInfo) -> bytes:
        """The packed voxels of a box (``size``/``offset`` in voxels, x, y, z)."""
        url = f"{self.node_url}/raw/0_1_2/{'_'.join(map(str, size))}/{'_'.join(map(str, offset))}"
        params = {"compression": info.compression} if info.compression else None
        response = self.get(url, params)
        if response.status_code != 200:
            raise _refused(
                response,
                "check that the requested box lies inside the instance and below the "
                "server's request size limit",
            )
        body = response.content
        if info.compression == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as err:
                raise DVIDRequestError(
                    f"DVID server sent a broken gzip payload for GET {response.url}: {err}"
                ) from err
        expected = int(np.prod(size)) * info.dtype.itemsize
        if len(body) != expected:
            raise DVIDRequestError(
                f"DVID server sent {len(body)} bytes for GET {response.url}, expected "
                f"{expected} ({'x'.join(map(str, size))} voxels of {info.dtype.name}); the "
                f"server and this client disagree on the payload format"
            )
        return body


def form_problems(source: Any) -> list[str]:
    """What is wrong with the form of ``(server, uuid, instance)``, without network access."""
    if not (isinstance(source, tuple) and len(source) == 3):
        return [f"source must be (server URL, node uuid, instance name); got {source!r}"]
    server, uuid, instance = source
    found = []
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        found.append(
            f"source[0] (server) must be an http:// or https:// URL with a host, e.g. "
            f"'http://emdata.janelia.org:8000'; got {server!r}"
        )
    for what, value, example in (
        ("uuid", uuid, "'a1b2c3'"),
        ("instance", instance, "'grayscale'"),
    ):
        if not value.strip() or "/" in value or value != value.strip():
            found.append(
                f"source[{1 if what == 'uuid' else 2}] ({what}) must be a non-empty name "
                f"without '/' or surrounding spaces, e.g. {example}; got {value!r}"
            )
    return found


def _said(response: requests.Response) -> str:
    text = response.text.strip().replace("\n", " ")[:300]
    return f"{response.status_code} {response.reason}" + (f", {text!r}" if text else "")


def _refused(response: requests.Response, fix: str) -> DVIDRequestError:
    return DVIDRequestError(f"DVID server refused GET {response.url} ({_said(response)}); {fix}")


def _reason(err: Exception) -> str:
    """The innermost cause of a requests/urllib3 error, e.g. 'Connection refused'."""
    cause: BaseException = err
    while cause.__context__ is not None and cause.__context__ is not cause:
        cause = cause.__context__
    return f"{type(cause).__name__}: {cause}"
