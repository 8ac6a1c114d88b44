"""The pipeline recipes in examples/ and the pre-commit hook work as written:
they parse, call only commands and flags the CLI really has, agree with each
other on file and artifact names, and their shell steps turn exit codes into
the job results docs/pipelines.md promises."""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from reconciler.cli import build_parser
from tests.e2e.pipeline_runner import gitlab_config

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
GITHUB = sorted((EXAMPLES / "github").glob("*.yml")) + sorted((EXAMPLES / "chat-report").glob("*.yml"))
GITLAB = EXAMPLES / "gitlab-ci.yml"
TEMPLATE = ROOT / "templates" / "appchat.gitlab-ci.yml"
WORKFLOWS = GITHUB + [GITLAB, EXAMPLES / "gitlab-ci-expiring.yml"]
ACTION = ROOT / "action.yml"

# Words after which a new shell command starts.
_CMD_START = {";", "&&", "||", "|", "&", "(", ")", "{", "!", "if", "then", "else", "elif", "do", "while", "until"}
_CMD_END = {";", "&&", "||", "|", "&", ")", "}", ";;"}
_REDIRECT = re.compile(r"^[<>&|]*[<>][<>&|]*$")


def _load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _is_github(doc) -> bool:
    return isinstance(doc, dict) and "jobs" in doc


def action_scripts(command: str | None = None) -> list[tuple[str, str]]:
    """(where, script) for the composite action's `run:` steps (those of one
    command when given), but the one that runs the appchat command its
    inputs build (test_action.py runs that one)."""
    found = []
    for i, step in enumerate(_load(ACTION)["runs"]["steps"]):
        if "run" in step and step.get("id") != "run":
            cond = str(step.get("if", ""))
            if command is None or "inputs.command ==" not in cond or f"inputs.command == '{command}'" in cond:
                found.append((f"action.yml/{step.get('name', i)}", step["run"]))
    return found


def shell_scripts(path: Path) -> list[tuple[str, str]]:
    """(where, script) for every shell script in a workflow file: GitHub `run:`
    steps (not github-script's JavaScript) and those of the composite action
    (`uses: ./`) for the command a step runs, GitLab script lists."""
    doc = _load(path)
    found: list[tuple[str, str]] = []
    if _is_github(doc):
        for job_name, job in doc["jobs"].items():
            for i, step in enumerate(job.get("steps", [])):
                if "run" in step:
                    found.append((f"{job_name}/{step.get('name', i)}", step["run"]))
                if step.get("uses") == "./":
                    found += [(f"{job_name}/{where}", script) for where, script in action_scripts(step["with"]["command"])]
        return found
    for job_name, job in gitlab_config(path).items():      # includes and templates as GitLab reads them
        if not isinstance(job, dict):
            continue
        for key in ("before_script", "script", "after_script"):
            lines = job.get(key)
            if lines:
                lines = [lines] if isinstance(lines, str) else lines
                # GitLab runs a job's lines as one shell script.
                found.append((f"{job_name}/{key}", "\n".join(lines)))
    return found


def strip_heredocs(script: str) -> tuple[str, list[str]]:
    """The script without here-document bodies, and the bodies."""
    out, bodies = [], []
    lines = iter(script.splitlines())
    for line in lines:
        out.append(line)
        m = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", line)
        if m:
            body = []
            for inner in lines:
                if inner.strip() == m.group(1):
                    break
                body.append(inner)
            bodies.append("\n".join(body))
    return "\n".join(out), bodies


def _expand(text: str) -> str:
    """Replace expressions and variables by a dummy word, as a shell would
    replace them by values."""
    text = re.sub(r"\$\{\{.*?\}\}", "DUMMY", text)
    text = re.sub(r"\$\{[^}]*\}|\$\w+|\$\?", "DUMMY", text)
    return text


def appchat_commands(script: str) -> list[list[str]]:
    """Every `appchat ...` command in a shell script, as argv after `appchat`."""
    script, _ = strip_heredocs(script)
    script = _expand(script.replace("\\\n", " "))
    commands = []
    for line in script.splitlines():
        if line.lstrip().startswith("#"):
            continue
        lex = shlex.shlex(line, posix=True, punctuation_chars=True)
        lex.whitespace_split = True
        lex.commenters = "#"
        tokens = list(lex)
        at_start, i = True, 0
        while i < len(tokens):
            tok = tokens[i]
            if at_start and re.match(r"^\w+=", tok):          # FOO=bar appchat ...
                i += 1
                continue
            if at_start and tok == "appchat":
                argv, i = [], i + 1
                while i < len(tokens) and tokens[i] not in _CMD_END:
                    if _REDIRECT.match(tokens[i]):
                        if argv and argv[-1].isdigit():            # 2>&1: the 2 is no argument
                            argv.pop()
                        i += 2
                        continue
                    argv.append(tokens[i])
                    i += 1
                commands.append(argv)
                at_start = False
                continue
            at_start = tok in _CMD_START
            i += 1
    return commands


