"""Two-sample drift statistics on summaries that are built once per column and reused.

A numeric column is summarised by its *distinct sorted values and their cumulative counts*: enough to reproduce
``scipy.stats.ks_2samp`` exactly (its statistic is a maximum over the empirical CDFs at the data points, and the
CDFs are cumulative counts divided by n), and to compute the Wasserstein distance and PSI exactly, with one
``searchsorted`` of each side into the other. The reference side can come from a saved profile, so a CI run sorts
only the current data.

A categorical column is summarised by its category counts (categories compared by their text).
"""

from __future__ import annotations

import base64
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.stats import StatsError

#: scipy's ks_2samp(method="auto") is exact when both samples have at most this many values
KS_EXACT_MAX_N = 10_000
PSI_BINS = 10
PSI_FLOOR = 1e-4  # proportions of empty bins are raised to this, so PSI stays finite
#: values per chunk in :func:`compare_numeric` and :meth:`NumericSummary.std`: each chunk and its temporaries stay
#: in cache, and no temporary is the size of the column (fresh memory costs more than the arithmetic on it)
CHUNK = 1 << 13


# --- summaries -------------------------------------------------------------------------------------


@dataclass
class NumericSummary:
    """Distinct sorted non-missing values with cumulative counts (``cum[i]`` = number of values <= ``values[i]``).

    ``cum`` is None when no value repeats (the common case for measured floats): the counts are then the positions
    themselves, and nothing of the column's size is stored beside the values."""

    values: np.ndarray
    cum: np.ndarray | None
    n_missing: int = 0

    @property
    def ties(self) -> bool:
        """Whether some value occurs more than once."""
        return self.cum is not None

    @property
    def n(self) -> int:
        return self.values.size if self.cum is None else int(self.cum[-1]) if self.cum.size else 0

    @classmethod
    def from_values(cls, x: np.ndarray) -> NumericSummary:
        """From a float array (NaN = missing; no infinities). Sorts once: NaN sort last."""
        data = np.sort(x)
        n_missing = 0
        if data.size and np.isnan(data[-1]):
            n_missing = int(data.size - np.searchsorted(data, np.nan, side="left"))
            data = data[: data.size - n_missing]
        return cls.from_sorted(data, n_missing)

    @classmethod
    def from_sorted(cls, data: np.ndarray, n_missing: int = 0) -> NumericSummary:
        if data.size < 2:
            return cls(data, None, n_missing)
        last = np.empty(data.size, dtype=bool)
        np.not_equal(data[1:], data[:-1], out=last[:-1])
        if last[:-1].all():
            return cls(data, None, n_missing)
        last[-1] = True
        return cls(data[last], np.flatnonzero(last).astype(np.int64) + 1, n_missing)

    def cum_before(self) -> np.ndarray | None:
        """``c[k]`` = number of values among the first ``k`` distinct ones (``c[0] = 0``), or None when no value
        repeats (then ``c[k] = k``)."""
        if self.cum is None:
            return None
        return np.concatenate([np.zeros(1, dtype=np.int64), self.cum])

    def counts(self) -> np.ndarray:
        return np.ones(self.values.size, dtype=np.int64) if self.cum is None else np.diff(self.cum, prepend=0)

    def sample(self) -> np.ndarray:
        """The sorted values themselves (ties repeated)."""
        return np.repeat(self.values, self.counts()) if self.ties else self.values

    def std(self) -> float:
        """The population standard deviation (ddof=0) of the values: the spread drift effects are scaled by.
        Summed in cache-sized chunks: no temporary the size of the column."""
        n, values = self.n, self.values
        counts = None if self.cum is None else self.counts().astype(float)
        mean = (float(values.sum()) if counts is None else _dot(counts, values)) / n
        total = 0.0
        for start in range(0, values.size, CHUNK):
            centred = values[start:start + CHUNK] - mean
            if counts is None:
                total += _dot(centred, centred)
            else:
                total += _dot(counts[start:start + CHUNK] * centred, centred)
        return math.sqrt(total / n)

    def to_profile(self) -> dict[str, Any]:
        return {
            "kind": "numeric",
            "n": self.n,
            "n_missing": self.n_missing,
            "values": _encode(self.values.astype("<f8")),
            "counts": _encode(self.counts().astype("<i8")) if self.ties else None,
        }

    @classmethod
    def from_profile(cls, entry: dict[str, Any]) -> NumericSummary:
        values = finite_array(_decode(entry["values"], "<f8").astype(float, copy=False), "values")
        counts = None if entry.get("counts") is None else _decode(entry["counts"], "<i8")
        if counts is not None and (counts < 1).any():
            raise ValueError("'counts' must be positive integers")
        cum = None if counts is None else np.cumsum(counts)
        n = values.size if cum is None else int(cum[-1]) if cum.size else 0
        if (cum is not None and cum.size != values.size) or n != profile_count(entry["n"], "n"):
            raise ValueError("values and counts do not match n")
        if values.size > 1 and not np.all(values[1:] > values[:-1]):
            raise ValueError("values are not strictly increasing")
        return cls(values, cum, profile_count(entry.get("n_missing", 0), "n_missing"))


