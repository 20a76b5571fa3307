"""``SamplerSource``: a gunpowder source node that hands out a :class:`Sampler`'s samples.

For pipelines that want gunpowder's own augmentations after the sampler's reads in flight::

    pipeline = SamplerSource(sampler, {"raw": raw_key, "gt": gt_key}) + gp.IntensityAugment(...)

The node provides each key over the sampler's window, centred on the origin (the sampler
chooses where a sample comes from; the window's world ROI is in ``array.attrs["roi"]``).
Every ``request_batch`` takes the next sample; the request's ROIs must lie inside those
windows (nodes that grow their upstream request, e.g. ``ElasticAugment``, need the sampler's
shapes grown to match). gunpowder stays optional (``pip install dacapo-arrays[gunpowder]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import gunpowder as gp
from funlib.geometry import Coordinate, Roi

from .sampler import Sample, Sampler


class SamplerSource(gp.BatchProvider):  # type: ignore[misc]
    """Provides ``keys[name]`` for every sampled ``name`` (a subset of the sampler's names)."""

    def __init__(self, sampler: Sampler, keys: Mapping[str, gp.ArrayKey]) -> None:
        unknown = sorted(set(keys) - set(sampler.names))
        if unknown:
            raise ValueError(
                f"SamplerSource keys name {unknown}, which the sampler does not sample "
                f"(names: {sampler.names})"
            )
        self.sampler = sampler
        self.keys = dict(keys)
        self._samples: Iterator[Sample] | None = None

    def _window(self, name: str) -> Roi:
        array = self.sampler.datasets[0][name]
        width = Coordinate(self.sampler.shapes[name]) * array.voxel_size
        begin = Coordinate(
            -((w // 2) // v) * v for w, v in zip(width, array.voxel_size, strict=True)
        )
        return Roi(begin, width)

    def request(self) -> gp.BatchRequest:
        """A request for every key's whole window (what ``provide`` hands out)."""
        request = gp.BatchRequest()
        for name, key in self.keys.items():
            request[key] = gp.ArraySpec(roi=self._window(name))
        return request

    def setup(self) -> None:
        for name, key in self.keys.items():
            array = self.sampler.datasets[0][name]
            spec = gp.ArraySpec(
                roi=self._window(name),
                voxel_size=array.voxel_size,
                dtype=array.dtype,
                interpolatable=array.is_labels is False,
            )
            self.provides(key, spec)

    def provide(self, request: gp.BatchRequest) -> gp.Batch:
        if self._samples is None:
            self._samples = iter(self.sampler)
        sample = next(self._samples)
        batch = gp.Batch()
        for name, key in self.keys.items():
            if key not in request:
                continue
            roi, values = sample[name]
            window = self._window(name)
            spec = self.spec[key].copy()
            spec.roi = window
            attrs: dict[str, Any] = {"roi": roi}
            batch[key] = gp.Array(values, spec, attrs=attrs).crop(request[key].roi)
        return batch


__all__ = ["SamplerSource"]
