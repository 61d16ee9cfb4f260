"""Issue #13 through pytest: baseline identity, unchanged rewrites, unused files, pairs under SIGKILL, safe
reads, report paths and text, statuses under -W error, and our own bugs shown as error rows."""

from __future__ import annotations

import json
import os
import random
import signal
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import hypothesis  # noqa: F401  (imported once out here: its pytest plugin would re-import it in every inner run)
import pytest

SCORES = textwrap.dedent(
    """
    import numpy as np
    import pytest

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    score = y + rng.normal(scale=1.5, size=2000)

    {body}
    """
)

ONE = """
def test_auc(baseline_gate):
    baseline_gate.compare(y=y, y_score=score, metrics="roc_auc", max_drop=0.01, store_predictions={store})
"""


def write(pytester: pytest.Pytester, body: str = ONE, store: bool = False, where: str = "tests") -> Path:
    folder = pytester.path / where
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "test_scores.py"
    path.write_text(SCORES.format(body=body.format(store=store)))
    pytester.makeini("[pytest]\nmlgate_n_resamples = 200\n")
    return folder / "mlgate_baselines"


def interval(pytester: pytest.Pytester, *args: str) -> list[float]:
    pytester.runpytest("--mlgate-report=r.json", *args).assert_outcomes(passed=1)
    return json.loads((pytester.path / "r.json").read_text())["results"][0]["interval"]


# 1. identity -------------------------------------------------------------------------------------------------------


def test_same_file_and_interval_from_every_starting_point(pytester: pytest.Pytester) -> None:
    folder = write(pytester)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    assert [p.name for p in folder.iterdir()] == ["test_scores.py__test_auc.json"]
    from_root = interval(pytester)
    os.chdir(pytester.path / "tests")
    from_subfolder = interval(pytester, "--rootdir", str(pytester.path / "tests"))
    os.chdir(pytester.path)
    (pytester.path / "tests" / "pytest.ini").write_text("[pytest]\nmlgate_n_resamples = 200\n")
    with_other_ini = interval(pytester, "tests")
    assert from_root == from_subfolder == with_other_ini
    assert [p.name for p in folder.iterdir()] == ["test_scores.py__test_auc.json"]  # never "does not exist"


def test_params_that_sanitise_alike_get_their_own_files(pytester: pytest.Pytester) -> None:
    folder = write(pytester, body='''
@pytest.mark.parametrize("p", ["a/b", "a__b"])
def test_p(baseline_gate, p):
    baseline_gate.compare(y=y, y_score=score + len(p), metrics="roc_auc")

def test_model(baseline_gate):
    baseline_gate.compare(y=y, y_score=score, metrics="roc_auc", name="holdout")

def test_model__holdout(baseline_gate):
    baseline_gate.compare(y=y, y_score=score, metrics="roc_auc")
''')
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=4)
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 4, names
    node_ids = {json.loads((folder / n).read_text())["node_id"] for n in names}
    assert len(node_ids) == 4


def test_a_010_file_is_found_and_moved_on_the_next_update(pytester: pytest.Pytester) -> None:
    folder = write(pytester)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    new = folder / "test_scores.py__test_auc.json"
    old = folder / "tests__test_scores.py__test_auc.json"  # 0.1.0: the rootdir-relative node id, flattened
    new.rename(old)
    pytester.runpytest().assert_outcomes(passed=1)  # still found
    assert old.exists() and not new.exists()
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    assert new.exists() and not old.exists()


# 2. unchanged rewrites ---------------------------------------------------------------------------------------------


def test_an_update_that_changes_nothing_leaves_the_files_byte_identical(pytester: pytest.Pytester) -> None:
    folder = write(pytester, store=True)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert len(before) == 2  # the JSON and its .npz
    time.sleep(1.1)  # written_at has one-second resolution: a rewrite would change it
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()} == before


# 3. unused baselines -----------------------------------------------------------------------------------------------


