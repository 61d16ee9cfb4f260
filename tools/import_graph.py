"""Print pytest_mlgate's own import graph (module -> modules it imports; lazy = inside a function) as Markdown, and
check it: no import cycle, and no arrow runs upward along plugin -> session -> reports -> gates -> stats -> results.

Run from the repository root: ``python tools/import_graph.py``; exits 1 when a check fails."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = "pytest_mlgate"
# higher imports lower; modules outside the named layers get the layer of what they are (see docs/architecture.md)
LAYERS = [
    ("plugin", ["plugin"]),
    ("session", ["session", "markers", "location"]),
    ("reports", ["reports"]),
    ("gates", ["gates", "baselines", "_files"]),
    ("engines", ["engines"]),
    ("stats", ["stats"]),
    ("results", ["results", "records", "_frames", "_validate", "_version"]),
]


def modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


TOP, LAZY, DYNAMIC, TYPING = "top", "lazy", "dynamic", "typing"  # strongest first


def imports(path: Path, known: dict[str, Path]) -> dict[str, str]:
    """Imported module -> how: ``top`` (module level), ``lazy`` (inside a function), ``dynamic`` (its name as a
    string, for importlib) or ``typing`` (under ``if TYPE_CHECKING:``, never run)."""
    found: dict[str, str] = {}
    order = [TOP, LAZY, DYNAMIC, TYPING]

    def add(name: str, how: str) -> None:
        if name in known and (name not in found or order.index(how) < order.index(found[name])):
            found[name] = how

    def visit(node: ast.AST, how: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = how
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and how == TOP:
                inner = LAZY
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inner = TYPING
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                add(child.value, DYNAMIC)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    add(alias.name, inner)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:  # `from pkg import submodule` imports the submodule
                    sub = f"{child.module}.{alias.name}"
                    add(sub if sub in known else child.module, inner)
            visit(child, inner)

    visit(ast.parse(path.read_text()), TOP)
    return found


def layer(module: str) -> int:
    first = module.split(".")[1] if "." in module else ""
    for rank, (_, names) in enumerate(LAYERS):
        if first in names:
            return rank
    return -1  # the package's __init__: the top


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    known = modules(root)
    graph = {m: imports(p, known) for m, p in known.items()}
    short = {m: m.removeprefix(PACKAGE + ".") or PACKAGE for m in known}
    print("| module | imports (lazy: inside a function; dynamic: by name, for importlib; typing: TYPE_CHECKING) |")
    print("|---|---|")
    for m, deps in graph.items():
        items = [short[d] + ("" if how == TOP else f" ({how})") for d, how in sorted(deps.items()) if d != m]
        print(f"| `{short[m]}` | {', '.join(items) or '-'} |")
    problems = []
    graph = {m: {d: how for d, how in deps.items() if how != TYPING} for m, deps in graph.items()}  # never run
    for m, deps in graph.items():
        for d in deps:
            if d != m and layer(d) < layer(m) and not d.startswith(m + "."):
                problems.append(f"upward: {short[m]} -> {short[d]}")
    # cycles, lazy imports included: a depth-first search over the whole graph
    state: dict[str, int] = {}

    def dfs(m: str, stack: list[str]) -> None:
        state[m] = 1
        for d in graph[m]:
            if d == m or d.startswith(m + "."):  # a package importing its own submodules is not a cycle
                continue
            if state.get(d) == 1:
                problems.append("cycle: " + " -> ".join(short[x] for x in [*stack[stack.index(d):], d]))
            elif d not in state:
                dfs(d, [*stack, d])
        state[m] = 2

    for m in graph:
        if m not in state:
            dfs(m, [m])
    print()
    print("Checks: " + ("; ".join(problems) if problems else
                        "no import cycle (lazy and dynamic imports included), no arrow runs upward along "
                        + " -> ".join(name for name, _ in LAYERS) + "."))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
