"""DVIDArray against plain numpy, over HTTP from a DVID look-alike on 127.0.0.1."""

from __future__ import annotations

import gzip
import http.server
import json
import pickle
import socket
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayError,
    ContainerNotFoundError,
    DatasetNotFoundError,
    DVIDArray,
    DVIDArrayConfig,
    MetadataError,
    ReadOnlyError,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.dvid import (
    DVIDConnectionError,
    DVIDRequestError,
    parse_info,
)
from dacapo_arrays.testing.checks import assert_read_equals_numpy, read_in_a_spawned_process
from dacapo_arrays.testing.dvid_server import FakeDVID
from dacapo_arrays.testing.strategies import aligned_rois, fixture_settings, random_volume

SETTINGS = fixture_settings(40)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeDVID]:
    dvid = FakeDVID()
    yield dvid
    dvid.close()


@pytest.fixture(autouse=True)
def _reset(server: FakeDVID) -> None:
    server.missing_status, server.max_bytes, server.drop_next, server.mangle = 400, 2**30, 0, None


def _array(source: tuple[str, str, str], name: str = "d") -> DVIDArray:
    array = DVIDArrayConfig(name=name, source=source).create_array()
    assert isinstance(array, DVIDArray)
    return array


# -- reads equal numpy --------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_random_reads_equal_numpy(server: FakeDVID, data: st.DataObject) -> None:
    type_name, dtype = data.draw(
        st.sampled_from(
            [
                ("uint8blk", "uint8"),
                ("uint16blk", "uint16"),
                ("float32blk", "float32"),
                ("labelmap", "uint64"),
                ("labelblk", "uint64"),
            ]
        )
    )
    shape = tuple(data.draw(st.lists(st.integers(1, 12), min_size=3, max_size=3)))
    values = random_volume(shape, dtype, seed=data.draw(st.integers(0, 9)))
    voxel_xyz = tuple(data.draw(st.lists(st.integers(1, 9), min_size=3, max_size=3)))
    min_xyz = tuple(data.draw(st.lists(st.integers(-100, 100), min_size=3, max_size=3)))
    source = server.add(values, type_name=type_name, voxel_size=voxel_xyz, min_point=min_xyz)
    array = _array(source)
    voxel = Coordinate(voxel_xyz[::-1])
    offset = Coordinate(min_xyz[::-1]) * voxel
    assert (array.voxel_size, array.roi) == (voxel, Roi(offset, Coordinate(shape) * voxel))
    assert (array.axes, array.dtype, array.num_channels) == (
        ["z", "y", "x"],
        np.dtype(dtype),
        None,
    )
    roi = data.draw(aligned_rois(array.roi, voxel))
    assert_read_equals_numpy(array, roi, values, offset, voxel)


def test_dispatch_is_by_type_not_by_name(server: FakeDVID) -> None:
    labels = random_volume((3, 4, 5), "uint64")
    grayscale = random_volume((3, 4, 5), "uint8")
    array = _array(server.add(labels, type_name="labelmap", name="grayscale"))
    assert (array.type_name, array.dtype) == ("labelmap", np.dtype("uint64"))
    np.testing.assert_array_equal(array[array.roi], labels)
    array = _array(server.add(grayscale, type_name="uint8blk", name="segmentation"))
    assert (array.type_name, array.dtype) == ("uint8blk", np.dtype("uint8"))
    np.testing.assert_array_equal(array[array.roi], grayscale)
    assert server.requests[-1].endswith("/raw/0_1_2/5_4_3/0_0_0")  # no compression asked
    labels_read = [r for r in server.requests if "compression=gzip" in r]
    assert labels_read
    assert "/grayscale/raw/0_1_2/5_4_3/0_0_0" in labels_read[-1]


def test_large_reads_are_split_into_z_slabs(server: FakeDVID) -> None:
    values = random_volume((10, 6, 7), "uint16")
    array = _array(server.add(values, type_name="uint16blk", voxel_size=(1, 1, 2)))
    array.max_request_bytes = 3 * 6 * 7 * 2  # three planes per request
    before = len(server.requests)
    np.testing.assert_array_equal(array[array.roi], values)
    assert server.requests[before:] == [
        f"/api/node/{array.source[1]}/grayscale/raw/0_1_2/7_6_{n}/0_0_{z}"
        for z, n in [(0, 3), (3, 3), (6, 3), (9, 1)]
    ]