def test_unused_baselines_are_listed_after_a_whole_run_and_deleted_on_request(pytester: pytest.Pytester,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(pytester, body=ONE + '''
@pytest.mark.skip(reason="kept")
def test_skipped(baseline_gate):
    baseline_gate.compare(y=y, y_score=score, metrics="roc_auc")

def test_plain():
    import os
    assert "BREAK_THE_RUN" not in os.environ
''')
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=2, skipped=1)
    keep = folder / "test_scores.py__test_skipped.json"
    keep.write_bytes((folder / "test_scores.py__test_auc.json").read_bytes())
    stale = folder / "test_scores.py__test_renamed.json"
    stale.write_bytes(keep.read_bytes())
    other_file = folder / "test_other.py__test_x.json"  # belongs to a test file this run did not collect
    other_file.write_bytes(keep.read_bytes())

    narrowed = pytester.runpytest("-k", "auc")
    assert "no test used" not in narrowed.stdout.str()
    whole = pytester.runpytest()
    whole.stdout.fnmatch_lines(["mlgate: 1 baseline file(s) no test used*", f"mlgate: unused baseline: {stale}"])
    assert stale.exists()
    monkeypatch.setenv("BREAK_THE_RUN", "1")
    failed = pytester.runpytest("--mlgate-delete-unused-baselines")
    failed.stdout.fnmatch_lines(["mlgate: 1 baseline file(s) no test used; not deleted, because the run did not pass*"])
    assert stale.exists()
    monkeypatch.delenv("BREAK_THE_RUN")
    pytester.runpytest("--mlgate-delete-unused-baselines").stdout.fnmatch_lines([f"*deleted baseline: {stale}"])
    assert not stale.exists() and keep.exists() and other_file.exists()


def test_an_xdist_run_lists_and_deletes_the_same_unused_baselines(pytester: pytest.Pytester) -> None:
    """The controller collects no tests under xdist: the workers send which baseline files their tests own, and a
    skipped test's file stays protected, as in a serial run."""
    pytest.importorskip("xdist")
    folder = write(pytester, body=ONE + '''
@pytest.mark.skip(reason="kept")
def test_skipped(baseline_gate):
    baseline_gate.compare(y=y, y_score=score, metrics="roc_auc")
''')
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1, skipped=1)
    keep = folder / "test_scores.py__test_skipped.json"
    keep.write_bytes((folder / "test_scores.py__test_auc.json").read_bytes())
    stale = folder / "test_scores.py__test_renamed.json"
    stale.write_bytes(keep.read_bytes())
    serial = pytester.runpytest()
    parallel = pytester.runpytest_subprocess("-n", "2", "-p", "no:benchmark")
    for run in (serial, parallel):
        run.stdout.fnmatch_lines(["mlgate: 1 baseline file(s) no test used*", f"mlgate: unused baseline: {stale}"])
    narrowed = pytester.runpytest_subprocess("-n", "2", "-p", "no:benchmark", "-k", "auc")
    assert "no test used" not in narrowed.stdout.str()
    pytester.runpytest_subprocess("-n", "2", "-p", "no:benchmark", "--mlgate-delete-unused-baselines").stdout.\
        fnmatch_lines([f"*deleted baseline: {stale}"])
    assert not stale.exists() and keep.exists()


# 4. one unit under SIGKILL -----------------------------------------------------------------------------------------


def _update_forever(folder: str, identity: str, seed: int) -> None:
    """A forked writer: what ``pytest --mlgate-update-baselines`` does in a baseline test, over and over with
    other predictions, until it is killed."""
    import numpy as np

    from pytest_mlgate.gates.base import GateSettings, Recorder
    from pytest_mlgate.gates.baseline import BaselineGate

    os.environ["GITHUB_SHA"] = "0" * 40  # no git subprocess per write
    y = np.random.default_rng(0).integers(0, 2, 2000)  # the labels of test_scores.py
    rng = np.random.default_rng(seed)
    settings = GateSettings(n_resamples=20, baseline_dir=Path(folder), update_baselines=True)
    try:
        while True:
            gate = BaselineGate(Recorder(identity=identity, settings=settings, raises=False))
            gate.compare(y=y, y_score=y * rng.uniform(0, 2) + rng.normal(size=y.size), metrics="roc_auc",
                         store_predictions=True)
    finally:
        os._exit(1)