def all_commands(path: Path) -> list[tuple[str, list[str]]]:
    return [(where, argv) for where, script in shell_scripts(path) for argv in appchat_commands(script)]


# -- the extractor itself --------------------------------------------------

def test_extractor_finds_commands_in_shell_forms():
    script = """\
rc=0
appchat plan chats/ --format markdown \\
  --out "$PLAN" > plan.md 2>&1 || rc=$?
if ! appchat validate ${{ inputs.dir }}; then echo no; fi
FOO=1 appchat who alice; echo appchat is not a command here
python - <<'PY'
appchat = "inside a here-document"
PY
"""
    assert appchat_commands(script) == [
        ["plan", "chats/", "--format", "markdown", "--out", "DUMMY"],
        ["validate", "DUMMY"],
        ["who", "alice"],
    ]


# -- workflows ---------------------------------------------------------------

def test_example_files_exist():
    names = {p.name for p in GITHUB}
    assert {"appchat-plan.yml", "appchat-apply.yml", "appchat-drift.yml"} <= names
    assert GITLAB.is_file()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_parses_and_calls_only_real_commands(path):
    doc = _load(path)
    assert isinstance(doc, dict)
    commands = all_commands(path)
    assert commands, f"{path.name}: no appchat command found"
    parser = build_parser()
    for where, argv in commands:
        try:
            args = parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"{path.name} {where}: `appchat {shlex.join(argv)}` does not parse")
        assert args.command == argv[0]


