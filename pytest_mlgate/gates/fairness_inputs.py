"""Who is in which group: the sensitive features parsed (columns of ``X`` by name, or arrays) and encoded as one
integer code per row, and labels and predictions as class codes, by scikit-learn's positive-class rule. The
fairness gate (:mod:`pytest_mlgate.gates.fairness`) computes on these codes; nothing here knows of metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate.gates import _inputs
from pytest_mlgate.results import GateError, fmt, hide_our_frames
from pytest_mlgate.stats.metrics import positive_class

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames


@dataclass(frozen=True)
class Groups:
    """Rows mapped to groups: ``codes[i]`` is row i's group; ``keys[g]`` its value of each feature."""

    codes: np.ndarray
    keys: list[tuple[Any, ...]]
    features: list[str]

    def label(self, g: int) -> str:
        return ", ".join(str(v) for v in self.keys[g])

    def as_dict(self, g: int) -> dict[str, Any]:
        return {name: plain(value) for name, value in zip(self.features, self.keys[g], strict=True)}


def plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def is_names(values: Any) -> bool:
    return isinstance(values, (list, tuple)) and len(values) > 0 and all(isinstance(v, str) for v in values)


def sensitive_columns(sensitive_features: Any, X: Any, n: int, what: str = "sensitive_features") -> dict[str, Any]:
    """The sensitive feature(s) as ``{name: values}`` (Series or numpy arrays; several = intersectional groups).

    Accepts a column name of ``X``, a list of names, a Series/array/list of values, a 2-D array, a dict of
    columns or a (pandas or polars) DataFrame. ``what`` names the argument in messages (``control_features``
    take the same forms).
    """
    sf = sensitive_features
    if sf is None:
        raise GateError(f"{what} is required: a column name of X, the values (Series or array), "
                        "or several columns (a list of names or a DataFrame) for intersectional groups")
    if is_names(sf) and len(sf) != n and not _column_names(X).intersection(sf):
        where = "X was not given" if X is None else f"none of them is a column of X (columns: {_columns_text(X)})"
        raise GateError(f"{what} is a list of {len(sf)} strings but y has {n} rows, and {where}: "
                        f"pass one value per row ({n}), or names of X's columns")
    as_names = isinstance(sf, str) or (is_names(sf) and (len(sf) != n or _column_names(X).issuperset(sf)))
    if as_names:
        names = [sf] if isinstance(sf, str) else list(sf)
        if X is None:
            raise GateError(f"{what} names column(s) {names} but no X was given; "
                            "pass X, or pass the feature values themselves")
        frame = _inputs.to_frame(X)
        missing = [name for name in names if name not in frame.columns]
        if missing:
            listed = ", ".join(map(repr, missing))
            raise GateError(f"{what.rstrip('s').replace('_', ' ')} column(s) {listed} not found in X; "
                            f"X has columns {_columns_text(X)}")
        return {str(name): frame[name] for name in names}
    if isinstance(sf, (pd.DataFrame, dict)) or (_inputs.is_polars(sf) and hasattr(sf, "columns")):
        frame = _inputs.to_frame(sf, what)
        return {str(name): frame[name] for name in frame.columns}
    single = what.rstrip("s")
    if isinstance(sf, np.ndarray) and sf.ndim == 2 and sf.shape[1] > 1:
        return {f"{single}_{i}": sf[:, i] for i in range(sf.shape[1])}
    name = getattr(sf, "name", None)
    if isinstance(sf, pd.Series) and isinstance(sf.dtype, pd.CategoricalDtype):  # its codes are the group codes
        return {str(name) if name is not None else what.rstrip("s"): sf}
    array = _inputs.as_array(sf, what)
    if array.ndim != 1:
        raise GateError(f"{what} must be one value per row (or several columns), got shape {array.shape}")
    return {str(name) if name is not None else single: array}


def _columns_text(X: Any) -> str:
    try:
        columns = list(_inputs.to_frame(X).columns)
    except GateError:
        return f"X is a {type(X).__name__}, without named columns"
    return ", ".join(map(repr, columns[:20])) + (f" and {len(columns) - 20} more" if len(columns) > 20 else "")


def _column_names(X: Any) -> set[Any]:
    """The column names of ``X``; none when it has no named columns (or is absent)."""
    if X is None:
        return set()
    try:
        return set(_inputs.to_frame(X).columns)
    except GateError:
        return set()