def test_sigkill_at_random_moments_leaves_a_consistent_pair(pytester: pytest.Pytester) -> None:
    """24 writers, each SIGKILLed at a random moment of its stream of updates (forked, so no run pays for the
    imports): after every kill the JSON loads, its .npz is the one it names, and the stored metric is the one
    those predictions give. The next update (through pytest) cleans up what the killed ones left."""
    import multiprocessing

    import numpy as np
    from sklearn.metrics import roc_auc_score

    from pytest_mlgate import baselines

    folder = write(pytester, store=True)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    path = folder / "test_scores.py__test_auc.json"
    y = np.random.default_rng(0).integers(0, 2, 2000)
    context = multiprocessing.get_context("fork")
    rng = random.Random(13)
    written = set()
    for run in range(24):
        writer = context.Process(target=_update_forever, args=(str(folder), "test_scores.py::test_auc", run))
        writer.start()
        time.sleep(rng.uniform(0.05, 0.8))
        writer.kill()  # SIGKILL, wherever the writer is
        writer.join()
        assert writer.exitcode == -signal.SIGKILL  # killed part-way, never finished on its own
        stored = baselines.read_baseline(path)  # loads, and its .npz is the one it names (SHA-256)
        assert stored.predictions is not None
        scores = baselines.read_predictions(path, stored.predictions)["y_score"]
        assert abs(roc_auc_score(y, scores) - stored.metrics["roc_auc"].value) < 1e-9  # the JSON's own .npz
        written.add(stored.predictions["sha256"])
    assert len(written) >= 12  # most kills came after at least one more update had landed
    result = pytester.runpytest("--mlgate-update-baselines")
    result.assert_outcomes(passed=1)
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 2 and not any(n.endswith(".tmp") for n in left), left  # the next write cleaned up


def test_xdist_workers_updating_one_file_leave_one_valid_file(pytester: pytest.Pytester) -> None:
    """Names are injective, so only a gate with an explicit identity (a script's, or a shared helper's) lets
    several tests write one file: 4 workers doing it at once leave one valid pair."""
    folder = write(pytester, body='''
from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.baseline import BaselineGate

@pytest.mark.parametrize("worker", range(8))
def test_same(baseline_gate, worker):
    settings = baseline_gate.settings
    for step in range(3):  # three updates per test: the workers' writes overlap
        shared = BaselineGate(Recorder(identity="test_scores.py::shared", settings=settings))
        shared.compare(y=y, y_score=score + (worker + step) * y, metrics="roc_auc", store_predictions=True)
''')
    from pytest_mlgate import baselines

    pytester.makeini("[pytest]\nmlgate_n_resamples = 20\n")
    result = pytester.runpytest("-n", "4", "-p", "no:benchmark", "-p", "no:typeguard", "-p", "no:randomly",
                                "--mlgate-update-baselines")
    result.assert_outcomes(passed=8)
    path = folder / "test_scores.py__shared.json"
    stored = baselines.read_baseline(path)
    assert stored.predictions is not None
    baselines.read_predictions(path, stored.predictions)
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".npz"]  # one pair, no temp files


# 5. safe reads ------------------------------------------------------------------------------------------------------

BROKEN = ["fifo", "outside_link", "huge_int", "deep", "nul", "too_big", "npz_shape", "confidence"]