@dataclass
class CategoricalSummary:
    """Counts per category (by text), and the number of missing values."""

    counts: dict[str, int]
    n_missing: int = 0

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def from_series(cls, series: pd.Series) -> CategoricalSummary:
        """Counted by ``value_counts(dropna=False)``: one hash pass, three to seven times faster than
        ``pd.factorize`` on text (which first checks every value is a string); missing labels are summed after."""
        tally = series.value_counts(dropna=False, sort=False)
        missing = pd.isna(tally.index)
        counts: dict[str, int] = {}
        for label, count in zip(tally.index[~missing], tally.to_numpy()[~missing].tolist(), strict=True):
            if count:  # a categorical dtype lists its unused categories with 0
                key = str(label)
                counts[key] = counts.get(key, 0) + int(count)
        return cls(counts, int(tally.to_numpy()[missing].sum()))

    def to_profile(self) -> dict[str, Any]:
        keys = sorted(self.counts)
        return {"kind": "categorical", "n": self.n, "n_missing": self.n_missing,
                "categories": keys, "counts": [self.counts[k] for k in keys]}

    @classmethod
    def from_profile(cls, entry: dict[str, Any]) -> CategoricalSummary:
        categories, counts = entry["categories"], entry["counts"]
        if not isinstance(categories, list) or not isinstance(counts, list) or len(categories) != len(counts):
            raise ValueError("'categories' and 'counts' must be lists of the same length")
        tally = {str(k): profile_count(c, f"the count of category {k!r}") for k, c in zip(categories, counts,
                                                                                           strict=True)}
        if len(tally) != len(categories):
            raise ValueError("'categories' repeats a category")
        return cls(tally, profile_count(entry.get("n_missing", 0), "n_missing"))


def profile_count(value: Any, what: str) -> int:
    """A count read from a profile: a non-negative integer (an integral float too, as JSON may write it), never
    NaN, infinity or a bool; otherwise a ValueError naming ``what``."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}")
    return int(value)


def profile_float(value: Any, what: str) -> float:
    """A number read from a profile: finite (a profile never holds NaN or infinity), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


def finite_array(values: np.ndarray, what: str) -> np.ndarray:
    """``values`` when every one is finite, else a ValueError saying how many are NaN or infinite."""
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"{what} holds {int(np.isnan(values).sum())} NaN and {int(np.isinf(values).sum())} "
                         "infinite value(s); a profile holds finite numbers only")
    return values


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """Inner product by numpy's own loop: ``a @ b`` goes through BLAS, whose threads cost milliseconds per call on a
    busy machine (100x an einsum of 200,000 values)."""
    return float(np.einsum("i,i->", a, b))


