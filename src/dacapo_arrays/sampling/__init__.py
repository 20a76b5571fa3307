"""Training samples at the speed of the disk: random aligned windows of several arrays.

``Sampler`` draws them (weights, rejection, padding, mirror/transpose) with reads in flight;
``dacapo_arrays.sampling.torch`` adapts it to PyTorch's ``DataLoader`` and
``dacapo_arrays.sampling.gunpowder`` to a gunpowder pipeline (both optional extras).
"""

from .sampler import RejectionError, Sample, Sampler, Stats

__all__ = ["RejectionError", "Sample", "Sampler", "Stats"]