def test_reading_a_hostile_baseline_is_a_gate_error_naming_it_and_leaves_it(pytester: pytest.Pytester) -> None:
    import io
    import zipfile

    import numpy as np

    body = "".join(f'''
def test_{case}(baseline_gate):
    baseline_gate.compare(y=y, y_score=score, metrics="roc_auc", store_predictions=True)
''' for case in BROKEN)
    folder = write(pytester, body=body)
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=len(BROKEN))
    file = {case: folder / f"test_scores.py__test_{case}.json" for case in BROKEN}
    good = file["huge_int"].read_text()
    os.unlink(file["fifo"])
    os.mkfifo(file["fifo"])
    outside = pytester.path / "outside.json"
    outside.write_text(good)
    os.unlink(file["outside_link"])
    os.symlink(outside, file["outside_link"])
    file["huge_int"].write_text(good.replace('"n_resamples": 200', '"n_resamples": 1' + "0" * 4000))
    file["deep"].write_text("[" * 100_000 + "]" * 100_000)
    file["nul"].write_text(good.replace('"node_id": "', '"node_id": "\\u0000'))
    file["too_big"].write_text(good[:-2] + " " * (17 * 2**20) + "}\n")
    file["confidence"].write_text(good.replace('"confidence": 0.98', '"confidence": 1e-300'))  # no normal quantile
    doc = json.loads(file["npz_shape"].read_text())
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("y_score.npy", header.getvalue())
    npz = folder / doc["predictions"]["file"]
    npz.write_bytes(archive.getvalue())
    import hashlib

    doc["predictions"]["sha256"] = hashlib.sha256(archive.getvalue()).hexdigest()
    file["npz_shape"].write_text(json.dumps(doc))
    before = {case: (os.lstat(path).st_mode, path.read_bytes() if path.is_file() else b"") for case, path in
              file.items() if case != "fifo"}
    result = pytester.runpytest("-p", "no:randomly", "--tb=line")
    result.assert_outcomes(failed=len(BROKEN))
    out = result.stdout.str()
    for case, problem in [("fifo", "not a regular file"), ("outside_link", "outside the baseline folder"),
                          ("huge_int", "integer of 4001 digits"), ("deep", "nested"), ("nul", "NUL"),
                          ("too_big", "more than the 16777216"),
                          ("npz_shape", "declares shape (1000000000000,)"),
                          ("confidence", "'confidence' must be a number between 0 and 1")]:
        assert any(str(file[case].name) in line and problem in line for line in out.splitlines()) or (
            case == "npz_shape" and problem in out), (case, out)
    after = {case: (os.lstat(path).st_mode, path.read_bytes() if path.is_file() else b"") for case, path in
             file.items() if case != "fifo"}
    assert after == before
    assert "Traceback" not in out and "unpickl" not in out.lower()


# 6. report paths and text ------------------------------------------------------------------------------------------

HOSTILE = '''
@pytest.mark.parametrize("label", ["`tick`", "```\\n<img src=x onerror=alert(1)>", "ctl\\x01\\x1b", "lone\\ud800"])
def test_names(model_gate, label):
    model_gate.expect(label, 0.5, min=0.9)
'''


def test_reports_survive_hostile_names_and_write_through_links_and_fifos(pytester: pytest.Pytester) -> None:
    import threading

    write(pytester, body=HOSTILE)
    target = pytester.path / "real.json"
    target.write_text("")
    (pytester.path / "link.json").symlink_to(target)
    fifo = pytester.path / "pipe.md"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = pytester.runpytest("--mlgate-report=link.json", "--mlgate-markdown=pipe.md", "--junitxml=j.xml")
    reader.join(30)
    result.assert_outcomes(failed=4)
    assert (pytester.path / "link.json").is_symlink() and fifo.is_fifo()  # written through, not replaced
    assert len(json.loads(target.read_text())["results"]) == 4
    markdown = received[0].decode("utf-8")
    assert "&lt;img" in markdown
    for line in markdown.splitlines():
        if line.startswith("| `"):  # the test id is a code span (literal); every other cell escapes HTML
            cells = line.split(" | ")
            assert len(cells) == 8, line  # no cell broken by a user's pipe, backtick or newline
            assert "<" not in " | ".join(cells[1:]), line
    ET.parse(pytester.path / "j.xml")  # well-formed despite control characters and a lone surrogate
    assert "ctl\\x01\\x1b" in (pytester.path / "j.xml").read_text()


