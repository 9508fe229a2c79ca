"""The layout holds: the core imports none of the rest, the adapter never imports the
actions, tests and benchmarks share only the harness, and every name one module imports
from another of ours is in that module's ``__all__``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("poradnyk", "bot", "store", "console", "actions", "nlu_components",
            "rasa_server", "harness", "bench", "tests")  # fmt: skip


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``from x import a, b`` and ``import x`` in a file."""
    out: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return out


def _importers(prefix: str) -> list[tuple[str, str]]:
    return [
        (name, module)
        for name, path in MODULES.items()
        if name == prefix or name.startswith(prefix + ".")
        for module, _ in _imports(path)
    ]


def _top(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("poradnyk", {"rasa", "rasa_sdk", "telegram", "django", "bot", "actions", "store",
                      "console", "nlu_components", "rasa_server", "harness", "tests", "bench"}),
        ("bot", {"actions", "rasa", "rasa_sdk", "nlu_components", "rasa_server", "tests",
                 "bench", "harness"}),
        ("store", {"bot", "actions", "rasa", "telegram", "tests", "bench"}),
        ("actions", {"bot", "telegram", "django", "store", "console", "tests", "bench"}),
        ("tests", {"bench"}),
        ("bench", {"tests"}),
        ("harness", {"tests", "bench"}),
    ],
)  # fmt: skip
def test_dependencies_point_one_way(package: str, forbidden: set[str]) -> None:
    wrong = [(who, what) for who, what in _importers(package) if _top(what) in forbidden]
    assert wrong == []


def _is_submodule(package: str, name: str) -> bool:
    return f"{package}.{name}" in MODULES


def test_every_name_imported_from_our_modules_is_exported() -> None:
    exports: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
                and isinstance(node.value, ast.List)
            ):
                exports[name] = {str(ast.literal_eval(e)) for e in node.value.elts}
    missing = [
        f"{who} imports {module}.{imported}"
        for who, path in MODULES.items()
        for module, names in _imports(path)
        if module in exports
        for imported in names
        if imported not in exports[module]
        and not (REPO / module.replace(".", "/") / imported).exists()
    ]
    assert missing == []
