"""``dacapo-arrays view``: show array configs in neuroglancer, or screenshot them."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig, ArrayError

from .browser import BrowserError
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


def _load(path: Path) -> Array:
    try:
        return ArrayConfig.from_file(path).create_array()
    except ArrayError as err:
        raise click.ClickException(f"{path}: {err}") from err


@click.command("view")
@click.argument(
    "configs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
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
def view(
    configs: tuple[Path, ...],
    bind: str,
    port: int,
    screenshot: Path | None,
    position: tuple[float, ...] | None,
    layout: str,
    size: tuple[int, int],
    timeout: float,
    browser: str | None,
) -> None:
    """Show the arrays of CONFIG files in neuroglancer, one layer each, lined up in nm.

    Serves until Ctrl-C and prints the URL to open; with --screenshot, renders the view in
    headless Chromium instead, writes the PNG and exits. Data is read lazily, chunk by
    chunk, as the viewer asks for it.
    """
    import neuroglancer

    from .browser import screenshot as take_screenshot
    from .state import build_viewer

    arrays = [_load(path) for path in configs]
    neuroglancer.set_server_bind_address(bind, port)
    try:
        viewer = build_viewer(arrays, position=position, layout=layout, size=size)
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


def _serve_forever() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped")