def test_a_report_to_dev_stdout_goes_to_the_stream_whether_piped_or_redirected(pytester: pytest.Pytester) -> None:
    """/dev/stdout resolves to /proc/self/fd/1 and then to a pipe (which has no path) or to the redirected log
    (which must not be replaced: the rest of pytest's output would go to an unlinked file)."""
    import subprocess
    import sys

    write(pytester, body='''
def test_one(model_gate):
    model_gate.expect("auc", 0.95, min=0.9)
''')
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--mlgate-report=/dev/stdout",
               "--mlgate-markdown=/dev/stderr"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    piped = subprocess.run(command, cwd=pytester.path, env=env, capture_output=True, text=True, check=False)
    log = pytester.path / "log.txt"
    with open(log, "w") as out:
        subprocess.run(command, cwd=pytester.path, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    for text in (piped.stdout, log.read_text()):
        assert '"schema_version": 2' in text and "1 passed" in text, text  # the report and pytest's own output
        assert "could not write" not in text
    assert "## pytest-mlgate" in piped.stderr
    assert log.stat().st_nlink == 1


# 7. statuses and our own bugs --------------------------------------------------------------------------------------


def test_warn_rows_say_fail_when_warnings_are_errors(pytester: pytest.Pytester) -> None:
    write(pytester, body='''
@pytest.mark.model_validation(severity="warn")
def test_advisory(model_gate):
    model_gate.expect("auc", 0.5, min=0.9)

@pytest.mark.model_validation(severity="warn")
def test_plain(model_gate):
    assert 1 == 2
''')
    for args in ([], ["-W", "error::pytest_mlgate.MLGateWarning"]):
        result = pytester.runpytest("--mlgate-report=r.json", *args)
        statuses = {r["node_id"].rsplit("::", 1)[1]: r["status"] for r in
                    json.loads((pytester.path / "r.json").read_text())["results"]}
        if args:
            result.assert_outcomes(failed=2)
            assert statuses == {"test_advisory": "fail", "test_plain": "fail"}
        else:
            result.assert_outcomes(passed=2, warnings=2)
            assert statuses == {"test_advisory": "warn", "test_plain": "warn"}


def test_a_bug_of_ours_is_an_error_row_with_our_frames(pytester: pytest.Pytester) -> None:
    write(pytester, body='''
import pytest_mlgate.gates.base as base

def test_bug(model_gate, monkeypatch):
    def broken(*args, **kwargs):
        return {{}}["no such key"]
    monkeypatch.setattr(base, "threshold_result", broken)
    model_gate.expect("auc", 0.5, min=0.9)

def test_profile_bug(data_gate, monkeypatch):
    import pytest_mlgate.gates.profiles as profiles
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(profiles, "make_profile", broken)
    data_gate.profile({{"a": [1.0, 2.0]}})
''')
    result = pytester.runpytest("--mlgate-report=r.json", "-p", "no:randomly")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*pytest_mlgate/gates/base.py:*", "*KeyError*"])
    result.stdout.fnmatch_lines(["*pytest_mlgate/gates/profiles.py:*", "*ZeroDivisionError*"])
    rows = json.loads((pytester.path / "r.json").read_text())["results"]
    assert [r["status"] for r in rows] == ["error", "error"]
    assert "internal error KeyError" in rows[0]["message"] and "internal error ZeroDivisionError" in rows[1]["message"]


# 8. inputs validated where they enter -----------------------------------------------------------------------------


def test_expect_refuses_a_bad_interval_or_count(pytester: pytest.Pytester) -> None:
    write(pytester, body='''
@pytest.mark.parametrize("kwargs", [dict(interval=(0.9, 0.1)), dict(interval=(0.1, float("nan"))),
                                    dict(interval=(1, 2, 3)), dict(n=0), dict(n=2.5), dict(n=True)])
def test_bad(model_gate, kwargs):
    model_gate.expect("recall", 0.5, min=0.3, **kwargs)
''')
    result = pytester.runpytest("--tb=line")
    result.assert_outcomes(failed=6)
    result.stdout.fnmatch_lines(["*GateError: interval for 'recall' must be two finite numbers with low <= high*",
                                 "*GateError: interval for 'recall' must be two numbers*",
                                 "*GateError: n for 'recall' must be a positive integer*"], consecutive=False)


FRAMES = textwrap.dedent(
    """
    import base64, copy, json
    import numpy as np
    import pandas as pd
    import pytest

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=300), "c": rng.choice(list("xyz"), 300), "gone": [np.nan] * 300})

    def encoded(values):
        return base64.b64encode(np.asarray(values, dtype="<f8").tobytes()).decode("ascii")
    """
)


def run_frames(pytester: pytest.Pytester, body: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_frames=FRAMES + textwrap.dedent(body))
    return pytester.runpytest("-p", "no:randomly", "--tb=line", *args)


def test_a_drift_profile_holding_nan_or_infinity_is_refused(pytester: pytest.Pytester) -> None:
    result = run_frames(pytester, '''
    @pytest.mark.parametrize("bins", [None, 20])
    def test_round_trip(data_gate, bins):
        text = json.dumps(data_gate.profile(df, bins=bins), allow_nan=False)  # strict JSON, also for "gone"
        data_gate.drift(json.loads(text), df, columns=["a", "c"])

    CHANGES = {
        "exact_inf": (None, "a", {"values": encoded([0.0, 1.0, np.inf]), "n": 3, "n_missing": 297}),
        "exact_nan": (None, "a", {"values": encoded([np.nan]), "n": 1, "n_missing": 299}),
        "count_nan": (None, "c", {"counts": [float("nan"), 100, 100]}),
        "count_inf": (None, "c", {"counts": [float("inf"), 100, 100]}),
        "binned_mean": (20, "a", {"mean": float("nan")}),
        "binned_edges": (20, "a", {"edges": encoded([*range(18), np.inf])}),
        "rows_inf": (None, None, {"n_rows": float("inf")}),
    }

    @pytest.mark.parametrize("case", CHANGES)
    def test_broken(data_gate, case):
        bins, column, change = CHANGES[case]
        profile = json.loads(json.dumps(data_gate.profile(df, bins=bins)))
        target = profile if column is None else next(c for c in profile["columns"] if c["name"] == column)
        target.update(change)
        profile = json.loads(json.dumps(profile))  # through JSON, as a file would bring it (NaN and Infinity)
        data_gate.drift(profile, df, columns=["a", "c"])
    ''')
    result.assert_outcomes(passed=2, failed=7)
    result.stdout.fnmatch_lines([
        "*damaged in column 'a' (ValueError: values holds 0 NaN and 1 infinite value(s)*",
        "*damaged in column 'a' (ValueError: values holds 1 NaN and 0 infinite value(s)*",
        "*damaged in column 'c' (ValueError: the count of category 'x' must be a non-negative integer, got nan)*",
        "*damaged in column 'c' (ValueError: the count of category 'x' must be a non-negative integer, got inf)*",
        "*damaged in column 'a' (ValueError: mean must be a finite number, got nan)*",
        "*damaged in column 'a' (ValueError: edges holds 0 NaN and 1 infinite value(s)*",
        "*damaged (ValueError: n_rows must be a non-negative integer, got inf)*",
    ], consecutive=False)
    assert "Traceback" not in result.stdout.str()


def test_monotonic_and_invariance_work_on_nullable_dtypes(pytester: pytest.Pytester) -> None:
    result = run_frames(pytester, '''
    VALUES = {"Int64": [0, 1, 2, None] * 25, "Float64": [0.0, 1.5, 3.0, None] * 25,
              "boolean": [False, True, False, None] * 25}

    class Model:
        """Scores rise with x; asserts it is given x in the dtype it was trained on."""
        def __init__(self, dtype, sign=1.0):
            self.dtype, self.sign = dtype, sign
        def predict(self, X):
            assert str(X["x"].dtype) == self.dtype, X["x"].dtype
            return self.sign * X["x"].astype("Float64").fillna(0).to_numpy(dtype=float) + X["z"].to_numpy()

    @pytest.mark.parametrize("dtype", VALUES)
    def test_nullable(model_gate, dtype):
        X = pd.DataFrame({"x": pd.array(VALUES[dtype], dtype=dtype), "z": np.arange(100.0)})
        model_gate.monotonic(Model(dtype), X, feature="x")
        model_gate.invariance(Model(dtype), X, perturb={"z": lambda z: z})
        model_gate.invariance(Model(dtype), X, perturb=lambda frame: frame.copy())
        model_gate.monotonic(Model(dtype, sign=-1.0), X, feature="x")
    ''')
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    for how, rows in (("by 1 lowered predict in 75 of 75 rows", "Int64"), ("lowered predict in 75 of 75", "Float64"),
                      ("from False to True lowered predict in 50 of 50 rows", "boolean")):
        assert how in out, (rows, out)
    assert "Traceback" not in out and "TypeError" not in out and "AssertionError: " not in out


def test_duplicates_tell_1_from_text_1_as_pandas_does(pytester: pytest.Pytester) -> None:
    result = run_frames(pytester, '''
    CASES = {"int_and_text": [1, "1"], "int_and_float": [1, 1.0], "zero_signs": [0.0, -0.0], "bytes": [b"a", "a"]}

    @pytest.mark.parametrize("case", CASES)
    def test_dupes(data_gate, case):
        frame = pd.DataFrame({"v": pd.Series(CASES[case], dtype=object if case != "zero_signs" else float)})
        expected = int(frame.duplicated().sum())
        [result] = data_gate.duplicates(frame, max_fraction=1.0)
        assert result.value * len(frame) == expected, (case, result.message)
        train, test = frame.iloc[:1], frame.iloc[1:]
        [leak] = data_gate.leakage(train, test, max_fraction=1.0)
        assert leak.details.get("examples", []) == ([] if expected == 0 else leak.details["examples"])
        assert (leak.value > 0) == bool(expected), (case, leak.message)
        data_gate.duplicates(frame)
    ''')
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*test_dupes?int_and_float?*1 of 2 rows (50%) repeat an earlier row*",
                                 "*test_dupes?zero_signs?*1 of 2 rows (50%) repeat an earlier row*"],
                                consecutive=False)


