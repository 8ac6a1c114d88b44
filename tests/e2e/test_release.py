"""What someone pinning or installing appchat-reconciler gets: the pin in the
examples is a commit that exists and whose hook works (pre-commit try-repo),
and the sdist and wheel build without a warning and pass `twine check
--strict`, with the licence, the metadata and a PyPI description whose links
lead somewhere."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PRE_COMMIT_EXAMPLE = ROOT / "examples" / "pre-commit-config.yaml"


def _pin() -> str:
    [repo] = yaml.safe_load(PRE_COMMIT_EXAMPLE.read_text(encoding="utf-8"))["repos"]
    return repo["rev"]


def _git(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_every_pin_is_one_commit_of_this_repository_with_the_hook():
    pin = _pin()
    assert re.fullmatch(r"[0-9a-f]{40}", pin), f"pin a commit (there is no release tag yet), not {pin!r}"
    places = [PRE_COMMIT_EXAMPLE, ROOT / ".pre-commit-hooks.yaml", ROOT / "docs" / "chat-files.md",
              ROOT / "CHANGELOG.md", ROOT / "docs" / "pipelines.md", ROOT / "examples" / "gitlab-ci.yml"]
    # The GitHub recipes that run the composite action (`uses: ./`) get appchat at the action's own
    # ref: they pin nothing themselves. The others pip-install the pin.
    for path in [*sorted((ROOT / "examples" / "github").glob("*.yml")), *sorted((ROOT / "examples" / "chat-report").glob("*.yml"))]:
        text = path.read_text(encoding="utf-8")
        if "uses: ./" in text:
            assert not re.findall(r"appchat-reconciler@[0-9a-f]{7,40}", text), path
        else:
            places.append(path)
    for path in places:
        text = path.read_text(encoding="utf-8")
        assert pin in text, f"{path.relative_to(ROOT)} does not pin {pin}"
        assert set(re.findall(r"(?:rev: |appchat-reconciler@)([0-9a-f]{40})", text)) <= {pin}, path
        # A tag may be named as what to pin once it exists, never pinned.
        assert not re.search(r"^\s*#?\s*(?:-\s*)?rev: v\d|github\.com/[^/\s]+/appchat-reconciler@v\d", text, flags=re.M), \
            f"{path.relative_to(ROOT)} pins a tag that does not exist"
    assert _git("cat-file", "-e", f"{pin}^{{commit}}").returncode == 0, f"{pin} is not a commit of this repository"
    hooks = _git("show", f"{pin}:.pre-commit-hooks.yaml")
    assert hooks.returncode == 0 and "id: appchat-validate" in hooks.stdout


GOOD = "chats:\n  team:\n    name: Team\n    owner: alice\n    members: [alice, bob]\n"
BAD = GOOD.replace("owner: alice", "owner: zed")


def _try_repo(chat_repo: Path, home: Path, *ref: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return subprocess.run([str(BIN / "pre-commit"), "try-repo", str(ROOT), "appchat-validate", *ref, "--all-files"],
                          cwd=chat_repo, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("ref", ["pinned commit", "working tree"])
def test_pre_commit_try_repo_passes_a_good_file_and_stops_a_bad_one(tmp_path, ref):
    """The way a user's repository runs the hook: pre-commit clones this
    repository (at the pin, or as it is now), installs it into its own
    virtualenv from the package index, and runs the hook on the chat files."""
    chat_repo = tmp_path / "chat-repo"
    (chat_repo / "chats").mkdir(parents=True)
    assert _git("init", "-q", cwd=chat_repo).returncode == 0
    (chat_repo / "chats" / "team.yaml").write_text(GOOD)
    _git("add", "-A", cwd=chat_repo)
    home = tmp_path / "pre-commit-home"
    refs = ("--ref", _pin()) if ref == "pinned commit" else ()

    good = _try_repo(chat_repo, home, *refs)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"appchat validate\.+Passed", good.stdout), good.stdout

    (chat_repo / "chats" / "team.yaml").write_text(BAD)
    _git("add", "-A", cwd=chat_repo)
    bad = _try_repo(chat_repo, home, *refs)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"appchat validate\.+Failed", bad.stdout)
    assert re.search(r"chats/team\.yaml:\d+:\d+: error: .*zed", bad.stdout), bad.stdout


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_sdist_and_wheel_build_without_warnings_and_pass_twine_check(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    build = subprocess.run([sys.executable, "-m", "build", "--outdir", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=600, env=env)
    assert build.returncode == 0, build.stdout + build.stderr
    log = build.stdout + build.stderr
    assert not re.search(r"warning|deprecat", log, flags=re.I), \
        [line for line in log.splitlines() if re.search(r"warning|deprecat", line, flags=re.I)]
    [sdist] = tmp_path.glob("*.tar.gz")
    [wheel] = tmp_path.glob("*.whl")
    check = subprocess.run([str(BIN / "twine"), "check", "--strict", str(sdist), str(wheel)],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and check.stdout.count("PASSED") == 2, check.stdout + check.stderr

    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"LICENSE", "README.md", "CHANGELOG.md", "pyproject.toml", "reconciler/data/chats.schema.json"} <= names
    assert not [n for n in names if n.startswith("tests/")], "tests without the files they use"

    with zipfile.ZipFile(wheel) as whl:
        meta_name = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        meta = whl.read(meta_name).decode()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in whl.namelist())
    assert "License-Expression: MIT" in meta and "Classifier: License ::" not in meta
    assert re.search(r"^Author: \S", meta, flags=re.M)
    for label in ("Homepage", "Documentation", "Source", "Issues", "Changelog"):
        assert re.search(rf"^Project-URL: {label}, https://", meta, flags=re.M), label
    assert "Programming Language :: Python :: 3.11" in meta
    description = meta.split("\n\n", 1)[1]
    links = re.findall(r"\]\(([^)\s]+)\)", description)
    assert links and all(re.match(r"https?://", link) for link in links), \
        [link for link in links if not re.match(r"https?://", link)]


def test_the_licence_is_the_one_the_metadata_names():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Permission is hereby granted, free of charge" in licence
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^license = "MIT"$', pyproject, flags=re.M)
    assert re.search(r'^license-files = \["LICENSE"\]$', pyproject, flags=re.M)


def test_the_changelog_keeps_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n") and "Keep a Changelog" in text
    versions = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.M)
    assert versions[0] == ("Unreleased", "")
    assert ("0.1.0", "2026-11-25") in versions
    # The version comes from git; the fallback (no .git, no PKG-INFO) is a
    # development release after every release the changelog names.
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^dynamic = \[.*"version".*\]$', pyproject, flags=re.M)
    fallback = re.search(r'^fallback_version = "(\d+)\.(\d+)\.(\d+)\.dev0"$', pyproject, flags=re.M)
    assert fallback, "setuptools-scm needs a fallback_version for archives without .git"
    released = [tuple(map(int, v.split("."))) for v, _ in versions if v != "Unreleased"]
    assert tuple(map(int, fallback.groups())) > max(released)
    for version, _ in versions:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, flags=re.M), f"no link for {version}"
    sections = re.findall(r"^### (.+)$", text, flags=re.M)
    assert set(sections) <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def _wheel_version(source: Path, out: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SETUPTOOLS_SCM_PRETEND_VERSION")}
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
                           capture_output=True, text=True, timeout=600, env=env)
    assert build.returncode == 0, build.stdout + build.stderr
    [wheel] = out.glob("*.whl")
    return wheel.name.split("-")[1]


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_version_comes_from_git_and_an_archive_gets_the_fallback(tmp_path):
    clone = tmp_path / "clone"
    assert _git("clone", "-q", "--no-local", str(ROOT), str(clone)).returncode == 0
    head = _git("rev-parse", "--short=7", "HEAD", cwd=clone).stdout.strip()
    version = _wheel_version(clone, tmp_path / "from-git")
    assert re.fullmatch(rf"\d+\.\d+\.\d+(\.dev\d+\+g{head}\w*)?", version), version
    assert version != "0.1.0", "every commit said 0.1.0 before the version came from git"

    archive = tmp_path / "archive"
    archive.mkdir()
    tar = subprocess.run(f"git -C {clone} archive HEAD | tar -x -C {archive}", shell=True, timeout=120)
    assert tar.returncode == 0 and not (archive / ".git").exists()
    fallback = re.search(r'^fallback_version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), flags=re.M)[1]
    assert _wheel_version(archive, tmp_path / "from-archive") == fallback


def _recipe_commands() -> list[list[str]]:
    from tests.e2e.test_recipes import all_commands

    recipes = [*sorted((ROOT / "examples" / "github").glob("*.yml")), *sorted((ROOT / "examples").glob("gitlab-ci*.yml")),
               *sorted((ROOT / "examples" / "chat-report").glob("*.yml"))]
    return [argv for path in recipes for _, argv in all_commands(path)]


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_pinned_commit_validates_our_chats_and_has_every_command_the_recipes_call(tmp_path):
    """What a repository that pins the documented commit gets: the tool at
    that commit, installed from a clone with full history as pip installs a
    `git+` pin, accepts this repository's own chat files (dept:, exclude, ...)
    and every command and flag the recipes run."""
    clone = tmp_path / "clone"
    assert _git("clone", "-q", "--no-local", str(ROOT), str(clone)).returncode == 0
    assert _git("checkout", "-q", _pin(), cwd=clone).returncode == 0
    venv = tmp_path / "venv"
    assert subprocess.run([sys.executable, "-m", "venv", str(venv)], timeout=300).returncode == 0
    py = venv / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(clone)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stdout + install.stderr
    validate = subprocess.run([str(venv / "bin" / "appchat"), "validate", str(ROOT / "chats")],
                              capture_output=True, text=True, timeout=120)
    assert validate.returncode == 0, validate.stderr
    check = ("import json, sys\nfrom reconciler.cli import build_parser\n"
             "for argv in json.load(sys.stdin): build_parser().parse_args(argv)\n")
    import json

    parsed = subprocess.run([str(py), "-c", check], input=json.dumps(_recipe_commands()),
                            capture_output=True, text=True, timeout=120)
    assert parsed.returncode == 0, parsed.stderr
