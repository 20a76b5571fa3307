"""``view``'s options and error messages (no browser needed)."""

from __future__ import annotations

import gc
import socket
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from dacapo_arrays.viewer.browser import chromium_command, find_browser, local_url
from dacapo_arrays.viewer.cli import view


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(view, list(args))
    return result.exit_code, result.output


def test_help_lists_the_options() -> None:
    code, output = run("--help")
    assert code == 0
    for option in ("--bind", "--port", "--screenshot", "--position", "--layout", "--size"):
        assert option in output


def test_a_missing_config_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, output = run(str(missing))
    assert code == 1
    assert f"Error: {missing}:" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--position", "1,a,3"],
            "'1,a,3' is not a list of numbers; give world coordinates in nm",
        ),
        (["--size", "800"], "'800' is not WIDTHxHEIGHT in pixels, e.g. 1024x768"),
        (["--port", "70000"], "70000 is not in the range 0<=x<=65535"),
        (["--layout", "cube"], "'cube' is not one of '4panel'"),
    ],
)
def test_bad_options_are_explained(sample: dict[str, Path], args: list[str], message: str) -> None:
    code, output = run(str(sample["raw"]), *args)
    assert code == 2
    assert message in output


def test_a_position_of_the_wrong_length(sample: dict[str, Path]) -> None:
    code, output = run(str(sample["raw"]), "--position", "1,2")
    assert code == 1
    assert "position 1.0,2.0 has 2 values but the arrays have 3 spatial axes z,y,x" in output


@pytest.mark.parametrize("earlier_server", [False, True])
def test_a_busy_port_is_reported(sample: dict[str, Path], earlier_server: bool) -> None:
    if earlier_server:  # a server already running in the process must not hide --port
        import neuroglancer

        neuroglancer.set_server_bind_address("127.0.0.1", 0)
        neuroglancer.server.start()
    with socket.socket() as busy, warnings.catch_warnings():
        # tornado does not close the socket it failed to bind; collect it here, quietly.
        warnings.simplefilter("ignore", ResourceWarning)
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, output = run(str(sample["raw"]), "--port", str(port))
        gc.collect()
    assert code == 1
    assert f"Error: cannot serve on 127.0.0.1:{port}: " in output
    assert "pick another --port or --bind" in output


def test_screenshot_without_a_browser(sample: dict[str, Path], tmp_path: Path) -> None:
    code, output = run(
        str(sample["raw"]),
        "--screenshot",
        str(tmp_path / "out.png"),
        "--browser",
        str(tmp_path / "no-chromium"),
    )
    assert code == 1
    assert f"no browser found ({tmp_path / 'no-chromium'}); install Chromium" in output
    assert not (tmp_path / "out.png").exists()


def test_chromium_command_is_offline_and_headless(tmp_path: Path) -> None:
    command = chromium_command("/usr/bin/chromium", "http://x", (640, 480), tmp_path)
    assert command[0] == "/usr/bin/chromium"
    assert command[-1] == "http://x"
    for flag in (
        "--headless",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--disable-background-networking",
        "--disable-quic",
        f"--user-data-dir={tmp_path}",
        "--window-size=640,480",
    ):
        assert flag in command


def test_wildcard_binds_are_opened_on_loopback() -> None:
    assert local_url("http://myhost.example:8080/v/abc/") == "http://127.0.0.1:8080/v/abc/"


def test_find_browser_names_what_it_looked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(RuntimeError, match="no browser found \\(chromium / chromium-browser"):
        find_browser()
