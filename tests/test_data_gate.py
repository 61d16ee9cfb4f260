"""The data gate as users meet it through pytest: the message of every check and of every bad input."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas  # imported once in the outer process: pytester restores sys.modules
import pandera.polars  # noqa: F401
import polars as pl
import pytest
import scipy.spatial.distance  # noqa: F401

import pytest_mlgate.gates.data  # noqa: F401
from pytest_mlgate.gates.data import FAILURE_TABLE_CAP, DataGate
from pytest_mlgate.results import GateError, GateFailure

from quiet import quiet  # isort: skip

HEADER = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd
    import pytest
    """
)


def expect(result: pytest.RunResult, lines: list[str]) -> None:
    """fnmatch_lines with literal brackets (messages show lists and isin(['a']); ``*`` stays a wildcard)."""
    escaped = ["".join("[[]" if ch == "[" else "[]]" if ch == "]" else ch for ch in line) for line in lines]
    result.stdout.fnmatch_lines(escaped)


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(HEADER + textwrap.dedent(source))
    return pytester.runpytest(*args)


def test_validate_lists_every_failure_with_counts_values_and_row_positions(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import pandera.pandas as pa

        schema = pa.DataFrameSchema({
            "age": pa.Column(float, pa.Check.in_range(0, 120), nullable=False),
            "country": pa.Column(str, pa.Check.isin(["DE", "FR"])),
            "income": pa.Column(float),
        }, name="customers")

        def test_schema(data_gate):
            df = pd.DataFrame({"age": [30.0, -1.0, 200.0, None], "country": ["DE", "XX", "FR", "FR"]},
                              index=[100, 101, 102, 103])
            data_gate.validate(df, schema)

        class Clean(pa.DataFrameModel):
            age: float = pa.Field(ge=0)

        def test_model_passes(data_gate):
            data_gate.validate(pd.DataFrame({"age": [1.0, 2.0]}), Clean)
    """)
    result.assert_outcomes(failed=1, passed=1)
    expect(result, [
        "E*data_quality.validate customers: 5 failure case(s) in 4 column/check pair(s); "
        "3 of 4 rows fail at least one check:",
        "E*  dataframe, check column_in_dataframe: 1 failure(s): 'income'",
        "E*  column 'age', check not_nullable: 1 failure(s): missing (row 3)",
        "E*  column 'age', check in_range(0, 120): 2 failure(s): -1.0 (row 1), 200.0 (row 2)",
        "E*  column 'country', check isin(['DE', 'FR']): 1 failure(s): 'XX' (row 1)",
        "E*  What to do: fix the data upstream, or if the rule is wrong change the schema.*",
    ])


def test_validate_polars_with_pandera_polars(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        import polars as pl
        import pandera.polars as pa

        schema = pa.DataFrameSchema({"score": pa.Column(pl.Float64, pa.Check.le(1.0))})

        def test_polars(data_gate):
            data_gate.validate(pl.DataFrame({"score": [0.5, 1.5, 0.2, 3.0]}), schema)

        def test_polars_clean(data_gate):
            data_gate.validate(pl.DataFrame({"score": [0.5, 0.25]}), schema)
    """)
    result.assert_outcomes(failed=1, passed=1)
    expect(result, [
        "E*data_quality.validate DataFrameSchema: 2 failure case(s) in 1 column/check pair(s); 2 of 4 rows*",
        "E*  column 'score', check less_than_or_equal_to(1.0): 2 failure(s): '1.5' (row 1), '3.0' (row 3)",
    ])


def test_validate_details_hold_the_capped_table_with_the_true_count() -> None:
    import pandera.pandas as pa

    df = pd.DataFrame({"x": -np.arange(1, 1501, dtype=float)})
    result = quiet(DataGate).validate(df, pa.DataFrameSchema({"x": pa.Column(float, pa.Check.ge(0))}))[0]
    assert result.status == "fail" and result.value == 1500
    assert result.details["n_failure_cases"] == 1500 and result.details["truncated"] is True
    assert len(result.details["failure_cases"]) == FAILURE_TABLE_CAP
    assert result.details["failure_cases"][0] == {"column": "x", "check": "greater_than_or_equal_to(0)",
                                                  "failure_case": -1.0, "row": 0}


