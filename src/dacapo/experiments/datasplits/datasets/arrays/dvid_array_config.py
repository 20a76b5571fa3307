"""``DVIDArrayConfig``: a data instance served by a DVID server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ._fields import LABELS_HELP, help_text
from ._labels import to_is_labels
from ._storage.dvid import DVIDClient, form_problems, parse_info
from .array_config import ArrayConfig
from .dvid_array import DVIDArray
from .errors import ArrayError


def _to_source(value: Any) -> tuple[str, str, str]:
    if (
        isinstance(value, str)
        or not isinstance(value, Sequence)
        or len(value) != 3
        or not all(isinstance(v, str) for v in value)
    ):
        raise ValueError(
            f"source must be three strings (server URL, node uuid, instance name), e.g. "
            f"('http://emdata.janelia.org:8000', 'a1b2c3', 'grayscale'); got {value!r}"
        )
    return (value[0], value[1], value[2])


@attrs.frozen
class DVIDArrayConfig(ArrayConfig):
    """A DVID data instance: ``source = (server URL, node uuid, instance name)``.

    ``verify()`` checks the form of ``source`` without network access;
    ``check_reachable()`` asks the server.

    >>> DVIDArrayConfig(name="raw", source=("emdata:8000", "a1b2", "grayscale")).verify()[1]
    "$ (DVIDArrayConfig 'raw'): source[0] (server) must be an http:// or https:// URL ..."
    """

    array_type = DVIDArray

    source: tuple[str, str, str] = attrs.field(
        converter=_to_source,
        metadata=help_text("(server URL, node uuid, data instance name)."),
    )
    is_labels: bool | None = attrs.field(
        default=None, converter=to_is_labels, metadata=help_text(LABELS_HELP)
    )

    built_by_verify = False  # verify() checks the form; `check` asks the server

    def _problems(self) -> list[str]:
        return form_problems(self.source)

    def check_reachable(self) -> tuple[bool, str]:
        """Ask the server for the instance's ``/info``: ``(True, summary)`` or
        ``(False, why)``. Unlike ``verify()``, this needs the network."""
        problems = self._problems()
        if problems:
            return False, "\n".join(problems)
        client = DVIDClient(*self.source)
        try:
            info = parse_info(client.info(), client.info_url)
        except ArrayError as err:
            return False, str(err)
        finally:
            client.close()
        extent = [hi - lo + 1 for lo, hi in zip(info.min_point, info.max_point, strict=True)]
        server, uuid, instance = self.source
        return True, (
            f"DVID instance {instance!r} ({info.type_name}, {info.dtype.name}) at node "
            f"{uuid!r} of {server}: {'x'.join(map(str, extent))} voxels (x, y, z)"
        )