def test_label_balance_classes_compare_by_value(pytester: pytest.Pytester) -> None:
    result = run_frames(pytester, '''
    def test_floats_for_integer_labels(data_gate):
        data_gate.label_balance(np.array([0, 1, 1, 0, 1]), classes=[0.0, 1.0, 2.0], min_fraction=0.0)

    def test_text_is_not_a_number(data_gate):
        data_gate.label_balance(np.array([0, 1, 1, 0]), classes=["0", "1"])

    def test_an_absent_class_counts(data_gate):
        data_gate.label_balance(np.array([0, 1, 1, 0]), classes=[0.0, 1.0, 2.0])
    ''')
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*GateError: y has classes not in classes=: 0, 1 (classes=[[]'0', '1'[]]; labels match by value, so 1 and 1.0 "
        "are one class but 1 and '1' are not)*",
        "*rarest class 2.0 is 0% of 4 labels, required at least 1%*",
    ], consecutive=False)


def test_a_column_named_twice_is_an_error(pytester: pytest.Pytester) -> None:
    result = run_frames(pytester, '''
    @pytest.mark.parametrize("call", ["drift", "missing", "duplicates", "binned_drift"])
    def test_twice(data_gate, call):
        if call == "drift":
            data_gate.drift(df, df, columns=["a", "a"])
        elif call == "missing":
            data_gate.missing(df, columns=["a", "c", "a"])
        elif call == "duplicates":
            data_gate.duplicates(df, subset=["c", "c"])
        else:
            data_gate.drift(data_gate.profile(df, bins=20), df, columns=["a", "a"])
    ''')
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(["*GateError: columns names 'a' more than once; name each column once*",
                                 "*GateError: subset names 'c' more than once*"], consecutive=False)


