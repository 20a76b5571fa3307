"""``dacapo-arrays view``: show array configs in neuroglancer, or screenshot them."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import attrs
import click

from dacapo.experiments.datasplits.datasets.arrays import (
    Array,
    ArrayConfig,
    ArrayError,
    InStore,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.tooling import Container

if TYPE_CHECKING:
    import neuroglancer

from .browser import BrowserError
from .files import source_url
from .ome import multiscale, source_transform
from .state import DEFAULT_SIZE, LAYOUTS, ViewerError


def _parse_position(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        return tuple(float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a list of numbers; give world coordinates in nm, e.g. 400,1024,1024"
        ) from None


def _parse_size(ctx: click.Context, param: click.Parameter, value: str) -> tuple[int, int]:
    width, _, height = value.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0):
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT in pixels, e.g. 1024x768")
    return int(width), int(height)


#: A pyramid level's dataset name.
LEVEL = re.compile(r"^s(\d+)$")


def _level(config: ZarrArrayConfig) -> int:
    found = LEVEL.match(config.dataset.rpartition("/")[2])
    return int(found.group(1)) if found else 0


def _groups(configs: list[ZarrArrayConfig]) -> dict[str, list[ZarrArrayConfig]]:
    """The datasets of a path by multiscale group, finest level first: the datasets an
    OME-NGFF ``multiscales`` of an enclosing group lists (any names, e.g. ngff-zarr's
    ``scale0/image``), in its order; otherwise levels ``s0``, ``s1``, ... of one group."""
    groups: dict[str, list[ZarrArrayConfig]] = {}
    declared: dict[tuple[str, str], list[str]] = {}
    for config in configs:
        group = _declared_group(config, declared)
        if group is None:
            parent, _, last = config.dataset.rpartition("/")
            group = parent if LEVEL.match(last) else config.dataset
        groups.setdefault(group, []).append(config)
    for group, members in groups.items():
        order = declared.get((str(members[0].file_name), group)) or []
        prefix = f"{group}/" if group else ""
        if all(m.dataset.removeprefix(prefix) in order for m in members):
            members.sort(key=lambda m: order.index(m.dataset.removeprefix(prefix)))
        else:
            members.sort(key=_level)
    return groups


def _declared_group(
    config: ZarrArrayConfig, declared: dict[tuple[str, str], list[str]]
) -> str | None:
    """The nearest enclosing group whose ``multiscales`` lists ``config``'s dataset."""
    parts = config.dataset.split("/")
    for n in range(len(parts) - 1, -1, -1):
        group = "/".join(parts[:n])
        key = (str(config.file_name), group)
        if key not in declared:
            meta = multiscale(str(config.file_name), group)
            paths = meta.get("datasets", []) if meta else []
            declared[key] = [str(d.get("path")) for d in paths if isinstance(d, dict)]
        if "/".join(parts[n:]) in declared[key]:
            return group
    return None


def load(
    target: str, bind: str = "127.0.0.1", world_unit: str | None = None
) -> list[tuple[Array, neuroglancer.LayerDataSource | None]]:
    """The layers ``target`` names, each with its multiscale data source (or ``None``).

    A config file is one layer. A zarr / N5 path (container, group or dataset, as ``info``
    takes) gives one layer per array below it, except that the levels of a multiscale group
    (``NAME/s0``, ``NAME/s1``, ...) are one layer, read through its levels by neuroglancer,
    with the source transform that places it where this project reads it (:mod:`.ome`);
    an OME-NGFF pyramid no transform places right is shown through the generic path.
    ``world_unit`` (``--world-unit``) is the world unit of a path's arrays.
    """
    from dacapo_arrays.cli._targets import (  # (a cycle)
        configs_for_path,
        is_config_file,
        path_advice,
    )

    try:
        if is_config_file(target):
            return [(ArrayConfig.from_file(target).create_array(), None)]
        remote = _remote_pyramid(target, world_unit)
        if remote is not None:
            group, members = remote
            array = attrs.evolve(members[0], name=group).create_array()
            return [(array, _pyramid_source(array, group, members, bind))]
        layers: list[tuple[Array, neuroglancer.LayerDataSource | None]] = []
        for group, members in _groups(configs_for_path(target, world_unit)).items():
            name = group or Path(str(members[0].file_name)).name
            array = attrs.evolve(members[0], name=name).create_array()
            layers.append((array, _pyramid_source(array, group, members, bind)))
        return layers
    except ArrayError as err:
        message = str(err) if is_config_file(target) else path_advice(str(err))
        raise click.ClickException(f"{target}: {message}") from err


def _pyramid_source(
    array: Array, group: str, members: list[ZarrArrayConfig], bind: str
) -> neuroglancer.LayerDataSource | None:
    """Neuroglancer's own source of the pyramid ``group`` that ``array`` (its finest level,
    ``members[0]``) is in; ``None`` for a single array, for N5 with channels (neuroglancer's
    N5 source cannot name a channel axis) and for an OME-NGFF pyramid whose levels
    neuroglancer would misplace (:mod:`.ome`)."""
    import neuroglancer

    if len(members) < 2:
        return None
    fmt = array.storage_format if isinstance(array, InStore) else "zarr2"
    if fmt == "n5" and array.num_channels is not None:
        return None
    container = str(members[0].file_name)
    transform = None
    if fmt in ("zarr2", "zarr3"):
        prefix = f"{group}/" if group else ""
        levels = {m.dataset.removeprefix(prefix): m.create_array() for m in members}
        transform = source_transform(container, group, levels)
        if transform is None:
            return None
    url = source_url(container, group, fmt, bind)
    return neuroglancer.LayerDataSource(url=url, transform=transform)


