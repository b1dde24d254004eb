"""Services and selectors stay free of the web layer: nothing they import, directly or through other apps.*
modules, imports Django REST framework. They raise domain errors (apps.common.exceptions); the one handler
(apps.common.exception_handler) alone knows DRF's exceptions and responses.

A test rather than a ruff rule: ruff's banned-api list is global (its per-file-ignores can only switch the
whole TID251 rule off elsewhere), it sees one file at a time, so an import through a helper module would
pass, and it reports no import chain. Reading the import statements (module level and inside functions) of
apps/ with `ast` needs no Django and takes well under a second.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
APPS = ROOT / "apps"

BANNED_MODULES = ("rest_framework",)
# simplejwt's tokens are the session-token library services use; these of its names are DRF exceptions.
BANNED_NAMES = {"rest_framework_simplejwt.exceptions": {"InvalidToken", "AuthenticationFailed"}}
LAYERS = ("services", "selectors")


def _module_file(module: str) -> Path | None:
    path = ROOT.joinpath(*module.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(module: str, path: Path):
    """(imported module, names or None, line) for every import statement in the file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            names = {alias.name for alias in node.names}
            yield base, names, node.lineno
            for name in names:  # `from apps.common import clock` imports the module apps.common.clock
                if _module_file(f"{base}.{name}"):
                    yield f"{base}.{name}", None, node.lineno


def _banned(module: str, names: set[str] | None) -> bool:
    if module.split(".")[0] in BANNED_MODULES:
        return True
    return bool(names and names & BANNED_NAMES.get(module, set()))


def _layer_modules() -> list[str]:
    found = set()
    for layer in LAYERS:
        for path in APPS.rglob(f"{layer}*"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            if path.is_file() and path.name == f"{layer}.py":
                found.add(_module_name(path))
            elif path.is_dir() and path.name == layer:
                found.update(_module_name(file) for file in path.rglob("*.py") if "tests" not in file.parts)
    return sorted(found)


def _web_imports(start: str) -> list[str]:
    """Each import of the web layer reachable from `start`, as the chain of modules that leads to it."""
    parent: dict[str, str | None] = {start: None}
    stack, found = [start], []
    while stack:
        module = stack.pop()
        path = _module_file(module)
        if path is None:
            continue
        for imported, names, line in _imports(module, path):
            if _banned(imported, names):
                chain, step = [f"{module}:{line}"], parent[module]
                while step is not None:
                    chain.append(step)
                    step = parent[step]
                found.append(f"{imported} <- " + " <- ".join(chain))
            elif imported.startswith("apps.") and imported not in parent:
                parent[imported] = module
                stack.append(imported)
    return found


def test_services_and_selectors_are_found():
    modules = _layer_modules()
    assert "apps.goals.services.goals" in modules
    assert "apps.households.selectors" in modules
    assert len(modules) > 20


def test_no_service_or_selector_reaches_rest_framework():
    offending = {module: chain for module in _layer_modules() if (chain := _web_imports(module))}
    assert offending == {}, "\n".join(f"{module}: {chains[0]}" for module, chains in offending.items())


def test_the_domain_errors_import_no_web_layer():
    assert _web_imports("apps.common.exceptions") == []
    assert _web_imports("apps.common.validation") == []


def test_the_check_sees_an_import_through_another_module_and_inside_a_function(tmp_path, monkeypatch):
    package = tmp_path / "apps" / "demo"
    (package / "services").mkdir(parents=True)
    for init in (tmp_path / "apps", package, package / "services"):
        (init / "__init__.py").write_text("")
    (package / "helpers.py").write_text("def f():\n    from rest_framework.exceptions import Throttled\n")
    (package / "services" / "things.py").write_text("from apps.demo import helpers\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert _web_imports("apps.demo.services.things") == [
        "rest_framework.exceptions <- apps.demo.helpers:2 <- apps.demo.services.things"
    ]