def _encode(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _decode(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=dtype)


# --- numeric: KS, Wasserstein, PSI ---------------------------------------------------------------------


@dataclass
class NumericComparison:
    statistic: float  # two-sided KS D, bitwise as scipy.stats.ks_2samp
    wasserstein: float  # as scipy.stats.wasserstein_distance
    psi: float
    edges: np.ndarray  # PSI bins, with the counts of each side: the distributions a report can draw
    ref_counts: np.ndarray
    cur_counts: np.ndarray
    d_plus: float = 0.0  # max(F_ref - F_cur): scipy's statistic for alternative="greater"
    d_minus: float = 0.0  # max(F_cur - F_ref): ... for alternative="less"


def compare_numeric(ref: NumericSummary, cur: NumericSummary, *, bins: int = PSI_BINS) -> NumericComparison:
    """KS statistic, Wasserstein distance and PSI from one ``searchsorted`` of the reference into the current.

    Both ECDFs are step functions: ``F1 - F2`` peaks at a reference value and bottoms out just before one, so the
    KS extremes are read at the reference values (right limits) and just below them (left limits), each the value
    scipy computes at a data point from the same integer counts, hence the same floats. The Wasserstein distance
    integrates ``|F1 - F2|`` over the gaps between consecutive pooled values, taken from each side.

    The reference runs in chunks of :data:`CHUNK` values, each with the current values that fall among them, so
    every temporary stays in cache and none is the size of the column.
    """
    n1, n2 = ref.n, cur.n
    u1, u2 = ref.values, cur.values
    m1, m2 = u1.size, u2.size
    before1, before2 = ref.cum_before(), cur.cum_before()
    # distinct current values <= the last reference value of each chunk: the chunk's share of the current
    bounds = np.searchsorted(u2, u1[np.minimum(np.arange(CHUNK, m1 + CHUNK, CHUNK), m1) - 1], side="right").tolist()
    max_s = min_s = wasserstein = 0.0
    lo = 0
    for k, hi in enumerate(bounds):
        s, e = k * CHUNK, min((k + 1) * CHUNK, m1)
        r = u1[s:e]
        hay = u2[lo:hi + 1] if hi < m2 else np.append(u2[lo:], np.inf)  # ... and the first value above them
        j = np.searchsorted(hay, r, side="left")  # current values < each reference value (minus lo)
        above = hay.take(j)  # the first current value >= each reference value
        shared = above == r
        j_right = j
        if shared.any():  # values in both samples: the current one counts at the reference value
            j_right = j + shared
            above = hay.take(j_right)
        # KS: F1 at (upper) and just below (lower) each reference value, less F2 there
        f1 = np.arange(s, e + 1, dtype=float) if before1 is None else before1[s:e + 1].astype(float)
        f1 /= n1
        upper = (j_right + lo if before2 is None else before2[j_right + lo]) / n2
        lower = (j + lo if before2 is None else before2[j + lo]) / n2 if j_right is not j else upper.copy()
        np.subtract(f1[1:], upper, out=upper)
        np.subtract(f1[:-1], lower, out=lower)
        max_s = max(max_s, float(upper.max()))
        min_s = min(min_s, float(lower.min()))
        # Wasserstein: the gap after each reference value, to the next pooled value ...
        following = u1[s + 1:e + 1] if e < m1 else np.append(u1[s + 1:], np.inf)
        np.minimum(following, above, out=above)
        above -= r
        if e == m1 and hi == m2:
            above[-1] = 0.0  # the largest pooled value: nothing follows it
        np.abs(upper, out=upper)
        wasserstein += _dot(upper, above)
        # ... and after each current value in the chunk's range, to the next current or reference value
        b = hi - lo
        if b:
            i = np.bincount(j_right, minlength=b + 1)[:b]
            np.cumsum(i, out=i)  # reference values of this chunk below each current value
            gap = np.minimum(hay[1:b + 1], r.take(i))
            gap -= hay[:b]
            i += s
            level = (i if before1 is None else before1[i]) / n1
            level -= (np.arange(lo + 1, hi + 1, dtype=float) if before2 is None else before2[lo + 1:hi + 1]) / n2
            np.abs(level, out=level)
            wasserstein += _dot(level, gap)
        lo = hi
    # current values above every reference value: F1 = 1 there
    for s in range(lo, m2 - 1, CHUNK):
        e = min(s + CHUNK, m2 - 1)
        level = (np.arange(s + 1, e + 1, dtype=float) if before2 is None else before2[s + 1:e + 1]) / n2
        np.subtract(1.0, level, out=level)
        wasserstein += _dot(level, u2[s + 1:e + 1] - u2[s:e])
    min_s = float(np.clip(-min_s, 0, 1))
    statistic = min_s if min_s > max_s else max_s
    edges, count1, count2 = psi_bins(ref, cur, bins=bins)
    return NumericComparison(statistic, wasserstein, psi_from_counts(count1, count2), edges, count1, count2,
                             float(np.clip(max_s, 0, 1)), min_s)


def psi_bins(ref: NumericSummary, cur: NumericSummary, *, bins: int = PSI_BINS) -> tuple[np.ndarray, ...]:
    """Bin edges (the reference's inverted-CDF quantiles, right-closed bins, outer edges at the pooled min and
    max) and the reference and current counts per bin."""
    n1, n2 = ref.n, cur.n
    ranks = np.ceil(np.arange(1, bins) / bins * n1).astype(np.int64)
    at = ranks - 1 if ref.cum is None else np.searchsorted(ref.cum, ranks, side="left")
    inner = np.unique(ref.values[at])
    inner = inner[inner < max(ref.values[-1], cur.values[-1])]
    below = []
    for summary, n in ((ref, n1), (cur, n2)):
        position = np.searchsorted(summary.values, inner, side="right")
        counted = position if summary.cum is None else np.concatenate([[0], summary.cum])[position]
        below.append(np.concatenate([counted, [n]]).astype(np.int64))
    edges = np.concatenate([[min(ref.values[0], cur.values[0])], inner, [max(ref.values[-1], cur.values[-1])]])
    return edges, np.diff(below[0], prepend=0), np.diff(below[1], prepend=0)


def psi(ref: NumericSummary, cur: NumericSummary, *, bins: int = PSI_BINS) -> float:
    """Population stability index on the reference's quantile bins (deciles by default), right-closed bins.

    Empty bins count as a proportion of ``PSI_FLOOR``, so one empty bin cannot make the index infinite.
    """
    _, count1, count2 = psi_bins(ref, cur, bins=bins)
    return psi_from_counts(count1, count2)


def psi_from_counts(count1: np.ndarray, count2: np.ndarray) -> float:
    p1 = np.maximum(count1 / count1.sum(), PSI_FLOOR)
    p2 = np.maximum(count2 / count2.sum(), PSI_FLOOR)
    return float(np.sum((p2 - p1) * np.log(p2 / p1)))


def ks_pvalues(statistics: np.ndarray, n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided asymptotic KS p-values, as ``ks_2samp(method="asymp")`` computes them:
    ``kstwo.sf(D, round(n1 * n2 / (n1 + n2)))``.

    For n > 140 and 2.2 <= n D^2 < 370 scipy's ``kstwo.sf`` is ``2 * scipy.special.smirnov(n, D)``, which takes
    1-3 seconds per call at n = 500,000; there we sum the same Birnbaum-Tingey series vectorized
    (:func:`smirnov_sf`, agreeing to about 1e-11), and return scipy's exact 0.0 from n D^2 >= 370. Elsewhere
    scipy's ``kstwo.sf`` is fast and is called as it is.
    """
    from scipy.stats import kstwo

    n1 = np.asarray(n1, dtype=float)
    n2 = np.asarray(n2, dtype=float)
    d = np.asarray(statistics, dtype=float)
    m, n = np.maximum(n1, n2), np.minimum(n1, n2)
    en = np.round(m * n / (m + n))
    nd2 = en * d * d
    series = (en > 140) & (d < 0.5) & (en * d > 1) & (en * d < en - 1) & (nd2 >= 2.2)
    p = np.empty(d.shape)
    for i in np.flatnonzero(series):
        p[i] = 0.0 if nd2[i] >= 370 else 2 * smirnov_sf(int(en[i]), float(d[i]))
    if (~series).any():
        p[~series] = kstwo.sf(d[~series], en[~series])
    return np.clip(p, 0, 1)


def smirnov_sf(n: int, d: float) -> float:
    """P(D_n^+ >= d), the one-sided one-sample KS tail (``scipy.special.smirnov``), by the Birnbaum-Tingey sum
    ``d * sum_j C(n, j) (1 - d - j/n)^(n-j) (d + j/n)^(j-1)`` over j = 0..floor(n(1 - d)), in logs, vectorized."""
    from scipy.special import gammaln, logsumexp

    j = np.arange(0, math.floor(n * (1 - d)) + 1, dtype=float)
    with np.errstate(divide="ignore"):
        terms = (gammaln(n + 1) - gammaln(j + 1) - gammaln(n - j + 1)
                 + (n - j) * np.log1p(-d - j / n) + (j - 1) * np.log(d + j / n))
    return float(d * np.exp(logsumexp(terms)))


def ks_exact(ref: NumericSummary, cur: NumericSummary, statistic: float) -> tuple[float, float]:
    """Statistic and p-value for small samples, as scipy's "auto" method gives them: exact, where scipy reports
    D rounded to the lattice of attainable values (``round(D * lcm) / lcm``), falling back to asymptotic."""
    from scipy.stats import ks_2samp

    n1, n2 = ref.n, cur.n
    lcm = (n1 // math.gcd(n1, n2)) * n2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy's note when exact falls back to asymptotic
        p_value = float(ks_2samp(ref.sample(), cur.sample()).pvalue)
    return int(np.round(statistic * lcm)) * 1.0 / lcm, p_value


KS_ALTERNATIVES = ("two-sided", "less", "greater")
KS_METHODS = ("auto", "exact", "asymp")


def ks_test(
    ref: NumericSummary, cur: NumericSummary, comparison: NumericComparison, *, alternative: str = "two-sided",
    method: str = "auto",
) -> tuple[float, float | None]:
    """KS statistic and p-value with scipy's ``ks_2samp`` options: ``alternative`` "two-sided", "less" (the
    current's CDF lies above the reference's somewhere) or "greater", and ``method`` "auto", "exact" or
    "asymp". The p-value is None where the two-sided asymptotic one is left for :func:`ks_pvalues`, vectorized
    over columns."""
    if alternative not in KS_ALTERNATIVES:
        raise StatsError(f"alternative must be one of {', '.join(KS_ALTERNATIVES)}, got {alternative!r}")
    if method not in KS_METHODS:
        raise StatsError(f"method must be one of {', '.join(KS_METHODS)}, got {method!r}")
    statistic = {"two-sided": comparison.statistic, "greater": comparison.d_plus,
                 "less": comparison.d_minus}[alternative]
    if method == "exact" or (method == "auto" and uses_exact(ref.n, cur.n)) or alternative != "two-sided":
        from scipy.stats import ks_2samp

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # scipy's note when exact falls back to asymptotic
            result = ks_2samp(ref.sample(), cur.sample(), alternative=alternative, method=method)
        return float(result.statistic), float(result.pvalue)
    return statistic, None


def uses_exact(n1: int, n2: int) -> bool:
    """scipy's default (``method="auto"``) choice of the exact distribution."""
    return max(n1, n2) <= KS_EXACT_MAX_N


# --- categorical: chi-square, Jensen-Shannon ----------------------------------------------------------


@dataclass
class CategoricalComparison:
    statistic: float
    p_value: float
    dof: int
    jensen_shannon: float
    categories: list[str]
    ref_counts: np.ndarray
    cur_counts: np.ndarray


def compare_categorical(
    ref: CategoricalSummary, cur: CategoricalSummary, *, correction: bool = True
) -> CategoricalComparison:
    """Chi-square test of the 2 x k contingency table (as ``scipy.stats.chi2_contingency``; Yates' correction
    when k = 2 unless ``correction=False``, scipy's default kept) and the Jensen-Shannon distance (base 2, in
    [0, 1]) between the two category distributions."""
    from scipy.spatial.distance import jensenshannon
    from scipy.stats import chi2_contingency

    categories = sorted(set(ref.counts) | set(cur.counts))
    a = np.array([ref.counts.get(k, 0) for k in categories], dtype=float)
    b = np.array([cur.counts.get(k, 0) for k in categories], dtype=float)
    if len(categories) < 2:
        statistic, p_value, dof = 0.0, 1.0, 0
    else:
        result = chi2_contingency(np.vstack([a, b]), correction=correction)
        statistic, p_value, dof = float(result.statistic), float(result.pvalue), int(result.dof)
    js = float(jensenshannon(a / a.sum(), b / b.sum(), base=2))
    return CategoricalComparison(statistic, p_value, dof, js if math.isfinite(js) else 0.0, categories,
                                 a.astype(np.int64), b.astype(np.int64))


def missing_rate_pvalue(missing1: int, n1: int, missing2: int, n2: int, *, correction: bool = True) -> float:
    """Chi-square test (scipy's chi2_contingency, Yates-corrected) of equal missing rates; 1.0 when no side
    has missing values (nothing to compare)."""
    from scipy.stats import chi2_contingency

    table = np.array([[missing1, n1 - missing1], [missing2, n2 - missing2]], dtype=float)
    if table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
        return 1.0
    return float(chi2_contingency(table, correction=correction).pvalue)


# --- equivalence: bootstrap intervals of the effect sizes ---------------------------------------------------------

MAX_CELLS = 20_000_000


GRID_POINTS = 1_000


def wasserstein_effect_replicates(ref: NumericSummary, cur: NumericSummary, n_resamples: int,
                                  seed: int) -> np.ndarray:
    """Bootstrap replicates of ``Wasserstein(ref, cur) / std(ref)``, both samples resampled independently.

    The pooled values are cut at (at most) :data:`GRID_POINTS` of their distinct values; a row bootstrap is then a
    multinomial draw of counts over those cells, the ECDFs are exact at the cut points, and ``|F1 - F2|`` is
    integrated over the gaps between them (a Riemann sum that equals the exact distance when there are fewer
    distinct values than cut points). The scale is the reference's own standard deviation, held fixed."""
    rng = np.random.default_rng(seed)
    grid = np.union1d(ref.values, cur.values)
    if grid.size > GRID_POINTS:
        grid = np.unique(grid[np.linspace(0, grid.size - 1, GRID_POINTS).round().astype(np.int64)])
    gaps = np.diff(grid)

    def cells(side: NumericSummary) -> np.ndarray:
        """Counts of the side's values in (grid[j-1], grid[j]] (the first cell: up to grid[0]; the last: above)."""
        upto = np.searchsorted(side.values, grid, side="right")
        cum = np.concatenate([[0], np.cumsum(side.counts())])[upto]
        return np.diff(np.concatenate([[0], cum, [side.n]]))

    p_ref, p_cur = cells(ref) / ref.n, cells(cur) / cur.n
    spread = ref.std()
    block = max(1, min(n_resamples, MAX_CELLS // max(grid.size, 1)))
    out: list[np.ndarray] = []
    done = 0
    while done < n_resamples:
        size = min(block, n_resamples - done)
        F_ref = np.cumsum(rng.multinomial(ref.n, p_ref, size=size), axis=1)[:, : grid.size - 1] / ref.n
        F_cur = np.cumsum(rng.multinomial(cur.n, p_cur, size=size), axis=1)[:, : grid.size - 1] / cur.n
        distance = np.abs(F_ref - F_cur) @ gaps
        out.append(distance / spread if spread > 0 else np.where(distance > 0, np.inf, 0.0))
        done += size
    return np.concatenate(out) if out else np.empty(0)


def jensen_shannon_replicates(ref_counts: np.ndarray, cur_counts: np.ndarray, n_resamples: int,
                              seed: int) -> np.ndarray:
    """Bootstrap replicates of the Jensen-Shannon distance (base 2) between two category count vectors over the
    same categories, each side a multinomial draw of its own size from its own frequencies."""
    rng = np.random.default_rng(seed)
    n_ref, n_cur = int(ref_counts.sum()), int(cur_counts.sum())
    a = rng.multinomial(n_ref, ref_counts / n_ref, size=n_resamples) / n_ref
    b = rng.multinomial(n_cur, cur_counts / n_cur, size=n_resamples) / n_cur
    m = (a + b) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        kl_a = np.where(a > 0, a * np.log2(np.where(a > 0, a, 1.0) / np.where(m > 0, m, 1.0)), 0.0).sum(axis=1)
        kl_b = np.where(b > 0, b * np.log2(np.where(b > 0, b, 1.0) / np.where(m > 0, m, 1.0)), 0.0).sum(axis=1)
    return np.sqrt(np.clip((kl_a + kl_b) / 2.0, 0.0, None))
