"""``ArraySource``: any array or array config as a gunpowder source node.

Like DaCapo's ``DaCapoArraySource``: it provides one ``ArrayKey`` with an ``ArraySpec`` that
matches the array (``roi``, ``voxel_size``, ``dtype``, ``interpolatable``) and answers each
request with ``array[request_roi]``. ``interpolatable`` defaults to ``not array.is_labels``;
where the labels rule cannot tell (plain ``uint8``/``uint16``), it stays ``None`` and nodes
that need it ask: pass ``interpolatable=True`` for raw intensities, ``False`` for labels.
Install with ``pip install 'dacapo-arrays[gunpowder]'``.
"""

from __future__ import annotations

from typing import Any

import gunpowder as gp

from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig


class ArraySource(gp.BatchProvider):  # type: ignore[misc]
    """Provide ``array_or_config`` under ``key``.

    A config is opened in :meth:`setup`, i.e. in the process that runs the pipeline, so the
    node pickles as its config (gunpowder's ``PreCache`` workers open their own handles).
    """

    def __init__(
        self, key: gp.ArrayKey, array_or_config: Array | ArrayConfig, interpolatable: Any = None
    ) -> None:
        if not isinstance(array_or_config, Array | ArrayConfig):
            raise TypeError(
                f"ArraySource takes an Array or an ArrayConfig, got "
                f"{type(array_or_config).__name__}; build one with e.g. ZarrArrayConfig(...)"
            )
        self.key = key
        self.array_or_config = array_or_config
        self.interpolatable = interpolatable
        self._array: Array | None = None

    @property
    def array(self) -> Array:
        if self._array is None:
            source = self.array_or_config
            self._array = source if isinstance(source, Array) else source.create_array()
        return self._array

    def array_spec(self) -> gp.ArraySpec:
        """The ``ArraySpec`` this node provides, from the array's own metadata."""
        array = self.array
        interpolatable = self.interpolatable
        if interpolatable is None and array.is_labels is not None:
            interpolatable = not array.is_labels
        return gp.ArraySpec(
            roi=array.roi,
            voxel_size=array.voxel_size,
            dtype=array.dtype,
            interpolatable=interpolatable,
        )

    def setup(self) -> None:
        self.provides(self.key, self.array_spec())

    def provide(self, request: gp.BatchRequest) -> gp.Batch:
        batch = gp.Batch()
        spec = self.array_spec()
        wanted = request[self.key].roi
        spec.roi = wanted
        batch.arrays[self.key] = gp.Array(self.array[wanted], spec)
        return batch

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if isinstance(self.array_or_config, ArrayConfig):
            state["_array"] = None  # reopened lazily in the new process
        return state
