"""Remembering the natural keys of a file already read, in little memory.

A file of five million order lines cannot keep five million key tuples in a
Python set (over a gigabyte). It keeps their 64-bit hashes instead, as sorted
numpy arrays merged like a log-structured tree (a few arrays, each searched
by bisection): 8 bytes a line. Two different keys share a hash with a
probability of about n^2 / 2^65 (1e-6 for 5M lines); such a line would be
reported as a duplicate, never silently lost.
"""

from __future__ import annotations

import numpy as np

MAX_MERGED = 1 << 20  # hashes (8 MB) in the largest array built by a merge


class SeenKeys:
    """The key hashes of the batches already accepted."""

    def __init__(self) -> None:
        self._levels: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(level) for level in self._levels)

    def seen_before(self, hashes: list[int]) -> np.ndarray:
        """A boolean mask: which of ``hashes`` an earlier batch had."""
        batch = np.fromiter(hashes, dtype=np.int64, count=len(hashes))
        mask = np.zeros(len(batch), dtype=bool)
        if not self._levels:
            return mask
        # Sorted needles walk each level from start to end: several times faster than
        # random probes once a level outgrows the processor's caches.
        order = np.argsort(batch)
        needles = batch[order]
        found = np.zeros(len(batch), dtype=bool)
        for level in self._levels:
            where = np.searchsorted(level, needles)
            where[where == len(level)] = 0
            found |= level[where] == needles
        mask[order] = found
        return mask

    def add(self, hashes: list[int]) -> None:
        """Remember a batch (whose hashes are unique among themselves and the past)."""
        level = np.sort(np.fromiter(hashes, dtype=np.int64, count=len(hashes)))
        self._levels.append(level)
        # Merge equal-sized neighbours so that the number of arrays stays logarithmic, up
        # to a size whose merge copy (two arrays at once) stays small next to the rest.
        while (len(self._levels) > 1 and len(self._levels[-1]) >= len(self._levels[-2])
               and len(self._levels[-1]) + len(self._levels[-2]) <= MAX_MERGED):
            top = self._levels.pop()
            below = self._levels.pop()
            merged = np.concatenate((below, top))
            merged.sort(kind="stable")
            self._levels.append(merged)