def encode_groups(columns: Mapping[str, Any] | pd.DataFrame) -> Groups:
    """Dense group codes (sorted by feature values where they sort), refusing missing values.

    Several columns are combined one at a time: the combined code so far (dense, so below the number of rows)
    times the next column's number of values plus its code, made dense again before the next column. Every
    intermediate code is below rows x values, so nothing overflows whatever the number of columns."""
    items = list(columns.items())
    codes = np.zeros(_inputs.n_rows(items[0][1]), dtype=np.int64)
    keys_index = np.zeros((1, 0), dtype=np.int64)  # row g: each column's value index of combined group g
    uniques = []
    for name, column in items:
        col_codes, col_uniques = _encode_column(str(name), column)
        width = max(len(col_uniques), 1)
        combined = codes * width + col_codes if keys_index.shape[0] > 1 else col_codes
        if keys_index.shape[0] == 1 and _all_present(column, col_codes, col_uniques):
            present, codes = np.arange(width), col_codes  # hashed codes number exactly the values seen
        else:
            present, codes = _dense(combined, keys_index.shape[0] * width)
        keys_index = np.column_stack([keys_index[present // width], present % width])
        uniques.append(col_uniques)
    keys = [tuple(values[i] for values, i in zip(uniques, row, strict=True)) for row in keys_index.tolist()]
    return Groups(codes.astype(np.int64, copy=False), keys, [str(name) for name, _ in items])


def _all_present(column: Any, codes: np.ndarray, uniques: list[Any]) -> bool:
    """Whether every value in ``uniques`` occurs: true of codes found by hashing the column (strings, or any
    column pandas factorizes), not of integer ranges or a categorical's declared categories."""
    if isinstance(column, (np.ndarray, pd.Series)) and column.dtype.kind in "iub":
        return False
    return not (isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype))


def _dense(codes: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``codes`` (in ``[0, size)``), sorted, and each row's rank among them."""
    if size <= 10 * codes.size + 1000:  # O(n) relabelling of the observed codes, no sort
        seen = np.bincount(codes, minlength=size) > 0
        present = np.flatnonzero(seen)
        return present, (codes if seen.all() else (np.cumsum(seen) - 1)[codes])
    present, dense = np.unique(codes, return_inverse=True)
    return present, dense.reshape(-1)


def _encode_column(name: str, column: Any) -> tuple[np.ndarray, list[Any]]:
    """One feature's codes and sorted values. Numpy strings, integers and booleans cannot be missing and are
    encoded without hashing Python strings (several times faster); the rest go through pandas."""
    if isinstance(column, np.ndarray) and column.dtype.kind == "U":
        return factorize_unicode(column)
    if isinstance(column, pd.Series) and column.dtype.kind in "iu":
        column = column.to_numpy()
    if isinstance(column, np.ndarray) and column.dtype.kind in "iu" and column.size:
        low, high = int(column.min()), int(column.max())
        if high - low <= column.size:  # the values are their own codes: no hashing, no sort
            codes = column if column.dtype == np.int64 and low == 0 else column.astype(np.int64)
            if low:
                codes -= low
            return codes, list(np.arange(low, high + 1).astype(column.dtype))
    if isinstance(column, np.ndarray) and column.dtype.kind in "biu":
        int_codes, int_values = pd.factorize(column, sort=True)
        return np.asarray(int_codes, dtype=np.int64), list(np.asarray(int_values))
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.CategoricalDtype) \
            and not column.hasnans:  # pandas' own codes, in category order (what factorize(sort=True) gives)
        return column.cat.codes.to_numpy().astype(np.int64), list(column.cat.categories)
    if isinstance(column, np.ndarray) and column.dtype.kind == "S":
        byte_values, byte_codes = np.unique(column, return_inverse=True)
        return byte_codes.astype(np.int64), list(byte_values)
    series = column if isinstance(column, pd.Series) else pd.Series(column)
    missing = series.isna().to_numpy()
    if missing.any():
        raise GateError(
            f"sensitive feature {name!r} has {int(missing.sum())} missing value(s) (first at row "
            f"{int(np.flatnonzero(missing)[0])}); every row must belong to a group. To make them a group of "
            f"their own, fill them first, e.g. {_fill_example(name)} (or drop those rows)"
        )
    try:
        codes, values = pd.factorize(series, sort=True)
    except TypeError:  # values of mixed types do not sort
        codes, values = pd.factorize(series, sort=False)
    return np.asarray(codes, dtype=np.int64), list(values)


def _fill_example(name: str) -> str:
    if name.startswith("sensitive_feature"):  # values passed without a name
        return 'sensitive_features=pd.Series(values).fillna("unknown")'
    return f'X[{name!r}].fillna("unknown")'


def factorize_unicode(column: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes and sorted distinct values of a numpy unicode array, as ``np.unique(return_inverse=True)`` gives,
    without comparing strings per row: each row's bytes are read as 64-bit words (32-bit if the width is odd),
    the words are factorized by hashing one after another, and only the few distinct strings are sorted."""
    column = np.ascontiguousarray(column)
    if column.dtype.itemsize == 0 or column.size == 0:
        return np.zeros(column.size, dtype=np.int64), [str(v) for v in column[:1]]
    small = _factorize_code_points(column)
    if small is not None:
        return small
    words = column.view(np.uint64 if column.dtype.itemsize % 8 == 0 else np.uint32).reshape(column.size, -1)
    if words.shape[1] == 1:  # one word per string: the distinct words are the distinct strings
        codes, uniques = pd.factorize(words[:, 0])
        values = np.asarray(uniques, dtype=words.dtype).view(column.dtype)
        order = np.argsort(values, kind="stable")
        if np.array_equal(order, np.arange(order.size)):
            return codes.astype(np.int64, copy=False), [str(v) for v in values]
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        return rank[codes], [str(v) for v in values[order]]
    codes, _ = pd.factorize(words[:, 0])
    for j in range(1, words.shape[1]):
        part_codes, part_values = pd.factorize(words[:, j])
        codes, _ = pd.factorize(codes * len(part_values) + part_codes)
    running_max = np.maximum.accumulate(codes)  # codes number the values in order of first appearance
    first = np.flatnonzero(np.r_[True, running_max[1:] > running_max[:-1]])
    values = column[first]
    order = np.argsort(values, kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank[codes], [str(v) for v in values[order]]


def _factorize_code_points(column: np.ndarray) -> tuple[np.ndarray, list[str]] | None:
    """Codes by arithmetic instead of hashing, when each character position takes code points in a small range
    ('g0' ... 'g9', 'A'/'B'/'C'): the positions' offsets from their minimum, read as one mixed-radix number,
    sort as the strings do (numpy compares code points, shorter strings padded with NUL), and a bincount over
    that number gives dense codes in two passes. None when the ranges multiply past about 10 x rows."""
    points = column.view(np.uint32).reshape(column.size, -1)
    lows, spans, size = [], [], 1
    for j in range(points.shape[1]):  # column by column: a reduction along axis 0 of a narrow array is slow
        low, high = int(points[:, j].min()), int(points[:, j].max())
        lows.append(low)
        spans.append(high - low + 1)
        size *= high - low + 1
        if size > 10 * column.size + 1000:
            return None
    number: np.ndarray | None = None
    for j, (low, span) in enumerate(zip(lows, spans, strict=True)):
        if span == 1:
            continue
        if number is None:
            number = points[:, j].astype(np.int64)
        else:
            number *= span
            number += points[:, j]
        if low:
            number -= low
    if number is None:
        number = np.zeros(column.size, dtype=np.int64)
    seen = np.bincount(number, minlength=size) > 0
    present = np.flatnonzero(seen)
    codes = number if present.size == size else (np.cumsum(seen) - 1)[number]
    digits = np.empty((present.size, points.shape[1]), dtype=np.uint32)
    rest = present.copy()
    for j in reversed(range(points.shape[1])):
        rest, digit = np.divmod(rest, spans[j])
        digits[:, j] = digit + lows[j]
    values = np.ascontiguousarray(digits).view(column.dtype).reshape(-1)
    return codes, [str(v) for v in values]


@dataclass(frozen=True)
class Encoded:
    """Labels and predictions as class codes; for binary problems code 1 is the positive class."""

    y: np.ndarray
    pred: np.ndarray
    k: int
    classes: list[Any]
    pos_label: Any


def encode_labels(y: np.ndarray, pred: np.ndarray, pos_label: Any = None) -> Encoded:
    """Binary labels as 0/1 with the positive class 1, by scikit-learn's rule (``pos_label``, else 1 / True for
    labels within {0, 1}, {-1, 1} or {False, True}, else a GateError naming the labels); more classes are kept
    for accuracy."""
    if (y.dtype.kind in "biuf") != (pred.dtype.kind in "biuf"):
        raise GateError(f"y and the predictions use different kinds of labels (y: {examples(y)}; predictions: "
                        f"{examples(pred)}); they must use the same label values")
    try:
        classes = np.unique(np.concatenate([_distinct(y), _distinct(pred)]))  # O(n) first, then sort few
    except TypeError:
        raise GateError("y and the predictions mix value types that cannot be compared "
                        f"({y.dtype} and {pred.dtype}); pass labels of one type") from None
    values = classes.tolist()
    if pos_label is None:
        if len(values) <= 2:
            pos_label = positive_class(classes)
    elif len(values) == 2 and pos_label not in values:
        raise GateError(f"pos_label={pos_label!r} is not among the labels ({', '.join(map(repr, values))})")
    if pos_label is not None and len(values) <= 2:
        return Encoded((y == pos_label).view(np.int8), (pred == pos_label).view(np.int8), 2,  # 0/1, no copy
                       [_negative_of(values, pos_label), pos_label], pos_label)
    return Encoded(np.searchsorted(classes, y).astype(np.int64), np.searchsorted(classes, pred).astype(np.int64),
                   len(values), values, pos_label)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values in O(n): counted when they are small non-negative integers (0/1 labels), else hashed."""
    if values.dtype.kind in "iu" and values.size:
        low, high = int(values.min()), int(values.max())
        if high - low <= 1:  # binary (or constant) labels: the extremes are the distinct values
            return np.unique(np.array([low, high], dtype=values.dtype))
        if low >= 0 and high < 4096:
            return np.flatnonzero(np.bincount(values, minlength=high + 1)).astype(values.dtype)
    return np.asarray(pd.unique(values))


def _negative_of(values: list[Any], pos_label: Any) -> Any:
    others = [v for v in values if v != pos_label]
    return others[0] if others else "not " + str(pos_label)


def examples(values: np.ndarray) -> str:
    distinct = pd.unique(values)[:5]
    return ", ".join(fmt(v) if not isinstance(v, str) else repr(v) for v in distinct) + \
        (", ..." if len(pd.unique(values)) > 5 else "")