def test_integrity_checks_fail_with_what_where_and_what_to_do(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_missing(data_gate):
            df = pd.DataFrame({"a": [1.0, None, 3.0, None], "b": [1, 2, 3, 4]})
            data_gate.missing(df, max_fraction=0.25)

        def test_duplicates(data_gate):
            data_gate.duplicates(pd.DataFrame({"id": [1, 2, 1, 3], "v": ["x", "y", "x", "z"]}))

        def test_leakage(data_gate):
            train = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["p", "q", "r", "s"]})
            test = pd.DataFrame({"a": [9.0, 3.0, 8.0], "b": ["z", "r", "y"]})
            data_gate.leakage(train, test)

        def test_label_balance(data_gate):
            data_gate.label_balance(np.r_[np.zeros(990), np.ones(10)], min_fraction=0.05)

        def test_single_class(data_gate):
            data_gate.label_balance(["spam"] * 20)

        def test_conflicting_labels(data_gate):
            X = pd.DataFrame({"f1": [1, 1, 2, 3], "f2": ["a", "a", "b", "c"]})
            data_gate.conflicting_labels(X, [0, 1, 1, 0])
    """)
    result.assert_outcomes(failed=6)
    expect(result, [
        "E*data_quality.missing 'a': 2 of 4 values missing (50%), allowed at most 25%; first missing at rows 1, 3.",
        "E*  What to do: fix the source or impute before this point, or allow them with max_fraction=0.5.",
    ])
    expect(result, [
        "E*data_quality.duplicates: 1 of 4 rows (25%) repeat an earlier row on all columns, allowed at most 0%; "
        "e.g. row 2 = row 0.",
        "E*  What to do: drop them (df.drop_duplicates())*",
    ])
    expect(result, [
        "E*data_quality.leakage: 1 of 3 test rows (33.3%) also occur in train (compared on all 2 columns), "
        "allowed at most 0%; e.g. test row 1 = train row 2.",
        "E*  What to do: split so that no row*",
    ])
    expect(result, [
        "E*data_quality.label_balance: rarest class 1.0 is 1% of 1000 labels, required at least 5% "
        "(classes: 1.0: 10 (1%), 0.0: 990 (99%)).",
    ])
    expect(result, [
        "E*data_quality.label_balance: y has a single class ('spam': 20 (100%)); a classifier cannot learn from it.",
    ])
    expect(result, [
        "E*data_quality.conflicting_labels: 1 feature vector(s) occur with different labels, 2 of 4 rows (50%), "
        "allowed at most 0%; e.g. rows 0, 1 have labels 0, 1.",
    ])


def test_integrity_checks_pass_within_their_limits(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        def test_all_pass(data_gate):
            df = pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "b": [1, 2, 3, 3]})
            data_gate.missing(df, max_fraction=0.25)
            data_gate.missing(df, columns=["b"])
            data_gate.duplicates(df, subset=["b"], max_fraction=0.25)
            data_gate.leakage(df.iloc[:2], df.iloc[2:])
            data_gate.label_balance([0, 1, 1, 0])
            data_gate.conflicting_labels(df[["b"]], [0, 1, 1, 1], max_fraction=0.5)
            assert [r.status for r in data_gate.results] == ["pass"] * 7
    """)
    result.assert_outcomes(passed=1)


def test_drift_through_pytest_fails_and_warns_under_severity_warn(pytester: pytest.Pytester) -> None:
    result = run(pytester, """
        rng = np.random.default_rng(0)
        reference = pd.DataFrame({"age": rng.normal(40, 10, 4000), "plan": rng.choice(["a", "b"], 4000)})
        current = pd.DataFrame({"age": rng.normal(45, 10, 4000), "plan": rng.choice(["a", "b", "c"], 4000)})

        def test_drift(data_gate):
            data_gate.drift(reference, current)

        @pytest.mark.data_quality(severity="warn")
        def test_drift_advisory(data_gate):
            data_gate.drift(reference, current)

        def test_no_drift(data_gate):
            data_gate.drift(reference, reference.sample(frac=1.0, random_state=1))
    """, "-W", "default")
    result.assert_outcomes(failed=1, passed=2, warnings=1)
    expect(result, [
        "E*data_quality.drift: 2 of 2 columns drifted (reference n=4000, current n=4000; a column drifts when "
        "its Holm-corrected p-value < 0.01 and its effect reaches the minimum*: 'age', 'plan'.",
        "E*  What to do: find what changed upstream*",
        "E*  age: KS D=0.222, p=9.54e-87 (Holm 9.54e-87), Wasserstein/std=0.5374 (min 0.1), PSI=0.2844: "
        "DRIFTED (distribution)",
        "E*  plan: chi2=1562 (dof 2), p=0 (Holm 0), Jensen-Shannon=0.4318 (min 0.1); 1 category unseen in "
        "reference, 1305 rows: 'c' (1305): DRIFTED (distribution)",
    ])


