"""The code's layout keeps the promises README's "Layout" makes: concerns in packages, small
modules, and no import cycles, so a newcomer can read the architecture from the file tree."""

from __future__ import annotations

import ast
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "web")
MAX_TOP_LEVEL_MODULES = 12
MAX_MEDIAN_LINES = 200
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    """Dotted name → file of every Python module of the product (migration scripts excluded)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _runtime_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The product modules `name` imports when it runs: at module level or inside functions, but
    not under `if TYPE_CHECKING:`. Importing `a.b.c` also runs the face of `a.b` (not of a root
    package, whose face imports everything by design, nor of the module's own packages, which
    Python has imported before the module itself)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for orelse in child.orelse:
                    visit(orelse)
                continue
            if isinstance(child, ast.Import):
                targets.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                targets.add(source)
                targets.update(f"{source}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    closed = set()
    for target in targets:
        parts = target.split(".")
        for end in range(2, len(parts) + 1):  # the faces of subpackages on the way, then the module
            closed.add(".".join(parts[:end]))
    own = {".".join(name.split(".")[:end]) for end in range(1, name.count(".") + 1)}
    return {t for t in closed if t in modules and t != name and t not in own}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    modules = _modules()
    graph = {name: _runtime_imports(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == []


def _package(name: str) -> str:
    """The concern a module belongs to: `engine.runtime.service` → `engine.runtime`."""
    return ".".join(name.split(".")[:2]) if name.startswith("engine.") else name.split(".")[0]


def test_no_package_imports_a_package_that_imports_it_back() -> None:
    # The layers of README's "Layout": a concern depends only on the concerns below it.
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {_package(t) for t in _runtime_imports(name, path, modules)}
        graph.setdefault(_package(name), set()).update(targets - {_package(name)})
    for targets in list(graph.values()):
        for target in targets:
            graph.setdefault(target, set())
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    # The check above is only worth something if it can fail.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_a_late_import_counts_and_a_type_checking_import_does_not(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from engine.runtime.service import RuntimeService\n"
        "def f():\n    from engine.store import models\n"
    )
    modules = _modules()
    imported = _runtime_imports("engine.somewhere", module, modules)
    assert "engine.store.models" in imported and "engine.store" in imported
    assert "engine.runtime.service" not in imported


def test_the_engine_keeps_its_concerns_in_packages() -> None:
    own = sorted(p.name for p in (ROOT / "engine").glob("*.py"))
    assert len(own) <= MAX_TOP_LEVEL_MODULES, own
    for package in (p for p in (ROOT / "engine").iterdir() if (p / "__init__.py").is_file()):
        face = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
        assert ast.get_docstring(face), f"{package.name}/__init__.py says what the package is for"
        code = [n for n in face.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not code, f"{package.name}/__init__.py is a face; its code belongs in modules: {code}"


def test_modules_stay_small() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    too_long = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert too_long == {}
    assert statistics.median(sizes.values()) <= MAX_MEDIAN_LINES
