"""Issue #13 through pytest: baseline identity, unchanged rewrites, unused files, pairs under SIGKILL, safe
reads, report paths and text, statuses under -W error, and our own bugs shown as error rows."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
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


def test_unused_baselines_are_listed_after_a_whole_run_and_deleted_on_request(pytester: pytest.Pytester) -> None:
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
    other_file = folder / "test_other.py__test_x.json"  # belongs to a test file this run did not collect
    other_file.write_bytes(keep.read_bytes())

    narrowed = pytester.runpytest("-k", "auc")
    assert "no test used" not in narrowed.stdout.str()
    whole = pytester.runpytest()
    whole.stdout.fnmatch_lines(["mlgate: 1 baseline file(s) no test used*", f"mlgate: unused baseline: {stale}"])
    assert stale.exists()
    pytester.runpytest("--mlgate-delete-unused-baselines").stdout.fnmatch_lines([f"*deleted baseline: {stale}"])
    assert not stale.exists() and keep.exists() and other_file.exists()


# 4. one unit under SIGKILL -----------------------------------------------------------------------------------------


def test_sigkill_at_random_moments_leaves_a_consistent_pair(pytester: pytest.Pytester) -> None:
    from pytest_mlgate import baselines

    body = '''
import os
SHIFT = float(os.environ["SHIFT"])

def test_auc(baseline_gate):
    baseline_gate.compare(y=y, y_score=score + SHIFT * y, metrics="roc_auc", store_predictions=True)
'''
    folder = write(pytester, body=body)
    env = {**os.environ, "SHIFT": "0", "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--mlgate-update-baselines"]
    subprocess.run(command, cwd=pytester.path, env=env, capture_output=True, check=True)
    path = folder / "test_scores.py__test_auc.json"
    rng = random.Random(13)
    killed = 0
    for run in range(24):
        env["SHIFT"] = str(run % 3)
        process = subprocess.Popen(command, cwd=pytester.path, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 3.0))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
        process.wait()
        stored = baselines.read_baseline(path)  # loads, and its .npz is the one it names
        assert stored.predictions is not None
        baselines.read_predictions(path, stored.predictions)
    assert killed >= 12  # most runs were killed part-way (the rest finished: also a consistent pair)
    subprocess.run(command, cwd=pytester.path, env=env, capture_output=True, check=True)
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 2 and not any(n.endswith(".tmp") for n in left), left  # the next write cleaned up


def test_xdist_workers_updating_one_file_leave_one_valid_file(pytester: pytest.Pytester) -> None:
    """Names are injective, so only a gate with an explicit identity (a script's, or a shared helper's) lets
    several tests write one file: 4 workers doing it at once leave one valid pair."""
    folder = write(pytester, body='''
from pytest_mlgate.gates.base import GateSettings, Recorder
from pytest_mlgate.gates.baseline import BaselineGate

@pytest.mark.parametrize("worker", range(12))
def test_same(baseline_gate, worker):
    settings = baseline_gate.settings
    shared = BaselineGate(Recorder(identity="test_scores.py::shared", settings=settings))
    shared.compare(y=y, y_score=score + worker * y, metrics="roc_auc", store_predictions=True)
''')
    from pytest_mlgate import baselines

    result = pytester.runpytest("-n", "4", "-p", "no:benchmark", "--mlgate-update-baselines")
    result.assert_outcomes(passed=12)
    path = folder / "test_scores.py__shared.json"
    stored = baselines.read_baseline(path)
    assert stored.predictions is not None
    baselines.read_predictions(path, stored.predictions)
    assert sorted(p.suffix for p in folder.iterdir()) == [".json", ".npz"]  # one pair, no temp files


# 5. safe reads ------------------------------------------------------------------------------------------------------

BROKEN = ["fifo", "outside_link", "huge_int", "deep", "nul", "too_big", "npz_shape"]


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
                          ("npz_shape", "declares shape (1000000000000,)")]:
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
''')
    result = pytester.runpytest("--mlgate-report=r.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*pytest_mlgate/gates/base.py:*", "*KeyError*"])
    rows = json.loads((pytester.path / "r.json").read_text())["results"]
    assert [r["status"] for r in rows] == ["error"] and "internal error KeyError" in rows[0]["message"]


# 8. inputs validated where they enter (the part done in this branch: expect) ----------------------------------------


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