BAD_INPUTS = [
    ("data_gate.drift(pd.DataFrame({'a': [1.0], 'b': [2.0]}), pd.DataFrame({'a': [1.0], 'c': [3.0]}))",
     "*GateError: the frames have different columns (missing from current: 'b'; missing from reference: 'c'); "
     "fix the data, or compare the shared ones with columns=[...]"),
    ("data_gate.drift(pd.DataFrame({'a': [1.0, 2.0]}), pd.DataFrame({'a': ['x', 'y']}))",
     "*GateError: column 'a' is numeric in reference (float64) but categorical/text in current (*); make the "
     "types agree*"),
    ("data_gate.drift(pd.DataFrame({'a': [1.0]}), pd.DataFrame({'a': []}))",
     "*GateError: current is empty (0 rows): a data gate needs at least one row"),
    ("data_gate.missing(pd.DataFrame())",
     "*GateError: data has no columns: there is nothing to check"),
    ("data_gate.drift(pd.DataFrame({'a': [np.nan, np.nan]}), pd.DataFrame({'a': [1.0, 2.0]}))",
     "*GateError: column 'a' is entirely missing in reference (2 rows): there is no distribution to compare "
     "against*"),
    ("data_gate.drift(pd.DataFrame({'t': pd.to_datetime(['2024-01-01'])}), "
     "pd.DataFrame({'t': pd.to_datetime(['2024-01-02'])}))",
     "*GateError: column 't' of reference has dtype datetime64*, which drift does not support; convert it to a "
     "number*"),
    ("data_gate.validate(pd.DataFrame({'a': [1]}), {'a': int})",
     "*GateError: schema must be a pandera DataFrameSchema or DataFrameModel, got dict*"),
    ("data_gate.leakage(pd.DataFrame({'a': [1]}), pd.DataFrame({'a': [1], 'b': [2]}))",
     "*GateError: columns missing from train: 'b'; pass on=[...] with columns both frames have"),
    ("data_gate.missing(pd.DataFrame({'a': [1.0]}), max_fraction=2)",
     "*GateError: max_fraction must be a fraction between 0 and 1, got 2"),
    ("data_gate.conflicting_labels(pd.DataFrame({'a': [1, 2]}), [0, 1, 1])",
     "*GateError: inputs have mismatched lengths: X has 2, y has 3 rows"),
    ("data_gate.drift(pd.DataFrame({'a': [1.0, np.inf]}), pd.DataFrame({'a': [1.0, 2.0]}))",
     "*GateError: column 'a' of reference has 1 infinite value(s) (first at row 1)*"),
]


def test_bad_input_is_a_gate_error_naming_the_problem(pytester: pytest.Pytester) -> None:
    tests = "".join(f"def test_bad_{i}(data_gate):\n    {call}\n\n" for i, (call, _) in enumerate(BAD_INPUTS))
    result = run(pytester, tests)
    result.assert_outcomes(failed=len(BAD_INPUTS))
    for _, line in BAD_INPUTS:
        expect(result, [f"E*{line}"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_gate_outside_pytest_raises_gate_failure_and_profile_errors_are_recorded() -> None:
    gate = DataGate()
    with pytest.raises(GateFailure):
        gate.duplicates(pl.DataFrame({"a": [1, 1]}))
    with pytest.raises(GateError, match="sample must be a positive number of rows"):
        gate.profile(pd.DataFrame({"a": [1.0]}), sample=0)
    assert [r.status for r in gate.recorder.results] == ["fail", "error"]


def test_every_snippet_of_the_user_docs_runs_and_passes(pytester: pytest.Pytester) -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "data_quality.md"
    snippets = re.findall(r"```python\n(.*?)```", docs.read_text(encoding="utf-8"), flags=re.S)
    assert len(snippets) >= 5
    pytester.makepyfile(**{f"test_doc_{i}": code for i, code in enumerate(snippets)})
    result = pytester.runpytest()
    result.assert_outcomes(passed=sum(code.count("\ndef test_") for code in snippets))
