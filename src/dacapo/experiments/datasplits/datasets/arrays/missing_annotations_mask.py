"""``MissingAnnotationsMask``: where each group of labels can be trained on, per crop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs
import numpy as np
from funlib.geometry import Roi

from ._multi_source import describe, without_channel_axis
from ._reads import derive, done, then
from ._virtual_array import VirtualArray
from .array import CHANNEL_AXIS
from .kernels import narrow_labels
from .missing_annotations_mask_metadata import Annotation, parse_annotation_metadata

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .missing_annotations_mask_config import MissingAnnotationsMaskConfig


class MissingAnnotationsMask(VirtualArray):
    """One ``uint8`` channel per group: 1 where the group's labels are known, 0 elsewhere.

    For CellMap-style crops whose labels dataset says which label ids are present but not
    annotated (its attributes; the forms are in
    :mod:`.missing_annotations_mask_metadata`). A group's channel is 0 everywhere when any
    of its ids is present but not annotated in this crop (an empty id list stands for every
    label, as in ``BinarizeArray``); otherwise it is 1 where the crop is annotated (label
    > 0, or not the ``unknown`` value of a ``cellmap.annotation`` encoding).

    The metadata is parsed when the array is built: missing or malformed metadata raises
    :class:`~.errors.MetadataError` naming the dataset and the expected form. The source
    must have no channel axis. ``attrs`` are the source's; ``channels`` yields group names.
    """

    def __init__(self, array_config: MissingAnnotationsMaskConfig) -> None:
        super().__init__(array_config)
        source = self.source
        without_channel_axis(
            [("source_array_config", source)], self._label(), "a labels volume has none"
        )
        self._groupings = list(array_config.groupings)
        self._annotation: Annotation = parse_annotation_metadata(source.attrs, describe(source))
        self._unusable = [self._annotation.unusable(ids) for _, ids in self._groupings]
        self.spec = attrs.evolve(
            self.spec,
            axes=[CHANNEL_AXIS, *source.axes],
            dtype=np.dtype(np.uint8),
            num_channels=len(self._groupings),
            is_labels=True,
        )

    @property
    def channels(self) -> Iterator[str]:
        """The group names, in channel order."""
        return (name for name, _ in self._groupings)

    @property
    def unusable_groups(self) -> list[str]:
        """The groups whose channel is 0 everywhere in this crop."""
        return [
            name for (name, _), bad in zip(self._groupings, self._unusable, strict=True) if bad
        ]

    def _read(self, roi: Roi) -> np.ndarray:
        if all(self._unusable):  # nothing to read: every channel is masked out
            return np.zeros(self._request_shape(roi), np.uint8)
        return self._mask(self.source[roi], roi)

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        if all(self._unusable):
            return done(np.zeros(self._request_shape(roi), np.uint8))
        # On the narrow copy of the labels (when they fit one), shared with a BinarizeArray
        # of the same shared read (see ``derive``).
        labels = derive(self.source.read_async(roi), narrow_labels)
        return then(labels, self._mask, roi)

    def _mask(self, labels: np.ndarray, roi: Roi) -> np.ndarray:
        out = np.empty(self._request_shape(roi), np.uint8)
        first = None  # the first usable channel: computed once, copied to the others
        for channel, unusable in enumerate(self._unusable):
            if unusable:
                out[channel] = 0
            elif first is None:
                self._annotation.annotated(labels, out=out[channel].view(bool))
                first = channel
            else:
                out[channel] = out[first]
        return out