def test_hints_never_suggest_the_name_typed_and_name_the_keyword_a_disparity_takes(pytester: pytest.Pytester) -> None:
    result = run_frames(pytester, '''
    class Model:
        def predict(self, X):
            return X.iloc[:, 0].to_numpy()

    X = pd.DataFrame({"1": np.arange(10.0), "z": np.zeros(10)})
    y = np.arange(10) % 2

    def test_int_for_a_text_column(model_gate):
        model_gate.monotonic(Model(), X, feature=1)

    def test_disparity_as_a_model_metric(model_gate):
        model_gate.metrics(y=y, y_pred=y, min={"demographic_parity": 0.1})

    def test_disparity_as_a_group_metric(fairness_gate):
        fairness_gate.check(y=y, y_pred=y, sensitive_features=y, show=["demographic_parity"],
                            max_difference={"demographic_parity": 0.1})
    ''')
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "*feature 1 is not a column of X. There is the str '1', not the int 1. Columns: 1, z*",
        "*'demographic_parity' is a fairness disparity, not a metric of the model: gate it with "
        "fairness_gate.check(..., max_difference={'demographic_parity': 0.1})*",
        "*'demographic_parity' is a disparity, not a metric: show= takes per-group metrics (accuracy, *); "
        "give 'demographic_parity' its limit in max_difference= or min_ratio=*",
    ], consecutive=False)
    assert "Did you mean '1'" not in result.stdout.str()


