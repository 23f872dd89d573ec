"""The direction of imports: planner has no import cycles and no web code; api and the CLI use public planner names.

Imports are read from the source (every ``import`` statement, also those inside functions, so a
lazy import cannot hide a cycle) and, for the web frameworks, checked again in a fresh process.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
WEB = {"fastapi", "starlette", "uvicorn", "api"}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(root: Path, package: str) -> dict[str, Path]:
    return {_module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}


def _imports(path: Path, module: str, known: set[str]) -> Iterator[tuple[str, str, int]]:
    """(imported module, imported name or "", line) of every import statement in a file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, "", node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in known:  # ``from . import _search`` imports a module
                    yield submodule, "", node.lineno
                else:
                    yield target, alias.name, node.lineno


def import_graph(root: Path, package: str) -> nx.DiGraph:
    """Modules of ``package`` under ``root`` and the imports between them."""
    modules = _modules(root, package)
    known = set(modules)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for module, path in modules.items():
        for target, _, line in _imports(path, module, known):
            if target in known and target != module:
                graph.add_edge(module, target, line=line)
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    return sorted(sorted(c) for c in nx.simple_cycles(graph))


def test_planner_has_no_import_cycle() -> None:
    found = cycles(import_graph(ROOT, "planner"))
    assert found == [], "import cycles in planner: " + "; ".join(" -> ".join(c) for c in found)


def test_the_cycle_check_finds_a_cycle_hidden_by_a_lazy_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import f\n")
    (package / "b.py").write_text("def f():\n    from .a import g\n    return g\n")
    (package / "c.py").write_text("from . import a\n")
    assert cycles(import_graph(tmp_path, "pkg")) == [["pkg.a", "pkg.b"]]


def test_planner_modules_use_no_private_name_of_another_module() -> None:
    modules = _modules(ROOT, "planner")
    known = set(modules)
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {target}.{name}"
        for module, path in modules.items()
        for target, name, line in _imports(path, module, known)
        if target.startswith("planner") and name.startswith("_") and not name.startswith("__")
    ]
    assert bad == []


@pytest.mark.parametrize("package", ["api", "corridor_cli"])
def test_api_and_cli_use_only_public_planner_names(package: str) -> None:
    bad = []
    for module, path in _modules(ROOT, package).items():
        for target, name, line in _imports(path, module, set()):
            if target.split(".")[0] != "planner":
                continue
            private_module = any(part.startswith("_") for part in target.split(".")[1:])
            if private_module or (name.startswith("_") and not name.startswith("__")):
                bad.append(f"{path.relative_to(ROOT)}:{line}: {target} {name}".rstrip())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "planner"
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: planner.{node.attr}")
    assert bad == []


@pytest.mark.parametrize("package", ["api", "corridor_cli"])
def test_api_and_cli_import_their_modules_directly(package: str) -> None:
    # Every module of the project is always installed: no importlib probes for "optional" ones.
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {target}"
        for module, path in _modules(ROOT, package).items()
        for target, _, line in _imports(path, module, set())
        if target == "importlib" or target.startswith("importlib.")
    ]
    for path in _modules(ROOT, package).values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: __import__")
    assert bad == []


def test_planner_source_imports_no_web_framework_and_reads_no_environment() -> None:
    bad = []
    for module, path in _modules(ROOT, "planner").items():
        for target, _, line in _imports(path, module, set()):
            if target.split(".")[0] in WEB:
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {target}")
        text = path.read_text(encoding="utf-8")
        for word in ("os.environ", "os.getenv"):
            if word in text:
                bad.append(f"{path.relative_to(ROOT)}: reads {word}")
    assert bad == []


def test_importing_every_planner_module_loads_no_web_framework() -> None:
    names = sorted(_modules(ROOT, "planner"))
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(WEB)!r})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == ""