def test_one_connection_serves_many_reads(server: FakeDVID) -> None:
    values = random_volume((4, 5, 6), "uint8")
    array = _array(server.add(values))
    before = server.connections
    for z in range(4):
        np.testing.assert_array_equal(array[Roi((8 * z, 0, 0), (8, 40, 48))], values[z : z + 1])
    assert server.connections - before <= 1


# -- /info --------------------------------------------------------------------------------------


IMAGEBLK_INFO = {
    "Base": {"TypeName": "uint8blk", "Name": "grayscale"},
    "Extended": {
        "Values": [{"DataType": "uint8", "Label": "uint8"}],
        "BlockSize": [32, 32, 32],
        "VoxelSize": [4.0, 8.0, 40.0],
        "VoxelUnits": ["nanometers", "nanometers", "nanometers"],
        "MinPoint": [0, 0, 0],  # stale: DVID stopped updating these for imageblk
        "MaxPoint": [31, 31, 31],
    },
    "Extents": {"MinPoint": [10, 20, 30], "MaxPoint": [109, 219, 39]},
}


def test_info_is_read_in_xyz_with_an_inclusive_max_point() -> None:
    info = parse_info(IMAGEBLK_INFO, "http://x/info")
    assert (info.min_point, info.max_point, info.dtype) == (
        (10, 20, 30),
        (109, 219, 39),
        np.dtype("<u1"),
    )
    assert info.voxel_size == (4, 8, 40)
    assert info.compression is None
    labels = {
        "Base": {"TypeName": "labelmap"},
        "Extended": {
            "VoxelSize": [8, 8, 8],
            "VoxelUnits": ["nanometers"] * 3,
            "MinPoint": [0, 0, 64],
            "MaxPoint": [63, 127, 127],
        },
    }
    info = parse_info(labels, "http://x/info")
    assert (info.min_point, info.max_point, info.dtype, info.compression) == (
        (0, 0, 64),
        (63, 127, 127),
        np.dtype("<u8"),
        "gzip",
    )


