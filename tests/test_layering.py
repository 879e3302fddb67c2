"""The layering holds: no import circles (not even through imports inside functions), no
module reads another app's private names, and the person's record has one loader."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "waymark"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _app(module: str) -> str:
    """The app a module belongs to: waymark.clinic.chart → waymark.clinic; top-level modules
    (waymark.access) are each their own."""
    return ".".join(module.split(".")[:2])


class _Imports(ast.NodeVisitor):
    """Every import in a module, at any depth, except those only for type checkers."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.found: list[tuple[str, str | None, int]] = []  # (module, name, line)

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found += [(alias.name, None, node.lineno) for alias in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.module.split(".")
            keep = len(parts) - node.level + (1 if self.is_package else 0)
            base = ".".join([*parts[:keep], *([base] if base else [])])
        self.found += [(base, alias.name, node.lineno) for alias in node.names]


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    path = MODULES[module]
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
    return visitor.found


def _edges(module: str) -> Iterator[str]:
    for target, name, _line in _imports(module):
        if name is not None and f"{target}.{name}" in MODULES:
            yield f"{target}.{name}"
        elif target in MODULES:
            yield target


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_import_circles_even_through_imports_inside_functions() -> None:
    graph = {module: set(_edges(module)) - {module} for module in MODULES}
    assert _cycles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_another_apps_private_names() -> None:
    crossing = [
        f"{MODULES[module].relative_to(ROOT)}:{line} imports {target}.{name}"
        for module in MODULES
        for target, name, line in _imports(module)
        if target.startswith("waymark.")
        and name is not None
        and name.startswith("_")
        and not name.startswith("__")
        and _app(target) != _app(module)
    ]
    assert crossing == []


def test_only_the_record_module_reads_check_in_rows_into_days() -> None:
    """One loader: a person's check-ins become the core's days in waymark.progress.record
    only (bulk readers such as the program report go through its `day_from_row`)."""
    readers = [
        module
        for module, path in MODULES.items()
        if "core.Day(" in path.read_text(encoding="utf-8")
        or "progress.Day(" in path.read_text(encoding="utf-8")
    ]
    assert readers == ["waymark.progress.record"]


def test_views_are_leaves_only_their_urlconf_imports_them() -> None:
    """Pages, API and jobs share services (actions, record, access), never another app's
    views module."""
    importers = [
        f"{module} imports {target}"
        for module in MODULES
        for target in _edges(module)
        if target.endswith(".views")
        and not module.endswith(".urls")
        and _app(module) != _app(target)
    ]
    assert importers == []
