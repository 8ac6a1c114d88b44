"""The module map: which layer of the package may import which. A functional
core in an imperative shell, held by walking every import statement (those
inside functions too) with ast:

    core      pure: only core, and nothing that does I/O, reads a clock,
              starts threads or looks at the environment
    config    chat files -> desired chats: core and config
    render    every view: core and render
    wecom     the only code that speaks HTTP to WeCom: core and wecom
    app       orchestration: everything above
    cli       argument parsing and exit codes: anything
    emulator  its own world: only the WeCom facts, core.facts and
              core.userids (how WeCom tells users apart); it referees the
              client, so it must not share its code

and nothing but wecom imports requests.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO

PACKAGE = REPO / "reconciler"

ALLOWED = {
    "core": {"core"},
    "config": {"core", "config"},
    "render": {"core", "render"},
    "wecom": {"core", "wecom"},
    "app": {"core", "config", "render", "wecom", "app"},
    "cli": {"core", "config", "render", "wecom", "app", "cli", "emulator", "__init__"},
    "emulator": {"emulator", "core.facts", "core.userids"},
}
# What a pure module must not touch: I/O, clocks, threads, randomness, the environment.
IMPURE = {"os", "sys", "io", "socket", "subprocess", "threading", "concurrent", "multiprocessing", "time",
          "random", "secrets", "tempfile", "shutil", "signal", "pathlib", "logging", "sqlite3", "http",
          "urllib", "urllib3", "requests", "importlib"}
HTTP_CLIENTS = {"requests", "urllib3"}
PACKAGES = {"reconciler", *(f"reconciler.{p.parent.name}" for p in (REPO / "reconciler").glob("*/__init__.py"))}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file."""
    here = _name(path)
    package = here if _is_package(path) else here.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module in PACKAGES:  # `from reconciler import config` imports reconciler.config
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def layer(module: str) -> str | None:
    """The layer a reconciler module belongs to: core, config, ... or None."""
    parts = module.split(".")
    if parts[0] != "reconciler":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _allowed(source: str, target: str) -> bool:
    if layer(target) is None:
        return True
    rest = target.split(".", 1)[1] if "." in target else "__init__"
    if rest in ("__version__",):
        return True
    return any(rest == allowed or rest.startswith(allowed + ".") for allowed in ALLOWED[source])


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_each_module_imports_only_what_its_layer_may(path):
    source = layer(_name(path))
    if source in (None, "__init__", "__main__"):
        # ... and the version file setuptools-scm writes at build time (pyproject.toml).
        assert all(layer(t) in (None, "cli", "__init__", "_version") for _, t in imports(path)), \
            "the package's face imports the cli only"
        return
    wrong = [f"line {line}: {target}" for line, target in imports(path) if not _allowed(source, target)]
    assert not wrong, f"{source} may import only {sorted(ALLOWED[source])}: {wrong}"


@pytest.mark.parametrize("path", [p for p in _modules() if layer(_name(p)) == "core"],
                         ids=lambda p: p.name)
def test_the_core_does_no_io_and_reads_no_clock(path):
    wrong = [f"line {line}: {target}" for line, target in imports(path) if target.split(".")[0] in IMPURE]
    assert not wrong, f"core must stay pure: {wrong}"
    text = path.read_text(encoding="utf-8")
    for clock in (".now(", ".today(", "time.time(", "os.environ", "open("):
        assert clock not in text, f"{path.name} reads a clock or the outside world: {clock}"


def test_only_the_wecom_package_imports_an_http_client():
    wrong = [f"{path.relative_to(REPO)}:{line}: {target}" for path in _modules()
             for line, target in imports(path)
             if target.split(".")[0] in HTTP_CLIENTS and layer(_name(path)) != "wecom"]
    assert not wrong


def test_the_checker_sees_a_forbidden_import(tmp_path):
    # The test must be able to fail: a render module reaching into app is caught.
    fake = PACKAGE / "render" / "planwords.py"
    lines = imports(fake)
    assert all(_allowed("render", t) for _, t in lines)
    assert not _allowed("render", "reconciler.app.session")
    assert not _allowed("emulator", "reconciler.core.plan") and _allowed("emulator", "reconciler.core.facts")
    assert _allowed("emulator", "reconciler.core.userids") and not _allowed("emulator", "reconciler.core.members")
    assert not _allowed("core", "reconciler.wecom.errors")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 320, f"{path.relative_to(REPO)} has {lines} lines: is it still one job?"


def _private_imports(text: str) -> list[str]:
    return [f"line {node.lineno}: {alias.name}" for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.ImportFrom) for alias in node.names
            if alias.name.startswith("_") and not alias.name.startswith("__")]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_imports_another_modules_private_name(path):
    """A private name stays in its module: a seam the line cap made (issue 21,
    item 10) is a public name or one module, never `from x import _Converter`."""
    assert not _private_imports(path.read_text(encoding="utf-8"))


def test_the_private_import_check_sees_one():
    assert _private_imports("from reconciler.config.yamldata import _Converter, at\n") == ["line 1: _Converter"]
    assert _private_imports("from __future__ import annotations\n") == []