def test_every_accepted_alpha_writes_baselines_the_next_run_reads(pytester: pytest.Pytester) -> None:
    folder = write(pytester)
    pytester.makeini("[pytest]\nmlgate_n_resamples = 200\nmlgate_alpha = 1e-13\n")
    pytester.runpytest("--mlgate-update-baselines").assert_outcomes(passed=1)
    stored = json.loads((folder / "test_scores.py__test_auc.json").read_text())
    assert 0 < stored["confidence"] < 1
    pytester.runpytest().assert_outcomes(passed=1)  # read back and compared
    pytester.makeini("[pytest]\nmlgate_alpha = 1e-17\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini key mlgate_alpha = 1e-17 is too small: 1 - 2 * alpha rounds to 1*"])
    pytester.makeini("[pytest]\n")
    write(pytester, body='''
from pytest_mlgate.gates.base import GateSettings

@pytest.mark.parametrize("kwargs", [dict(alpha=2), dict(alpha=float("nan")), dict(alpha=1e-17), dict(n_resamples=0),
                                    dict(alpha=0.49999999999999994)])
def test_settings(kwargs):
    GateSettings(**kwargs)
''')
    result = pytester.runpytest("--tb=line")
    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines(["*GateError: GateSettings(alpha=...) must be between 0 and 0.5, got 2*",
                                 "*GateError: GateSettings(alpha=...) must be between 0 and 0.5, got nan*",
                                 "*GateError: GateSettings(alpha=...) = 1e-17 is too small*",
                                 "*GateError: GateSettings(n_resamples=...) must be a positive integer, got 0*",
                                 "*GateError: GateSettings(alpha=...) = 0.49999999999999994 is too close to 0.5*"],
                                consecutive=False)
