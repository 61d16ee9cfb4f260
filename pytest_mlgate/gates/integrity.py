"""Integrity of a dataset: schema (pandera), missing values, duplicates, train/test leakage, label balance and
conflicting labels. pandas and polars DataFrames are accepted (polars is converted to pandas once, except by
``validate``, which uses pandera's polars API for polars data); engine tables go to :mod:`.scale`."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pytest_mlgate import engines
from pytest_mlgate._frames import (
    EXAMPLES,
    _aligned,
    _columns,
    _frame,
    _member,
    _names,
    _row_hashes,
    row_hashes,
)
from pytest_mlgate._validate import fraction as _fraction
from pytest_mlgate._validate import pct as _pct
from pytest_mlgate.gates import _inputs
from pytest_mlgate.gates.base import DATA_QUALITY, BaseGate, gate_check
from pytest_mlgate.gates.data_rows import duplicates_result, leakage_result, missing_result
from pytest_mlgate.results import GateError, GateResult, hide_our_frames, json_safe

__tracebackhide__ = hide_our_frames  # our failures point at the user's line; our bugs show their frames

FAMILY = DATA_QUALITY
#: rows of the pandera failure table kept in a result's details (the true count is kept beside it)
FAILURE_TABLE_CAP = 1000
MIN_LABEL_FRACTION = 0.01


def _schema(schema: Any) -> Any:
    from pandera.api.base.schema import BaseSchema

    to_schema = getattr(schema, "to_schema", None)
    if isinstance(schema, type) and callable(to_schema):
        schema = to_schema()  # a DataFrameModel class
    if not isinstance(schema, BaseSchema):
        raise GateError(f"schema must be a pandera DataFrameSchema or DataFrameModel, got {type(schema).__name__}; "
                        "build one with pandera.pandas.DataFrameSchema({...}) (or pandera.polars for polars data)")
    return schema


def _positions(frame: pd.DataFrame, labels: pd.Series) -> pd.Series:
    """Row positions of pandera's index labels (pandera reports labels; people count rows)."""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1:
        return labels
    if not frame.index.is_unique:
        return labels
    present = labels.notna()
    out = pd.Series(np.nan, index=labels.index, dtype=float)
    found = frame.index.get_indexer(pd.Index(labels[present]))
    out[present] = np.where(found >= 0, found, np.nan)
    return out


def _value_text(value: Any) -> str:
    return "missing" if value is None else repr(value)