def test_roi_is_z_y_x_from_min_to_max_point(server: FakeDVID) -> None:
    array = _array(
        server.add(np.zeros((3, 4, 5), np.uint8), voxel_size=(4, 8, 40), min_point=(10, 20, 30))
    )
    # x 10..14, y 20..23, z 30..32 voxels
    assert array.roi == Roi((30 * 40, 20 * 8, 10 * 4), (3 * 40, 4 * 8, 5 * 4))
    assert array.attrs["Base"]["TypeName"] == "uint8blk"


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (
            {"Base": {"TypeName": "rgba8blk"}},
            MetadataError,
            r"DVID instance at http://x/info has type 'rgba8blk'; "
            r"DVIDArray reads uint8blk, .*labelblk",
        ),
        (
            {
                "Extents": None,
                "Extended": {"VoxelSize": [1, 1, 1], "MinPoint": None, "MaxPoint": None},
            },
            MetadataError,
            r"reports no extents \(MinPoint/MaxPoint\): it holds no voxels yet",
        ),
        (
            {"Extended": {"VoxelSize": [1, 1, 1], "VoxelUnits": ["pixels"] * 3}},
            MetadataError,
            r"has voxel unit 'pixels', which is not a length",
        ),
        (
            {"Extended": {"VoxelSize": [1, 1], "VoxelUnits": ["nm"] * 2}},
            MetadataError,
            r"VoxelSize \[1, 1\] .* DVIDArray reads 3D instances",
        ),
        (
            {"Extended": {"VoxelSize": [float("nan"), 1, 1], "VoxelUnits": ["nm"] * 3}},
            MetadataError,
            r"malformed /info document .*DVIDArray needs Base.TypeName",
        ),
        (
            {"Extended": {"VoxelSize": ["four", 1, 1], "VoxelUnits": ["nm"] * 3}},
            MetadataError,
            r"malformed /info document",
        ),
        (
            {"Extended": {"VoxelSize": [0, 1, 1], "VoxelUnits": ["nm"] * 3}},
            MetadataError,
            r"has VoxelSize \['0', '1', '1'\]",
        ),
        (
            {"Extents": {"MinPoint": [0, 0, "a"], "MaxPoint": [9, 9, 9]}},
            MetadataError,
            r"malformed /info document \('a' is not an integer\)",
        ),
        (
            {"Extents": {"MinPoint": [0, 0, 0], "MaxPoint": [9, float("nan"), 9]}},
            MetadataError,
            r"malformed /info document \(nan is not an integer\)",
        ),
        (
            {"Extents": {"MinPoint": [5, 0, 0], "MaxPoint": [4, 9, 9]}},
            MetadataError,
            r"extents \[5, 0, 0\] to \[4, 9, 9\]",
        ),
        (
            {"Base": ["uint8blk"]},
            MetadataError,
            r"malformed /info document",
        ),
        (
            {"Extended": {"Values": [{"DataType": "complex-ish"}]}},
            MetadataError,
            r"malformed /info document",
        ),
    ],
    ids=[
        "type",
        "no-extents",
        "unit",
        "2d",
        "nan-size",
        "text-size",
        "zero-size",
        "text-point",
        "nan-point",
        "inverted",
        "base-list",
        "data-type",
    ],
)
def test_info_problems(change: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        parse_info(IMAGEBLK_INFO | change, "http://x/info")


@pytest.mark.parametrize("document", [[], "uint8blk", None, 3])
def test_an_info_document_that_is_not_an_object(document: object) -> None:
    with pytest.raises(MetadataError, match=r"not a JSON object; check that the URL names"):
        parse_info(document, "http://x/info")


def test_voxel_units_convert_and_fractions_are_refused(server: FakeDVID) -> None:
    array = _array(
        server.add(np.zeros((2, 2, 2), np.uint8), voxel_size=(0.004, 0.004, 0.04), units="microns")
    )
    assert array.voxel_size == Coordinate(40, 4, 4)
    source = server.add(np.zeros((2, 2, 2), np.uint8), voxel_size=(3.2, 3.2, 40.0))
    with pytest.raises(
        MetadataError,
        match=r"voxel_size must be whole nanometres; got \(40, 3\.2, 3\.2\) \(z, y, x\) from "
        r"VoxelSize/VoxelUnits in http://127\.0\.0\.1:\d+/api/node/\w+/grayscale/info",
    ):
        _array(source)


# -- errors turned into clear exceptions --------------------------------------------------------


def test_unknown_node(server: FakeDVID) -> None:
    with pytest.raises(
        ContainerNotFoundError,
        match=r"DVID server 'http://127\.0\.0\.1:\d+' has no node 'f00' \(GET "
        r"http://127\.0\.0\.1:\d+/api/node/f00/grayscale/info: 400 Bad Request, 'No node with "
        r"UUID f00 found .*'\); check the uuid in DVIDArrayConfig\.source\[1\]",
    ):
        _array((server.url, "f00", "grayscale"))


@pytest.mark.parametrize("status", [400, 404])
def test_unknown_instance(server: FakeDVID, status: int) -> None:
    server.missing_status = status
    url, node, _ = server.add(np.zeros((1, 1, 1), np.uint8), name="grayscale")
    server.add(np.zeros((1, 1, 1), np.uint64), type_name="labelmap", name="labels", node=node)
    with pytest.raises(
        DatasetNotFoundError,
        match=rf"no data instance 'segmentation' at node '{node}' of DVID server '{url}' \(GET "
        rf"{url}/api/node/{node}/segmentation/info: {status} .*; found: 'grayscale', 'labels'\); "
        r"check the instance name in DVIDArrayConfig\.source\[2\]",
    ):
        _array((url, node, "segmentation"))


def test_a_refused_roi(server: FakeDVID) -> None:
    array = _array(server.add(np.zeros((4, 5, 6), np.uint8)))
    server.max_bytes = 100
    with pytest.raises(
        DVIDRequestError,
        match=r"DVID server refused GET http://127\.0\.0\.1:\d+/api/node/\w+/grayscale/raw/0_1_2/"
        r"6_5_4/0_0_0 \(400 Bad Request, \"Requested payload \(120 bytes\) exceeds this DVID "
        r"server's set limit \(100\).*\"\); check that the requested box lies inside the "
        r"instance and below the server's request size limit",
    ):
        array[array.roi]


def test_a_dropped_connection_is_retried_then_reported(server: FakeDVID) -> None:
    values = random_volume((2, 3, 4), "uint8")
    array = _array(server.add(values))
    server.drop_next = 2
    np.testing.assert_array_equal(array[array.roi], values)  # two retries, then an answer
    server.drop_next = 100
    with pytest.raises(
        DVIDConnectionError,
        match=r"cannot read http://127\.0\.0\.1:\d+/api/node/\w+/grayscale/raw/0_1_2/4_3_2/0_0_0 "
        r"from DVID server '.*' \(after 3 retries\): RemoteDisconnected: Remote end closed "
        r"connection without response; check that the server is running",
    ):
        array[array.roi]


def test_an_unreachable_server() -> None:
    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        DVIDConnectionError,
        match=rf"cannot read http://127\.0\.0\.1:{port}/api/node/a1/raw/info from DVID server "
        rf"'http://127\.0\.0\.1:{port}' \(after 3 retries\): ConnectionRefusedError: .*; check "
        r"that the server is running and reachable, and the server URL in "
        r"DVIDArrayConfig\.source\[0\]",
    ):
        _array((f"http://127.0.0.1:{port}", "a1", "raw"))
    assert issubclass(DVIDConnectionError, ArrayError)
    assert issubclass(DVIDConnectionError, ConnectionError)


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (
            lambda body: body[:-1],
            r"DVID server sent 119 bytes for GET .*/raw/0_1_2/6_5_4/0_0_0, expected 120",
        ),
        (
            lambda body: b"not gzip",
            r"DVID server sent a broken gzip payload for GET .*compression=gzip",
        ),
    ],
    ids=["short", "not-gzip"],
)
def test_corrupt_payloads(server: FakeDVID, mangle: object, message: str) -> None:
    type_name = "uint8blk" if "119" in message else "labelmap"
    dtype = "uint8" if type_name == "uint8blk" else "uint64"
    array = _array(server.add(np.zeros((4, 5, 6), dtype), type_name=type_name))
    server.mangle = mangle  # type: ignore[assignment]
    with pytest.raises(DVIDRequestError, match=message):
        array[array.roi]


