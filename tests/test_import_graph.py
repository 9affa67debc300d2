"""No module of the tribune package imports another that imports it back, and the layers hold.

The graph is read from the source with ast, so that an import inside a function (the way a
cycle usually hides) counts like one at the top of a module.
"""

import ast
import pkgutil
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import tribune

PACKAGE = Path(tribune.__file__).parent


def _modules():
    """Every module of the package: {dotted name: (path, whether it is a package)}."""
    modules = {"tribune": (PACKAGE / "__init__.py", True)}
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="tribune."):
        base = PACKAGE.joinpath(*info.name.split(".")[1:])
        path = base / "__init__.py" if info.ispkg else base.with_suffix(".py")
        modules[info.name] = (path, info.ispkg)
    return modules


def _trailing_imports(tree):
    """The module-level imports after a package's last other statement."""
    trailing = []
    for node in reversed(tree.body):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            break
        trailing.append(node)
    return trailing


def _targets(node, name, is_package, modules):
    """The tribune modules an import statement of module `name` loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in modules]
    if node.level:
        parts = name.split(".") if is_package else name.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join(parts + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base not in modules:
        return []
    # `from package import name`: the submodule when `name` is one, else the package itself.
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
        for alias in node.names
    ]


def import_graph():
    """{module: the tribune modules it imports}, function-level imports included."""
    modules = _modules()
    trees = {
        name: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, (path, _is_package) in modules.items()
    }
    # The blueprint pattern (microblog): a package's __init__ defines `bp` and then, at the very
    # bottom, imports its route modules so that they attach themselves to it; they import `bp`
    # back from the package. Python has bound the package and `bp` before that bottom import
    # runs, so the way back is safe and is not counted. The way there is: whoever imports the
    # package imports its route modules too, and a cycle through them is a cycle.
    completed_by = {
        target: name
        for name, (_path, is_package) in modules.items()
        if is_package
        for node in _trailing_imports(trees[name])
        for target in _targets(node, name, is_package, modules)
        if target.startswith(name + ".")
    }
    graph = {}
    for name, (_path, is_package) in modules.items():
        edges = set()
        for node in ast.walk(trees[name]):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, name, is_package, modules):
                if target != name and completed_by.get(name) != target:
                    edges.add(target)
        graph[name] = edges
    return graph


def test_the_graph_sees_function_level_imports():
    graph = import_graph()
    # create_app() imports the pieces it wires inside the function.
    assert "tribune.blueprints" in graph["tribune"]
    assert "tribune.moderation" in graph["tribune.blueprints"]


def test_no_module_imports_another_that_imports_it_back():
    try:
        tuple(TopologicalSorter(import_graph()).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def _imports_under(graph, layer, other):
    return {
        (name, target)
        for name, targets in graph.items()
        if name == layer or name.startswith(layer + ".")
        for target in targets
        if target == other or target.startswith(other + ".")
    }


def test_lower_layers_never_import_upper_ones():
    graph = import_graph()
    areas = {name for name in graph if name.count(".") == 1 and _is_blueprint_area(name)}
    # Models know tables only: the extensions, sqlalchemy and the pure text functions.
    for name, targets in graph.items():
        if name.startswith("tribune.models"):
            allowed = ("tribune.models", "tribune.extensions", "tribune.text")
            assert all(t.startswith(allowed) for t in targets), (name, targets)
    # Text is pure; fulltext sits below the services.
    for lower, upper in [
        ("tribune.models", "tribune.services"),
        ("tribune.models", "tribune.fulltext"),
        ("tribune.text", "tribune.models"),
        ("tribune.text", "tribune.services"),
        ("tribune.fulltext", "tribune.services"),
    ]:
        assert not _imports_under(graph, lower, upper), (lower, upper)
    # Services know nothing of pages: no blueprint area, no web module.
    for area in sorted(areas | {"tribune.web"}):
        assert not _imports_under(graph, "tribune.services", area), area


def _is_blueprint_area(name):
    path = PACKAGE.joinpath(*name.split(".")[1:])
    return (path / "views.py").exists()