def _remote_pyramid(
    target: str, world_unit: str | None = None
) -> tuple[str, list[ZarrArrayConfig]] | None:
    """For a URL naming a stored multiscale group (``s3://b/out.zarr/raw``), the group and
    the configs of its levels, finest first; ``None`` for anything else (a URL cannot be
    listed)."""
    from dacapo_arrays.cli._targets import split_container  # (a cycle)

    container, group = split_container(target)
    if len(urlsplit(container).scheme) <= 1 or urlsplit(container).scheme == "file":
        return None
    if not group or LEVEL.match(group.rpartition("/")[2]):
        return None
    levels = stored_levels(Container(container), group)
    if len(levels) < 2:
        return None
    return group, [
        ZarrArrayConfig(
            name=group, file_name=container, dataset=f"{group}/{level}", world_unit=world_unit
        )
        for level in levels
    ]


def stored_levels(container: Container, group: str) -> list[str]:
    """The level paths of the multiscale ``group``, finest first: OME-NGFF ``multiscales``
    (zarr v2 ``.zattrs``, zarr v3 ``zarr.json``, N5 ``attributes.json``) or N5 ``scales``
    (levels ``s0``, ``s1``, ...); ``[]`` when it is not one."""
    names = (".zattrs", "zarr.json", "attributes.json")
    documents = container.read_jsons(f"{group}/{name}" for name in names)
    for name in names:
        document = documents[f"{group}/{name}"]
        if not isinstance(document, dict):
            continue
        attributes = document.get("attributes", {}) if name == "zarr.json" else document
        ome = attributes.get("ome", attributes) if isinstance(attributes, dict) else {}
        multiscales = ome.get("multiscales") if isinstance(ome, dict) else None
        if isinstance(multiscales, list) and multiscales and isinstance(multiscales[0], dict):
            datasets = multiscales[0].get("datasets", [])
            return [d["path"] for d in datasets if isinstance(d, dict) and "path" in d]
        scales = attributes.get("scales") if isinstance(attributes, dict) else None
        if isinstance(scales, list):
            return [f"s{k}" for k in range(len(scales))]
    return []


@click.command("view")
@click.argument("targets", metavar="CONFIG|PATH...", nargs=-1, required=True)
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="Address to serve on (0.0.0.0: every interface).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to serve on; 0 picks a free one.",
)
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render in headless Chromium, write this PNG, and exit.",
)
@click.option(
    "--position",
    callback=_parse_position,
    metavar="Z,Y,X",
    help="World coordinates (nm) to centre on; default: the centre of all arrays.",
)
@click.option("--layout", type=click.Choice(LAYOUTS), default="4panel", show_default=True)
@click.option(
    "--size",
    default="{}x{}".format(*DEFAULT_SIZE),
    show_default=True,
    callback=_parse_size,
    metavar="WxH",
    help="Window size in pixels the view is fitted to (and the screenshot's size).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=120.0,
    show_default=True,
    help="Seconds to wait for the screenshot.",
)
@click.option("--browser", help="Chromium executable for --screenshot (default: from PATH).")
@click.option(
    "--world-unit",
    metavar="UNIT",
    help="World unit of the arrays a PATH names (as `info --world-unit`), e.g. '0.01 nm' "
    "for 5.24 nm voxels; config files set world_unit themselves.",
)
def view(
    targets: tuple[str, ...],
    bind: str,
    port: int,
    screenshot: Path | None,
    position: tuple[float, ...] | None,
    layout: str,
    size: tuple[int, int],
    timeout: float,
    browser: str | None,
    world_unit: str | None,
) -> None:
    """Show arrays in neuroglancer, one layer each, lined up in nm: CONFIG files, or zarr /
    N5 PATHs as `info` takes them (a container or group shows every array below it; a
    pyramid group NAME/s0, s1, ... is one layer read through its levels). Labels draw above
    images; an image showing the same data as an earlier one starts hidden.

    Serves until Ctrl-C and prints the URL to open; with --screenshot, renders the view in
    headless Chromium instead, writes the PNG and exits. Data is read lazily, chunk by
    chunk, as the viewer asks for it.
    """
    import neuroglancer

    from .browser import screenshot as take_screenshot
    from .files import stop_all
    from .state import build_viewer

    shown = [layer for target in targets for layer in load(target, bind, world_unit)]
    arrays = [array for array, _ in shown]
    # A server already running in this process (an earlier view, a notebook) would keep its
    # own address and port and ignore --bind/--port: restart it on the ones asked for.
    neuroglancer.stop()
    neuroglancer.set_server_bind_address(bind, port)
    try:
        viewer = build_viewer(
            arrays,
            position=position,
            layout=layout,
            size=size,
            sources=[url for _, url in shown],
        )
    except ViewerError as err:
        raise click.ClickException(str(err)) from err
    except OSError as err:
        raise click.ClickException(
            f"cannot serve on {bind}:{port}: {err}; pick another --port or --bind"
        ) from err
    try:
        if screenshot is not None:
            try:
                take_screenshot(viewer, screenshot, browser=browser, size=size, timeout=timeout)
            except BrowserError as err:
                raise click.ClickException(str(err)) from err
            click.echo(f"wrote {screenshot}")
            return
        click.echo(f"Serving {len(arrays)} layer(s) at {viewer.get_viewer_url()}")
        click.echo("Press Ctrl-C to stop.")
        sys.stdout.flush()
        _serve_forever()
    finally:
        neuroglancer.stop()
        stop_all()


def _serve_forever() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")