@pytest.fixture
def not_dvid(tmp_path: Path) -> Iterator[str]:
    """A plain web server that answers 200 with text where DVID would send JSON."""
    (tmp_path / "api/node/a1/raw").mkdir(parents=True)
    (tmp_path / "api/node/a1/raw/info").write_text("<html>hello</html>")
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_server_that_is_not_dvid(not_dvid: str) -> None:
    with pytest.raises(
        DVIDRequestError,
        match=r"DVID server sent something that is not JSON for GET .*/api/node/a1/raw/info "
        r"\('<html>hello</html>'\); check that DVIDArrayConfig\.source\[0\] is a DVID server",
    ):
        _array((not_dvid, "a1", "raw"))


# -- read-only ----------------------------------------------------------------------------------


def test_read_only_data_and_metadata(server: FakeDVID) -> None:
    values = random_volume((3, 4, 5), "uint8")
    array = _array(server.add(values, type_name="uint8blk"), name="raw")
    assert not array.writable
    assert (array.data.shape, array.data.dtype, array.data.ndim) == (values.shape, "uint8", 3)
    np.testing.assert_array_equal(np.asarray(array.data), values)
    np.testing.assert_array_equal(array.data[-1, 1:, ::2], values[-1, 1:, ::2])
    assert array.data[2:2].shape == (0, 4, 5)
    with pytest.raises(ReadOnlyError, match=r"cannot write to DVIDArray 'raw'.data: .*read-only"):
        array.data[0] = 1
    with pytest.raises(
        ReadOnlyError,
        match=r"cannot add metadata to DVIDArray 'raw': it is read-only "
        r"\(DVID instances are read-only here",
    ):
        array.add_metadata({"a": 1})
    with pytest.raises(
        ReadOnlyError,
        match=r"read-only \(DVID instances are read-only here; write through DVID's own API\)",
    ):
        array[array.roi] = np.ones((2, 2, 2), np.uint8)
    assert repr(array) == f"DVIDArray(({server.url!r}, {array.source[1]!r}, 'grayscale'))"