@pytest.mark.parametrize("path", GITHUB, ids=lambda p: p.name)
def test_github_workflow_shape(path):
    doc = _load(path)
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    assert True in doc or "on" in doc
    # No token reaches a job that does not ask for it: every job names its own permissions.
    assert doc["permissions"] == {}
    text = path.read_text(encoding="utf-8")
    for job in doc["jobs"].values():
        assert "runs-on" in job and "permissions" in job
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if step.get("uses") == "./":
                # This repository's action; a copy elsewhere pins it as OWNER/appchat-reconciler@COMMIT.
                assert "OWNER/appchat-reconciler@COMMIT" in text
            elif "uses" in step:
                # Pinned by commit, with the release it is named after beside it.
                assert re.match(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$", step["uses"]), step["uses"]
                assert re.search(rf"{re.escape(step['uses'])} # v\d+\.\d+\.\d+$", text, flags=re.M), step["uses"]
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
    # Credentials come from repository secrets, never from the files; a
    # workflow that never talks to WeCom (the expiring reminder) has none.
    online = {"plan", "apply", "import", "send"}
    if any(argv and argv[0] in online for _, argv in all_commands(path)):
        for var in ("WECOM_CORP_ID", "WECOM_CORP_SECRET"):
            assert f"{var}: ${{{{ secrets.{var} }}}}" in text
    else:
        assert "WECOM_CORP_SECRET" not in text


def test_every_recipe_pins_the_same_actions():
    pins: dict[str, set[str]] = {}
    for path in [*GITHUB, ACTION]:
        for action, sha in re.findall(r"uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40})", path.read_text(encoding="utf-8")):
            pins.setdefault(action, set()).add(sha)
    assert pins and all(len(shas) == 1 for shas in pins.values()), pins


def _step(doc, name_part: str) -> dict:
    for job in doc["jobs"].values():
        for step in job["steps"]:
            if name_part in str(step.get("name", "")) or name_part in str(step.get("uses", "")):
                return step
    raise AssertionError(f"no step {name_part!r}")


def _action_step(name: str) -> dict:
    return next(s for s in _load(ACTION)["runs"]["steps"] if s.get("name") == name)


def test_pull_request_plan_comment_and_artifact_agree_with_apply():
    plan_wf = _load(EXAMPLES / "github" / "appchat-plan.yml")
    apply_wf = _load(EXAMPLES / "github" / "appchat-apply.yml")
    assert "pull_request" in plan_wf[True]
    assert apply_wf[True]["push"]["branches"] == ["main"]
    assert _step(plan_wf, "./")["with"]["command"] == "pull-request"
    assert _step(apply_wf, "Apply the reviewed plan")["with"]["command"] == "merged"
    # The plan is made from the merge result as it is when the job runs (a re-run fetches it again).
    checkout = _step(plan_wf, "actions/checkout")
    assert checkout["with"]["ref"] == "refs/pull/${{ github.event.pull_request.number }}/merge"

    plans = [argv for _, argv in all_commands(EXAMPLES / "github" / "appchat-plan.yml") if argv[0] == "plan"]
    args = build_parser().parse_args(plans[0])
    assert args.format == "markdown" and args.out

    comment = _action_step("Post or update the plan comment")
    assert "<!-- appchat-plan -->" in comment["with"]["script"]
    assert "updateComment" in comment["with"]["script"] and "createComment" in comment["with"]["script"]
    assert plan_wf["jobs"]["plan"]["permissions"]["pull-requests"] == "write"

    upload = _action_step("Keep the saved plan for the merge")
    assert upload["with"]["path"] == args.out
    assert upload["with"]["overwrite"] is True, "a re-run of the plan job must replace its artifact, not fail with 409"
    download = _action_step("Download the reviewed plan")
    assert download["with"]["name"] == upload["with"]["name"]
    assert apply_wf["jobs"]["apply"]["permissions"]["actions"] == "read"
    finder = _action_step("Find the reviewed plan")["with"]["script"]
    assert f"artifactName = '{upload['with']['name']}'" in finder

    applies = [build_parser().parse_args(argv) for _, argv in all_commands(EXAMPLES / "github" / "appchat-apply.yml")
               if argv[0] == "apply"]
    assert applies and all(a.plan_file == args.out for a in applies), "apply must use the reviewed plan file"
    assert all(a.paths == ["DUMMY"] for a in applies), "the plan is applied only to the checked-out files"
    # The apply workflow finds the plan workflow's runs by its file name.
    load = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert load["inputs"]["plan-workflow"]["default"] == "appchat-plan.yml"
    assert "workflow_id: workflow" in finder and "PLAN_WORKFLOW: workflow" in finder
    assert apply_wf["concurrency"]["cancel-in-progress"] is False


def test_drift_workflow_uses_detailed_exitcode_on_a_schedule():
    doc = _load(EXAMPLES / "github" / "appchat-drift.yml")
    assert doc[True]["schedule"][0]["cron"]
    plans = [build_parser().parse_args(argv) for _, argv in all_commands(EXAMPLES / "github" / "appchat-drift.yml")]
    assert any(a.command == "plan" and a.detailed_exitcode for a in plans)


def test_gitlab_pipeline_shape():
    doc = gitlab_config(GITLAB)
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    assert {"appchat-validate", "appchat-plan", "appchat-apply", "appchat-replan-plan", "appchat-replan-apply",
            "appchat-drift"} <= set(jobs)
    for job in jobs.values():
        assert job.get("stage") in doc["stages"]
    assert "plan.json" in jobs["appchat-plan"]["artifacts"]["paths"]
    assert jobs["appchat-validate"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert jobs["appchat-validate"]["artifacts"]["when"] == "always", "the report matters most when validate fails"
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "<!-- appchat-plan -->" in text and "<!-- appchat-apply -->" in text
    assert '["name"] == "appchat-plan"' in text           # apply fetches the plan job's artifact by name
    plans = [build_parser().parse_args(argv) for where, argv in all_commands(GITLAB)
             if where.startswith("appchat-plan/") and argv[0] == "plan"]
    assert plans[0].out == "plan.json" and plans[0].format == "markdown"
    applies = [build_parser().parse_args(argv) for where, argv in all_commands(GITLAB) if where.startswith("appchat-apply/")]
    assert any(a.plan_file == "plan.json" and a.paths == ["DUMMY"] for a in applies)
    # The example is the template's inputs, no copy of its jobs.
    assert set(_load(GITLAB)) == {"stages", "include", "variables"}
    assert _load(GITLAB)["variables"] == {"APPCHAT_PIP_SPEC": _load(GITLAB)["include"][0]["inputs"]["pip-spec"]}


def test_gitlab_inline_python_compiles():
    compiled = 0
    for where, script in shell_scripts(GITLAB):
        _, bodies = strip_heredocs(script)
        for body in bodies:
            compile(body, f"{GITLAB.name}:{where}", "exec")
            compiled += 1
    assert compiled >= 2, "the GitLab recipe's inline Python was not found: this test would check nothing"


# -- the shell steps really map exit codes to job results --------------------

def _fake_appchat(tmp_path: Path, exit_code: int) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "appchat"
    fake.write_text(f"#!/bin/sh\necho 'fake plan output'\nexit {exit_code}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               GITHUB_OUTPUT=str(tmp_path / "output"), GITHUB_STEP_SUMMARY=str(tmp_path / "summary"),
               CI_DEFAULT_BRANCH="main", CHAT_PATHS="chats/")
    return env


def _run_script(script: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    # GitHub's default shell for run steps: bash -e -o pipefail; GitLab's is similar.
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def _github_run(step_name: str) -> str:
    return _action_step(step_name)["run"]


@pytest.mark.parametrize("code, job_fails, phrase", [(0, False, "no drift"), (2, True, "drifted"),
                                                     (1, True, "failed")])
def test_github_drift_step_fails_visibly_on_drift(tmp_path, code, job_fails, phrase):
    result = _run_script(_github_run("Compare WeCom with the default branch"), _fake_appchat(tmp_path, code), tmp_path)
    assert (result.returncode != 0) == job_fails
    assert phrase in result.stdout
    if code == 2:
        assert "::error::" in result.stdout
        assert "fake plan output" in (tmp_path / "summary").read_text()


@pytest.mark.parametrize("code, job_fails", [(0, False), (2, True), (1, True)])
def test_gitlab_drift_job_fails_on_drift(tmp_path, code, job_fails):
    script = dict(shell_scripts(GITLAB))["appchat-drift/script"]
    result = _run_script(script, _fake_appchat(tmp_path, code), tmp_path)
    assert (result.returncode != 0) == job_fails


@pytest.mark.parametrize("code", [0, 1])
def test_github_plan_step_records_exit_code_for_the_comment(tmp_path, code):
    result = _run_script(_github_run("Plan"), _fake_appchat(tmp_path, code), tmp_path)
    assert result.returncode == 0, "the plan step must not stop the job before the comment is posted"
    assert f"rc={code}" in (tmp_path / "output").read_text()
    assert (tmp_path / "plan.md").read_text() == "fake plan output\n"


# -- pre-commit --------------------------------------------------------------

def _hooks() -> list[dict]:
    return yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_pre_commit_hook_points_at_the_real_console_script():
    hook = next(h for h in _hooks() if h["id"] == "appchat-validate")
    entry = shlex.split(hook["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert entry[0] in scripts
    module, _, func = scripts[entry[0]].partition(":")
    target = __import__(module, fromlist=[func])
    assert callable(getattr(target, func))
    args = build_parser().parse_args(entry[1:] + hook.get("args", []))
    assert args.command == "validate"
    assert hook["language"] == "python"
    # Groups are shared between files: validating only the changed files would
    # report their groups as unknown. The hook validates the whole tree.
    assert hook["pass_filenames"] is False


def test_pre_commit_hook_file_pattern():
    hook = next(h for h in _hooks() if h["id"] == "appchat-validate")
    pattern = re.compile(hook["files"])
    assert pattern.search("chats/sre.yaml") and pattern.search("chats/team/ops.yml")
    assert not pattern.search("chats/notes.md") and not pattern.search("schemas/chats.schema.json")


def test_pre_commit_example_uses_defined_hooks():
    ids = {h["id"] for h in _hooks()}
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    used = {h["id"] for repo in config["repos"] for h in repo["hooks"]}
    assert used and used <= ids


def _console_script(name: str) -> str:
    script = Path(sys.executable).parent / name
    assert script.is_file(), f"{name} is not installed next to {sys.executable}"
    return str(script)


def test_pre_commit_entry_validates_the_whole_tree(tmp_path):
    """The hook's command line as pre-commit runs it (no file names), in a
    repository whose groups live in one file and are used in another."""
    hook = next(h for h in _hooks() if h["id"] == "appchat-validate")
    entry = shlex.split(hook["entry"])
    chats = tmp_path / "chats"
    chats.mkdir()
    (chats / "groups.yaml").write_text("groups:\n  sre: [alice, bob]\n")
    (chats / "sre.yaml").write_text("chats:\n  sreoncall:\n    name: SRE On-call\n"
                                    "    owner: alice\n    members: [\"@sre\", carol]\n")
    argv = [_console_script(entry[0]), *entry[1:], *hook.get("args", [])]
    ok = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert ok.returncode == 0, ok.stderr

    (chats / "sre.yaml").write_text("chats:\n  sreoncall:\n    name: SRE On-call\n"
                                    "    owner: zed\n    members: [\"@sre\", carol]\n")
    bad = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert bad.returncode == 1
    assert re.search(r"chats/sre\.yaml:\d+:\d+: error: ", bad.stderr), bad.stderr
