"""Nothing in the project reads, writes or overrides a private name of whoosh's.

An earlier build grafted a codec and an evaluator onto 49 of whoosh3's private names: it pinned
the release exactly, and an upgrade could have broken it silently. This test keeps that from
coming back: it lists every underscore name whoosh defines or uses (functions, classes, methods,
attributes, module globals) and looks for them in our imports, in attribute reads and writes on
anything but our own `self`, and in the methods of our subclasses of whoosh's classes.
"""

import ast
from functools import cache
from pathlib import Path

import whoosh

ROOT = Path(__file__).resolve().parents[2]
OURS = [*ROOT.joinpath("tribune").rglob("*.py"), *ROOT.joinpath("bench").glob("*.py")]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@cache
def whoosh_private_names() -> frozenset[str]:
    names = set()
    for path in Path(whoosh.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = node.name
            elif isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                name = node.id
            else:
                continue
            if _private(name):
                names.add(name)
    return frozenset(names)


def _uses_whoosh(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.startswith("whoosh") for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            return True
    return False


def _touches(path: Path, private: frozenset[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            found += [f"imports {a.name}" for a in node.names if _private(a.name)]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in private
            and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        ):
            found.append(f"line {node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ClassDef) and _uses_whoosh(tree):
            # Our subclasses of whoosh's classes must not override its private methods.
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name in private:
                    found.append(f"line {item.lineno}: {node.name}.{item.name} overrides")
    return found


def test_whoosh_has_private_names_to_look_for():
    # The check is only worth something if it knows what to look for.
    assert len(whoosh_private_names()) > 500


def test_no_private_name_of_whoosh_is_touched():
    private = whoosh_private_names()
    touched = {}
    for path in OURS:
        found = _touches(path, private)
        if found:
            touched[str(path.relative_to(ROOT))] = found
    assert touched == {}
