"""The layering of ``geo`` as contracts: import-linter's (pyproject.toml) and no import cycles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

from .conftest import ROOT


def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--config", "pyproject.toml"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout and "5 kept" in proc.stdout


def _cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One import cycle among geo's modules (imports inside functions count), or None."""
    modules = sorted(graph.modules)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph.find_modules_directly_imported_by(m)):
            if state.get(n) == 1:
                return path[path.index(n) :] + [n]
            if n not in state and (found := visit(n)):
                return found
        path.pop()
        state[m] = 2
        return None

    for m in modules:
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycles():
    graph = grimp.build_graph("geo", cache_dir=None)
    # A package imports its own modules to re-export them; that is not a cycle of the layers.
    for package in [m for m in graph.modules if graph.find_children(m)]:
        for child in graph.find_modules_directly_imported_by(package):
            if child.startswith(package + "."):
                graph.remove_import(importer=package, imported=child)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_tools_are_imported_by_nothing_else():
    graph = grimp.build_graph("geo", cache_dir=None)
    tools = {m for m in graph.modules if m.startswith("geo.tools")} | {"geo.__main__"}
    for m in sorted(graph.modules - tools):
        assert not graph.find_modules_directly_imported_by(m) & tools, m


def test_every_exception_type_lives_in_errors():
    import importlib
    import inspect
    import pkgutil

    import geo

    outside = []
    for info in pkgutil.walk_packages(geo.__path__, "geo."):
        if info.name in ("geo.__main__", "geo.errors"):
            continue  # __main__ runs the command line on import
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                outside.append(f"{info.name}.{name}")
    assert outside == [], "define exception types in geo/errors.py: " + ", ".join(outside)
    assert len([c for c in vars(importlib.import_module("geo.errors")).values() if inspect.isclass(c)]) >= 12
