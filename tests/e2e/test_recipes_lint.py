"""The recipes lint clean with the linters `make lint` runs (installed into
the venv from requirements-tools.txt by `make venv`), and those linters
really look: each one fails on a recipe broken the way it should catch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GITHUB = sorted(str(p) for p in [*(ROOT / "examples" / "github").glob("*.yml"), *(ROOT / "examples" / "chat-report").glob("*.yml")])
GITLAB = str(ROOT / "examples" / "gitlab-ci.yml")
GITLAB_EXTRA = str(ROOT / "examples" / "gitlab-ci-expiring.yml")  # a job to include
GITLAB_RECONCILE = str(ROOT / "examples" / "gitlab-ci-reconcile.yml")  # jobs to include
TEMPLATES = sorted(str(p) for p in (ROOT / "templates").glob("*.gitlab-ci.yml"))


def _tool(name: str) -> str:
    path = BIN / name
    assert path.is_file(), f"{name} is not in {BIN}: run `make venv` (requirements-tools.txt installs it)"
    return str(path)


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    # actionlint runs shellcheck on run: steps when it finds it on PATH.
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(argv, capture_output=True, text=True, timeout=180, env=env, cwd=ROOT)


LINTERS = {
    "actionlint": lambda files: [_tool("actionlint"), *files],
    "check-jsonschema github": lambda files: [_tool("check-jsonschema"), "--builtin-schema",
                                              "vendor.github-workflows", *files],
    "zizmor": lambda files: [_tool("zizmor"), "--offline", "--no-progress", *files],
}


@pytest.mark.parametrize("linter", sorted(LINTERS))
def test_github_recipes_lint_clean(linter):
    result = _run(LINTERS[linter](GITHUB))
    assert result.returncode == 0, result.stdout + result.stderr


def _gitlab_schema(tmp_path, files: list[str]) -> subprocess.CompletedProcess:
    """GitLab's schema on each document (a template's `spec:` header, then its jobs), as `make lint` runs it."""
    out = tmp_path / "gitlab"
    split = _run([sys.executable, str(ROOT / "scripts" / "gitlab_config.py"), str(out), *files])
    assert split.returncode == 0, split.stderr
    return _run([_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", *sorted(map(str, out.iterdir()))])


def test_gitlab_recipe_and_templates_lint_clean(tmp_path):
    assert len(TEMPLATES) == 2
    schema = _gitlab_schema(tmp_path, [GITLAB, GITLAB_EXTRA, GITLAB_RECONCILE, *TEMPLATES])
    assert schema.returncode == 0, schema.stdout + schema.stderr
    assert schema.stdout.count("ok -- validation done") == 1 and len(list((tmp_path / "gitlab").iterdir())) == 7
    _tool("shellcheck")
    shell = _run([sys.executable, str(ROOT / "scripts" / "shellcheck_gitlab.py"), GITLAB, GITLAB_EXTRA, GITLAB_RECONCILE,
                  *TEMPLATES])
    assert shell.returncode == 0, shell.stdout + shell.stderr


def test_the_template_lint_sees_the_jobs_behind_the_header(tmp_path):
    template = (ROOT / "templates" / "appchat.gitlab-ci.yml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.gitlab-ci.yml"
    broken.write_text(template.replace("  interruptible: false               # never cancelled half-way by a newer pipeline",
                                     "  interruptible: sometimes", 1))
    assert _gitlab_schema(tmp_path, [str(broken)]).returncode == 1
    unquoted = '- appchat plan ${paths[@]} --detailed-exitcode || rc=$?'
    broken.write_text(template.replace('- appchat plan "${paths[@]}" --detailed-exitcode || rc=$?', unquoted, 1))
    shell = _run([sys.executable, str(ROOT / "scripts" / "shellcheck_gitlab.py"), str(broken)])
    assert shell.returncode == 1 and "job appchat-drift" in shell.stdout and "SC2068" in shell.stdout


BROKEN_STEP = """\
      - name: Broken on purpose
        run: echo ${{ github.event.pull_request.title }} $UNQUOTED
"""


def test_the_linters_catch_what_they_are_for(tmp_path):
    plan = (ROOT / "examples" / "github" / "appchat-plan.yml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yml"
    pin = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1"
    broken.write_text(plan.replace(pin, "actions/checkout@v7").replace("    steps:\n", "    steps:\n" + BROKEN_STEP, 1))
    actionlint = _run(LINTERS["actionlint"]([str(broken)]))
    assert actionlint.returncode == 1
    assert "shellcheck reported issue" in actionlint.stdout and "SC2086" in actionlint.stdout
    assert "github.event.pull_request.title" in actionlint.stdout        # script injection
    zizmor = _run(LINTERS["zizmor"]([str(broken)]))
    assert zizmor.returncode != 0 and "unpinned-uses" in zizmor.stdout + zizmor.stderr

    schema = tmp_path / "broken-schema.yml"
    schema.write_text(plan.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout: 5", 1))
    assert _run(LINTERS["check-jsonschema github"]([str(schema)])).returncode == 1

    gitlab = tmp_path / "gitlab-ci.yml"
    gitlab.write_text("plan:\n  script:\n    - echo $SOME_DIR\n")
    shell = _run([sys.executable, str(ROOT / "scripts" / "shellcheck_gitlab.py"), str(gitlab)])
    assert shell.returncode == 1 and "SC2086" in shell.stdout
    gitlab.write_text("plan:\n  script:\n    - echo hello\n  when: sometimes\n")
    assert _run([_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(gitlab)]).returncode == 1


def test_the_composite_action_lints_clean(tmp_path):
    action = str(ROOT / "action.yml")
    schema = _run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", action])
    assert schema.returncode == 0, schema.stdout + schema.stderr
    zizmor = _run([_tool("zizmor"), "--offline", "--no-progress", action])
    assert zizmor.returncode == 0, zizmor.stdout + zizmor.stderr
    import yaml

    # actionlint does not read action metadata: shellcheck each run: step (expressions only in env:).
    for i, step in enumerate(s for s in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"] if "run" in s):
        script = tmp_path / f"step{i}.sh"
        script.write_text("#!/bin/bash\n" + step["run"])
        shell = _run([_tool("shellcheck"), str(script)])
        assert shell.returncode == 0, shell.stdout + shell.stderr
    for path in sorted((ROOT / "action").glob("*.sh")):  # the scripts its steps run (action/ledger.sh)
        shell = _run([_tool("shellcheck"), "--severity=style", str(path)])
        assert shell.returncode == 0, shell.stdout + shell.stderr
