"""Bootstrap resampling as matrices, not loops.

A resample of ``n`` rows is a row of counts (how often each row was drawn). A statistic that is a weighted sum
over rows is then one matrix product for a whole block of resamples. Resamples are generated in blocks so memory
stays bounded (``max_cells`` numbers per block) whatever ``n`` and ``n_resamples`` are, and the same seed always
gives the same resampled rows, so a plain loop over :func:`resample_indices` sees exactly the rows we used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

MAX_CELLS = 20_000_000


def block_size(n: int, n_resamples: int, max_cells: int = MAX_CELLS) -> int:
    return max(1, min(n_resamples, max_cells // max(n, 1)))


def resample_indices(n: int, n_resamples: int, seed: int, *, max_cells: int = MAX_CELLS) -> Iterator[np.ndarray]:
    """Yield blocks of resampled row indices, shape (block, n), ``n_resamples`` rows in all."""
    rng = np.random.default_rng(seed)
    size = block_size(n, n_resamples, max_cells)
    # int32 draws are the same numbers as int64 ones (both use 32-bit bounded draws below 2**32), written in half
    # the memory traffic
    dtype = np.int32 if n < 2**31 else np.int64
    done = 0
    while done < n_resamples:
        block = min(size, n_resamples - done)
        yield rng.integers(0, n, size=(block, n), dtype=dtype)
        done += block


def counts_from_indices(indices: np.ndarray, n: int, dtype: npt.DTypeLike = float) -> np.ndarray:
    """(block, n) index draws -> (block, n) counts, one cache-sized ``bincount`` per resample written straight
    into the output (about 3 times faster than one ``bincount`` over the whole block with offsets).

    An integer ``dtype`` such as ``np.uint8`` makes the matrix 8 times smaller and the gathers of rank metrics
    much faster; should a count ever exceed the type's range, int64 counts are returned instead (never wrapped).
    """
    kind = np.dtype(dtype)
    limit = int(np.iinfo(kind).max) if kind.kind in "iu" else None
    out = np.empty((indices.shape[0], n), dtype=kind)
    for i, row in enumerate(indices):
        counts = np.bincount(row, minlength=n)
        if limit is not None and n > limit and int(counts.max(initial=0)) > limit:
            return counts_from_indices(indices, n, np.int64)
        out[i] = counts
    return out


def resample_counts(
    n: int, n_resamples: int, seed: int, *, max_cells: int = MAX_CELLS, dtype: npt.DTypeLike = float
) -> Iterator[np.ndarray]:
    """Yield blocks of resample count matrices (block, n); the same draws as :func:`resample_indices`.

    The generator's stream does not depend on how the draws are split into calls, so each resample is drawn
    and counted on its own: its ``n`` indices stay in cache instead of a (block, n) index matrix being written
    and read back (about twice as fast at 100,000 rows). With an integer ``dtype`` such as ``np.uint8``, a
    block in which a count exceeded the type's range (its row no longer sums to ``n``) is drawn again from the
    same generator state as int64 counts: never wrapped.
    """
    rng = np.random.default_rng(seed)
    size = block_size(n, n_resamples, max_cells)
    kind = np.dtype(dtype)
    narrow = kind.kind in "iu" and n > int(np.iinfo(kind).max)  # a count could exceed the type's range
    sum_type = np.uint32 if narrow and n * int(np.iinfo(kind).max) < 2**32 else np.int64  # exact, cheaper
    done = 0
    while done < n_resamples:
        block = min(size, n_resamples - done)
        state = rng.bit_generator.state
        out = _count_block(rng, n, block, kind)
        if narrow and bool(np.any(out.sum(axis=1, dtype=sum_type) != n)):
            rng.bit_generator.state = state
            out = _count_block(rng, n, block, np.dtype(np.int64))
        yield out
        done += block


def _count_block(rng: np.random.Generator, n: int, block: int, kind: np.dtype) -> np.ndarray:
    # int64 draws are the same numbers as resample_indices' int32 ones, and bincount reads them without a copy
    out = np.empty((block, n), dtype=kind)
    for i in range(block):
        out[i] = np.bincount(rng.integers(0, n, size=n, dtype=np.int64), minlength=n)
    return out


def replicates(
    statistic: Callable[[np.ndarray], np.ndarray], n: int, n_resamples: int, seed: int
) -> np.ndarray:
    """Bootstrap replicates of a statistic that maps a (block, n) count matrix to (block,) values."""
    parts = [np.asarray(statistic(counts), dtype=float) for counts in resample_counts(n, n_resamples, seed)]
    return np.concatenate(parts) if parts else np.empty(0)


def percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """The percentile interval of bootstrap replicates, ignoring resamples where the statistic is undefined."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - confidence) / 2.0 * 100.0
    lo, hi = np.percentile(finite, [tail, 100.0 - tail])
    return (float(lo), float(hi))


def upper_order_statistic(values: np.ndarray, confidence: float) -> float:
    """The upper end of a two-sided ``confidence`` interval of B replicates as the ``ceil((B + 1) (1 - tail))``-th
    smallest finite one (Davison and Hinkley 1997, section 5.2), not an interpolated percentile: the Monte Carlo
    noise of B replicates then adds nothing to the one-sided miss rate. The interpolated percentile misses a 1%
    tail in 1.09% of runs at B = 1,000 for a normal statistic (simulated); this end in 1.00%."""
    finite = np.sort(values[np.isfinite(values)])
    if finite.size == 0:
        return float("nan")
    tail = (1.0 - confidence) / 2.0
    rank = math.ceil((finite.size + 1) * (1.0 - tail) - 1e-9)  # 1e-9: (B + 1)(1 - tail) is often a whole number
    return float(finite[min(max(rank, 1), finite.size) - 1])
