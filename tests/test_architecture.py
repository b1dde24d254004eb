"""The layering of docs/ARCHITECTURE.md, checked on the source: imports that say why, no cycles, and from each
URL the api module and then the one service module of the same name."""

import ast
import importlib
import importlib.util
import types
from collections import defaultdict
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = sorted(
    path for path in (ROOT / "apps").rglob("*.py") if not {"tests", "migrations"} & set(path.parts)
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PRODUCTION}


def _imports(tree: ast.Module):
    """Every import of the module, with whether it runs inside a function (or method)."""

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, in_function
            yield from walk(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    yield from walk(tree, False)


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The project modules an import reaches (`from apps.x import services` names the package `services`)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif node.level or not node.module:
        return []
    else:
        names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
    found = []
    for name in names:
        known = name
        while known and known not in MODULES:
            known = known.rpartition(".")[0]
        if known:
            found.append(known)
    return found[:1] if isinstance(node, ast.ImportFrom) else found


def _parsed():
    for name, path in MODULES.items():
        source = path.read_text()
        yield name, source.splitlines(), ast.parse(source)


def test_every_function_level_import_says_why():
    """A comment on the import's line or just above it: why it cannot sit at the top of the module."""
    silent = []
    for name, lines, tree in _parsed():
        for node, in_function in _imports(tree):
            if not in_function:
                continue
            line, above = lines[node.lineno - 1], lines[node.lineno - 2].strip()
            if "#" not in line and not above.startswith("#"):
                silent.append(f"{MODULES[name].relative_to(ROOT)}:{node.lineno}: {line.strip()}")
    assert silent == []


def _is_enqueue(source: str, target: str) -> bool:
    """A service importing its own app's tasks module to enqueue a task (which calls the service back)."""
    app = source.split(".")[1]
    return ".services" in source and target == f"apps.{app}.tasks"


def test_no_import_cycle():
    """Function-level imports count too. One upward import is allowed: a service enqueueing its own task."""
    graph = defaultdict(set)
    for name, _, tree in _parsed():
        for node, _in_function in _imports(tree):
            for target in _targets(node):
                if target != name and not _is_enqueue(name, target):
                    graph[name].add(target)
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def connect(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = set()
            while not component or node not in component:
                component.add(stack.pop())
            on_stack.difference_update(component)
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(MODULES):
        if node not in index:
            connect(node)
    assert cycles == []


LOWER = {"services", "selectors", "models", "tasks"}
WEB = {"apis", "urls", "serializers"}


def _parts(module: str) -> set[str]:
    return set(module.split("."))


def test_services_selectors_models_and_tasks_never_import_the_web_layer():
    upward = []
    for name, _, tree in _parsed():
        if not _parts(name) & LOWER or _parts(name) & WEB:
            continue
        for node, _in_function in _imports(tree):
            upward += [f"{name} -> {target}" for target in _targets(node) if _parts(target) & WEB]
    assert upward == []


def _views():
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                if view is not None and view.__module__.startswith("apps."):
                    yield pattern, view

    yield from walk(get_resolver().url_patterns)


def _services_used(api_module: str) -> set[str]:
    """Service modules of the same app that the api module calls (through a services package, too)."""
    app = api_module.split(".")[1]
    module = importlib.import_module(api_module)
    tree = ast.parse(MODULES[api_module].read_text())
    used = set()
    for node in tree.body:
        if not (isinstance(node, ast.ImportFrom) and f"{node.module}.".startswith(f"apps.{app}.")):
            continue
        for alias in node.names:
            local = alias.asname or alias.name
            value = getattr(module, local)
            if isinstance(value, types.ModuleType) and ".services" in value.__name__:
                # `from apps.bills import services`, then `services.bill_create(...)`
                for attribute in ast.walk(tree):
                    if isinstance(attribute, ast.Attribute) and getattr(attribute.value, "id", None) == local:
                        used.add(getattr(value, attribute.attr).__module__)
            elif ".services" in (node.module or ""):
                defined_in = getattr(value, "__module__", None) if callable(value) else None
                used.add(defined_in or node.module)
    return used


def test_each_url_leads_to_the_api_and_then_the_service_module_of_the_same_name():
    """urls -> apis/<name>.py -> services/<name>.py; an app with one apis.py counts as <name> = the app."""
    wrong = []
    for pattern, view in _views():
        api_module = view.__module__
        if api_module.endswith(".apis"):
            package, name = api_module.removesuffix(".apis"), api_module.split(".")[1]
        else:
            package, _, name = api_module.rpartition(".apis.")
        expected = f"{package}.services.{name}"
        used = _services_used(api_module)
        if importlib.util.find_spec(expected) is None or not used <= {expected}:
            wrong.append(f"{pattern.name}: {api_module} -> {sorted(used)} (expected {expected})")
    assert sorted(set(wrong)) == []