# -- config: form without network, reachability with it -----------------------------------------


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (
            ("emdata:8000", "a1", "g"),
            r"source\[0\] \(server\) must be an http:// or https:// URL with a host"
            r".*got 'emdata:8000'",
        ),
        (("http://", "a1", "g"), r"source\[0\] \(server\) must be .*got 'http://'"),
        (("http://h:1", "", "g"), r"source\[1\] \(uuid\) must be a non-empty name .*got ''"),
        (
            ("http://h:1", "a1", "seg/s0"),
            r"source\[2\] \(instance\) must be a non-empty name without '/'.*got 'seg/s0'",
        ),
    ],
)
def test_verify_checks_the_form_without_network(
    source: tuple[str, str, str], problem: str
) -> None:
    ok, message = DVIDArrayConfig(name="d", source=source).verify()
    assert not ok
    assert message.startswith("$ (DVIDArrayConfig 'd'): ")
    assert __import__("re").search(problem, message)


def test_verify_accepts_an_unreachable_but_well_formed_source() -> None:
    config = DVIDArrayConfig(
        name="d", source=["https://emdata.example.org:8000", "a1b2", "grayscale"]
    )
    assert config.source == ("https://emdata.example.org:8000", "a1b2", "grayscale")
    assert config.verify() == (True, "No validation for this Array")


@pytest.mark.parametrize("bad", ["http://h", ("http://h", "a1"), ("http://h", "a1", 3)])
def test_source_must_be_three_strings(bad: object) -> None:
    with pytest.raises(
        ValueError, match=r"source must be three strings \(server URL, node uuid, instance name\)"
    ):
        DVIDArrayConfig(name="d", source=bad)  # type: ignore[arg-type]


def test_check_reachable(server: FakeDVID) -> None:
    url, node, name = server.add(np.zeros((3, 4, 5), np.uint64), type_name="labelmap", name="seg")
    assert DVIDArrayConfig(name="d", source=(url, node, name)).check_reachable() == (
        True,
        f"DVID instance 'seg' (labelmap, uint64) at node '{node}' of {url}: "
        "5x4x3 voxels (x, y, z)",
    )
    ok, message = DVIDArrayConfig(name="d", source=(url, node, "nope")).check_reachable()
    assert not ok
    assert message.startswith("no data instance 'nope'")
    ok, message = DVIDArrayConfig(name="d", source=("ftp://h", node, "x")).check_reachable()
    assert not ok
    assert "must be an http:// or https:// URL" in message


# -- pickling and processes ---------------------------------------------------------------------


def test_pickles_without_a_session_and_reads_in_another_process(server: FakeDVID) -> None:
    values = random_volume((4, 5, 6), "uint64")
    array = _array(server.add(values, type_name="labelmap", voxel_size=(2, 2, 2)))
    array[array.roi]  # the session exists now
    state = pickle.loads(pickle.dumps(array))._client.__dict__
    assert "_session" not in state
    roi = Roi((2, 2, 2), (4, 6, 8))
    got = read_in_a_spawned_process(array, roi)
    np.testing.assert_array_equal(got, values[1:3, 1:4, 1:5])


def test_threaded_reads_through_dask(server: FakeDVID) -> None:
    values = random_volume((8, 20, 20), "uint8")
    array = _array(server.add(values))
    np.testing.assert_array_equal(array.to_dask((3, 7, 9)).compute(scheduler="threads"), values)


def test_the_wire_format_is_dvids(server: FakeDVID) -> None:
    """Guard the look-alike itself: little-endian uint64, x fastest, gzip on request."""
    values = np.arange(2 * 3 * 4, dtype=np.uint64).reshape(2, 3, 4) + 2**40
    url, node, name = server.add(values, type_name="labelmap", min_point=(5, 6, 7))
    import requests

    with requests.Session() as session:
        reply = session.get(f"{url}/api/node/{node}/{name}/raw/0_1_2/4_3_2/5_6_7?compression=gzip")
        info = session.get(f"{url}/api/node/{node}/{name}/info").json()
    assert reply.headers["Content-Type"] == "application/octet-stream"
    raw = gzip.decompress(reply.content)
    np.testing.assert_array_equal(np.frombuffer(raw, "<u8").reshape(2, 3, 4), values)
    assert info["Extended"]["MaxPoint"] == [8, 8, 8]
    assert json.loads(json.dumps(info)) == info