@contextlib.contextmanager
def _quiet_ibis() -> Iterator[None]:
    """ibis' own deprecation warnings (of its DuckDB and pandas calls) are not the user's to see."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"ibis(\.|$)")
        yield


def _failure_cases(schema: Any, data: Any) -> pd.DataFrame:
    """pandera's failure table (pandas) for ``data``, validated lazily, data checks included on a polars
    LazyFrame (pandera checks only its schema there unless its validation depth asks for data)."""
    import pandera.errors
    from pandera.config import ValidationDepth, config_context

    try:
        with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA), _quiet_ibis():
            schema.validate(data, lazy=True)
        return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return _inputs.to_frame(cases, "failure cases") if _inputs.is_polars(cases) else cases
    except (pandera.errors.SchemaError, pandera.errors.SchemaDefinitionError, pandera.errors.BackendNotFoundError,
            TypeError, ValueError) as exc:
        raise GateError(f"pandera could not validate the data with this schema: {type(exc).__name__}: {exc}"
                        ) from None


def _validate_result(subject: str, cases: Any, n: int) -> GateResult:
    """The verdict from pandera's failure table with a ``row`` column (row positions, where known) and, from an
    engine, a ``count`` column (a row standing for that many failures whose rows the engine did not list)."""
    counted = "count" in cases.columns
    if not counted:
        cases = cases.assign(count=1)
    groups: list[dict[str, Any]] = []
    frame_level = cases["schema_context"].astype(str).str.contains("DataFrame")
    cases = cases.assign(column=cases["column"].where(~frame_level, None))
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        rows = group["row"].dropna()
        groups.append({
            "column": None if pd.isna(column) else str(column), "check": str(check), "count": int(group["count"].sum()),
            "rows_failing": int(rows.nunique()),
            "examples": [{"value": json_safe(v), "row": None if pd.isna(r) else int(r)}
                         for v, r in zip(group["failure_case"][:EXAMPLES], group["row"][:EXAMPLES], strict=True)],
        })
    n_cases = int(cases["count"].sum())
    table = [
        {"column": None if pd.isna(c) else str(c), "check": str(k), "failure_case": json_safe(v),
         "row": None if pd.isna(r) else int(r)}
        for c, k, v, r in zip(cases["column"][:FAILURE_TABLE_CAP], cases["check"][:FAILURE_TABLE_CAP],
                              cases["failure_case"][:FAILURE_TABLE_CAP], cases["row"][:FAILURE_TABLE_CAP],
                              strict=True)
    ]
    details = {"n_failure_cases": n_cases, "failure_cases": table, "truncated": len(cases) > FAILURE_TABLE_CAP,
               "groups": groups}
    failing_rows = int(cases["row"].dropna().nunique())
    some = "at least " if counted and bool(cases["row"].isna().any()) else ""
    rows_text = (f"{some}{failing_rows} of {n} rows fail at least one check" if failing_rows or not counted
                 else f"the engine does not list which of the {n} rows fail")
    if n_cases == 0:
        message = f"{FAMILY}.validate {subject}: all {n} rows pass every check of the schema: ok."
    else:
        lines = [f"{FAMILY}.validate {subject}: {n_cases} failure case(s) in {len(groups)} column/check pair(s); "
                 f"{rows_text}:"]
        for g in groups:
            where = f"column {g['column']!r}" if g["column"] is not None else "dataframe"
            shown = ", ".join(f"{_value_text(e['value'])} (row {e['row']})" if e["row"] is not None
                              else _value_text(e["value"]) for e in g["examples"])
            more = ", ..." if g["count"] > EXAMPLES else ""
            lines.append(f"  {where}, check {g['check']}: {g['count']} failure(s): {shown}{more}")
        lines.append("  What to do: fix the data upstream, or if the rule is wrong change the schema. "
                     "The full table (up to 1000 rows) is in the result's details.")
        message = "\n".join(lines)
    return GateResult(FAMILY, "validate", subject, "fail" if n_cases else "pass", value=n_cases, limit=0,
                      comparison="<=", n=n, message=message, details=details)


def _expected_classes(table: dict[Any, int], classes: Any) -> dict[Any, int]:
    """The counts of ``classes`` (0 for an absent one), matched as Python compares values: 0.0 is the label 0 and
    True the label 1, but "1" is not 1. A label of y outside ``classes`` is an error."""
    try:
        given = [] if isinstance(classes, (str, bytes)) else list(classes)
    except TypeError:
        given = []
    if not given:
        raise GateError(f"classes must be a non-empty list of the labels expected, got {classes!r}")
    wanted = [c.item() if hasattr(c, "item") and not isinstance(c, (str, bytes)) else c for c in given]
    try:
        if len(set(wanted)) != len(wanted):
            raise GateError(f"classes names a class more than once (as values compare, 0 == 0.0 == False): "
                            f"{wanted!r}")
        unknown = [k for k in table if k not in set(wanted)]
    except TypeError:
        raise GateError(f"classes must hold labels (numbers or text), got {classes!r}") from None
    if unknown:
        raise GateError(f"y has classes not in classes=: {_names(sorted(unknown, key=repr))} (classes={wanted!r}; "
                        "labels match by value, so 1 and 1.0 are one class but 1 and '1' are not)")
    found = {c: next(k for k in table if k == c) for c in wanted if c in table}
    return {found.get(c, c): table.get(c, 0) for c in wanted}


def _schema_subject(args: dict[str, Any]) -> str:
    schema = args["schema"]
    return str(getattr(schema, "name", None) or getattr(schema, "__name__", None) or type(schema).__name__)


class IntegrityChecks(BaseGate):
    """``validate``, ``missing``, ``duplicates``, ``leakage``, ``label_balance`` and ``conflicting_labels``."""

    @gate_check("validate", _schema_subject)
    def validate(self, data: Any, schema: Any) -> list[GateResult]:
        """Validate against a pandera ``DataFrameSchema`` or ``DataFrameModel`` (pandas; ``pandera.polars`` for
        polars), lazily, so every failing column and check shows at once with counts, values and row positions.
        The result's details hold the failure table (first 1000 rows; ``n_failure_cases`` is the true count).
        On a DuckDB relation or Parquet path pass a ``pandera.ibis`` schema (the checks run in DuckDB); on a polars
        LazyFrame a ``pandera.polars`` one, whose data checks run too (not only the schema)."""
        schema = _schema(schema)
        subject = str(getattr(schema, "name", None) or type(schema).__name__)
        if engines.is_engine_table(data) and type(data).__module__.startswith("pyspark"):
            from pytest_mlgate.engines.spark import failure_cases

            table = engines.table_for(data, "data")
            if table.n_rows() == 0:
                raise GateError("data is empty (0 rows): a data gate needs at least one row")
            return [_validate_result(subject, failure_cases(table, schema), table.n_rows())]
        if engines.is_engine_table(data) or type(data).__module__.startswith("ibis."):
            from pytest_mlgate.gates import scale

            with _quiet_ibis(), scale.schema_target(data, schema) as (target, n):
                cases = scale.engine_failure_cases(_failure_cases(schema, target))
            return [_validate_result(subject, cases.assign(row=cases["index"]), n)]
        polars_schema = type(schema).__module__.startswith("pandera.api.polars")
        polars_data = _inputs.is_polars(data)
        if polars_schema and not polars_data:
            raise GateError("the schema is a pandera.polars schema but the data is not a polars DataFrame; "
                            "use a pandera.pandas schema for pandas data (or pass polars data)")
        if not polars_data and not isinstance(data, pd.DataFrame):
            raise GateError(f"data must be a pandas or polars DataFrame, got {type(data).__name__}")
        if polars_data and not polars_schema:
            raise GateError("the data is a polars DataFrame but the schema is a pandas schema; build it with "
                            "pandera.polars (import pandera.polars as pa) or pass data.to_pandas()")
        cases = _failure_cases(schema, data)
        positions = _positions(data, cases["index"]) if not polars_data else cases["index"]
        return [_validate_result(subject, cases.assign(row=positions), int(data.shape[0]))]
    @gate_check("missing", "columns")
    def missing(self, data: Any, *, max_fraction: float = 0.0, columns: Any = None) -> list[GateResult]:
        """Each column's fraction of missing values must be at most ``max_fraction`` (default 0: none allowed)."""
        limit = _fraction("max_fraction", max_fraction)
        if engines.is_engine_table(data):
            from pytest_mlgate.gates import scale

            return scale.check_missing_table(data, limit=limit, columns=columns)
        frame = _frame(data, "data")
        selected = _columns(frame, columns, "data")
        n = len(frame)
        results = []
        for column in selected:
            isna = frame[column].isna().to_numpy()
            results.append(missing_result(column, int(isna.sum()), n, limit, np.flatnonzero(isna)))
        return results

    @gate_check("duplicates", "rows")
    def duplicates(self, data: Any, *, subset: Any = None, max_fraction: float = 0.0) -> list[GateResult]:
        """Rows repeating an earlier row (on ``subset`` columns, default all) must be at most ``max_fraction``
        of the rows (default 0)."""
        limit = _fraction("max_fraction", max_fraction)
        if engines.is_engine_table(data):
            from pytest_mlgate.gates import scale

            return scale.check_duplicates_table(data, limit=limit, subset=subset)
        frame = _frame(data, "data")
        columns = _columns(frame, subset, "data", "subset")
        hashes = _row_hashes(frame[columns])
        repeated = pd.Series(hashes).duplicated(keep="first").to_numpy()
        examples = []
        for row in np.flatnonzero(repeated)[:EXAMPLES]:
            first = int(np.flatnonzero(hashes == hashes[row])[0])
            examples.append({"row": int(row), "first": first})
        return [duplicates_result(int(repeated.sum()), len(frame), limit, columns, subset is None, examples)]

    @gate_check("leakage", "test")
    def leakage(self, train: Any, test: Any, *, on: Any = None, max_fraction: float = 0.0) -> list[GateResult]:
        """Rows of ``test`` that also occur in ``train`` (compared on ``on`` columns, default all of test's, by row
        hashing) must be at most ``max_fraction`` of test (default 0)."""
        limit = _fraction("max_fraction", max_fraction)
        if engines.is_engine_table(train) or engines.is_engine_table(test):
            from pytest_mlgate.gates import scale

            return scale.check_leakage_table(train, test, limit=limit, on=on)
        train_frame, test_frame = _frame(train, "train"), _frame(test, "test")
        columns = _columns(test_frame, on, "test", "on")
        absent = [c for c in columns if c not in train_frame.columns]
        if absent:
            raise GateError(f"columns missing from train: {_names(absent)}; pass on=[...] with columns both frames "
                            "have")
        left, right = _aligned(train_frame, test_frame, columns)
        train_hashes, test_hashes = row_hashes(left, right)
        leaked = _member(test_hashes, train_hashes)
        examples = [{"test_row": int(row), "train_row": int(np.flatnonzero(train_hashes == test_hashes[row])[0])}
                    for row in np.flatnonzero(leaked)[:EXAMPLES]]
        return [leakage_result(int(leaked.sum()), len(test_frame), len(train_frame), limit, columns, on is None,
                               examples)]

    @gate_check("label_balance", "y")
    def label_balance(self, y: Any = None, *, min_fraction: float = MIN_LABEL_FRACTION,
                      classes: Sequence[Any] | None = None, column: str | None = None,
                      y_true: Any = None) -> list[GateResult]:
        """The rarest class must be at least ``min_fraction`` of the labels (default 0.01); a single class fails.
        ``classes`` names the classes expected, so an absent one counts as 0. On an engine table (DuckDB relation,
        Parquet path, polars LazyFrame) ``column`` names the label column, counted by the engine. ``y_true=`` is
        scikit-learn's spelling of ``y``."""
        limit = _fraction("min_fraction", min_fraction)
        y = _inputs.given_labels(y, y_true)
        if engines.is_engine_table(y):
            from pytest_mlgate.gates import scale

            table = scale.label_counts_table(y, column)
        else:
            if column is not None:
                raise GateError("column= names the label column of an engine table (DuckDB, Parquet, polars LazyFrame, "
                                "pyarrow, Spark); pass the labels themselves as y otherwise")
            tally = pd.Series(_inputs.labels(y, "y")).value_counts(sort=False)
            table = dict(zip(tally.index.tolist(), tally.to_numpy().tolist(), strict=True))
            try:
                table = dict(sorted(table.items()))
            except TypeError:  # labels of several types: in the order of their text
                table = dict(sorted(table.items(), key=lambda kv: repr(kv[0])))
        if classes is not None:
            table = _expected_classes(table, classes)
        n = sum(table.values())
        fractions = {k: c / n for k, c in table.items()}
        rarest = min(fractions, key=lambda k: fractions[k])
        value = fractions[rarest]
        single = len(table) < 2
        failed = single or value < limit
        shares = ", ".join(f"{k!r}: {table[k]} ({_pct(f)})" for k, f in sorted(fractions.items(), key=lambda kv: kv[1]))
        if single:
            message = (f"{FAMILY}.label_balance: y has a single class ({shares}); a classifier cannot learn from it.\n"
                       "  What to do: check the filter or join that produced the labels (pass classes=[...] to name "
                       "the "
                       "classes you expect).")
        else:
            message = (f"{FAMILY}.label_balance: rarest class {rarest!r} is {_pct(value)} of {n} labels, required "
                       "at least "
                       f"{_pct(limit)} (classes: {shares})")
            message += (".\n  What to do: collect or resample more of the rare class, or lower min_fraction if this "
                        "imbalance is expected." if failed else ": ok.")
        return [GateResult(FAMILY, "label_balance", "y", "fail" if failed else "pass", value=value, limit=limit,
                           comparison=">=", n=n, message=message, details={"counts": table})]

    @gate_check("conflicting_labels", "X,y")
    def conflicting_labels(self, X: Any, y: Any = None, *, max_fraction: float = 0.0,
                           y_true: Any = None) -> list[GateResult]:
        """Rows with identical features but different labels must be at most ``max_fraction`` (default 0).
        ``y_true=`` is scikit-learn's spelling of ``y``."""
        limit = _fraction("max_fraction", max_fraction)
        frame = _frame(X, "X")
        labels = _inputs.true_labels(y, y_true)
        _inputs.same_length(X=frame, y=labels)
        hashes = _row_hashes(frame)
        pairs = pd.DataFrame({"h": hashes, "y": labels})
        n_labels = pairs.groupby("h", sort=False)["y"].nunique()
        conflicted = n_labels.index[n_labels.to_numpy() > 1].to_numpy()
        in_conflict = _member(hashes, conflicted)
        count = int(in_conflict.sum())
        n = len(frame)
        fraction = count / n
        failed = fraction > limit
        examples = []
        for h in conflicted[:EXAMPLES]:
            rows = np.flatnonzero(hashes == h)
            examples.append({"rows": rows[:EXAMPLES].tolist(), "labels": json_safe(labels[rows[:EXAMPLES]])})
        message = (f"{FAMILY}.conflicting_labels: {len(conflicted)} feature vector(s) occur with different labels, "
                   f"{count} of {n} rows ({_pct(fraction)}), allowed at most {_pct(limit)}")
        if failed:
            shown = "; ".join(f"rows {', '.join(map(str, e['rows']))} have labels {', '.join(map(repr, e['labels']))}"
                              for e in examples[:3])
            message += (f"; e.g. {shown}.\n  What to do: fix the labelling (or deduplicate by majority vote); if the "
                        "features cannot tell these rows apart, no model can be right on all of them.")
        else:
            message += ": ok."
        return [GateResult(FAMILY, "conflicting_labels", "X,y", "fail" if failed else "pass", value=fraction,
                           limit=limit, comparison="<=", n=n, message=message,
                           details={"conflicting_rows": count, "conflicting_groups": len(conflicted),
                                    "examples": examples})]
