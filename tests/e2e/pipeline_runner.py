"""Run the recipes' jobs the way GitHub Actions and GitLab CI run them, close
enough for the tests to believe the result.

GitHub: the steps of one job in order, each `if:` evaluated (with the implicit
`success()` GitHub adds when a condition names no status function), `run:`
steps in `bash --noprofile --norc -eo pipefail`, GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY files, step outputs and outcomes, workflow, job and step
`env:`. actions/github-script bodies run in Node with the modules github-script
v8 gives them (tests/e2e/github_script/run.js); checkout and setup-python are
no-ops (the working directory is the checkout, the venv is Python); upload- and
download-artifact keep artifacts in a dict per run, and upload refuses a name
that exists unless `overwrite: true`, as upload-artifact v4 and later do.

GitLab: the configuration as GitLab reads it (local includes, a template's
`spec: inputs:`, extends: scripts/gitlab_config.py), a job's before_script
and script lines as one bash script with `set -eo pipefail`, the job's
variables and CI_* variables.

The real `appchat` (this checkout's, from the test's Python) runs against the
emulator; GitHub and GitLab are the mocks of github_mock.py and gitlab_mock.py.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "e2e" / "github_script"
_BIN = str(Path(sys.executable).parent)


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _base_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WECOM_", "GITHUB_", "CI_", "RUNNER_")) and k not in ("NO_COLOR", "CI")}
    env["PATH"] = f"{_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


def bash(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


# -- GitHub expressions ------------------------------------------------------

_STATUS = re.compile(r"\b(success|failure|cancelled|always)\(\)")


def evaluate(expr: str, ctx: dict, *, job_failed: bool = False):
    """The subset of GitHub's expression language the recipes use: dotted
    context paths, '...' strings, ==, !=, &&, ||, !, parentheses and the status
    functions. An unknown context path is null, as on GitHub."""
    expr = expr.strip()
    if expr.startswith("${{") and expr.endswith("}}"):
        expr = expr[3:-2].strip()
    values: list = []

    def path(m: re.Match) -> str:
        node = ctx
        for part in m.group(0).split("."):
            node = node.get(part) if isinstance(node, dict) else None
        values.append("" if node is None else node)
        return f"_v[{len(values) - 1}]"

    py = re.sub(r"'([^']*)'", lambda m: repr(m.group(1)), expr)
    py = _STATUS.sub(lambda m: {"success": str(not job_failed), "failure": str(job_failed),
                                "cancelled": "False", "always": "True"}[m.group(1)], py)
    py = re.sub(r"(?<!['\w.])(?:github|steps|needs|inputs|env|secrets|vars)(?:\.[\w-]+)+", path, py)
    py = py.replace("&&", " and ").replace("||", " or ")
    py = re.sub(r"!(?!=)", " not ", py)
    return eval(py, {"__builtins__": {}}, {"_v": values})  # noqa: S307 - our own recipes' expressions


def _text(value) -> str:
    # Inputs and env reach an action as strings; YAML's true is "true".
    return str(value).lower() if isinstance(value, bool) else str(value)


def substitute(value, ctx: dict) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: _text(evaluate(m.group(1), ctx)), _text(value))


# -- GitHub jobs --------------------------------------------------------------

@dataclass
class GitHubRun:
    """One workflow run: its context, secrets and the artifacts of every run."""
    workflow: dict
    workdir: Path
    github: dict
    secrets: dict[str, str]
    api_url: str
    token: str
    event_path: Path
    artifacts: dict[tuple[int, str], bytes] = field(default_factory=dict)   # (run id, name) -> file
    env_overrides: dict[str, str] = field(default_factory=dict)
    needs: dict = field(default_factory=dict)
    artifact_files: dict[tuple[int, str], str] = field(default_factory=dict)  # (run id, name) -> file name
    vars: dict[str, str] = field(default_factory=dict)  # repository variables (`vars.NAME`)
    # Inputs of `uses: ./` that its `with:` leaves out. `install` must be set: the tests'
    # Python has this checkout's appchat already, and pip must never install over it.
    action_inputs: dict[str, str] = field(default_factory=lambda: {"install": "appchat-reconciler"})


@dataclass
class StepResult:
    name: str
    outcome: str                  # success | failure | skipped
    stdout: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list["StepResult"] = field(default_factory=list)   # a composite action's own steps


@dataclass
class JobResult:
    steps: list[StepResult]
    outputs: dict[str, str] = field(default_factory=dict)     # the job's `outputs:`, for `needs`

    @property
    def needs(self) -> dict:
        """What a later job's `needs.<this job>` sees."""
        return {"result": "failure" if self.failed else "success", "outputs": self.outputs}

    @property
    def failed(self) -> bool:
        return any(s.outcome == "failure" for s in self.steps)

    def _all(self) -> list[StepResult]:
        # A composite action's steps first: they carry the names the tests look for.
        return [inner for s in self.steps for inner in [*s.steps, s]]

    def step(self, name_part: str) -> StepResult:
        """The step of that name, else the first whose name holds name_part."""
        steps = self._all()
        return next((s for s in steps if s.name == name_part), None) or next(s for s in steps if name_part in s.name)

    @property
    def log(self) -> str:
        return "\n".join(s.stdout for s in self._all())


def _read_kv(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's two forms: `key=value`, and `key<<DELIMITER` lines
    DELIMITER (what @actions/core writes)."""
    values: dict[str, str] = {}
    lines = iter(path.read_text().splitlines() if path.exists() else [])
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            values[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def _go(step: dict, ctx: dict, failed: bool) -> bool:
    """A step's `if:`, with the implicit success() GitHub adds when the
    condition names no status function."""
    cond = step.get("if")
    if cond is None:
        return not failed
    go = evaluate(cond, ctx, job_failed=failed)
    return go and not failed if not _STATUS.search(str(cond)) else go


def _run_steps(run: GitHubRun, steps: list[dict], ctx: dict, env_of) -> list[StepResult]:
    results: list[StepResult] = []
    for i, step in enumerate(steps):
        name = step.get("name") or step.get("uses") or f"step {i}"
        if not _go(step, ctx, any(r.outcome == "failure" for r in results)):
            result = StepResult(name, "skipped")
        else:
            result = _run_step(run, step, name, env_of(step), ctx)
        results.append(result)
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": result.outputs, "outcome": result.outcome,
                                        "conclusion": result.outcome}
    return results


def run_github_job(run: GitHubRun, job_name: str) -> JobResult:
    job = run.workflow["jobs"][job_name]
    ctx = {"github": run.github, "secrets": run.secrets, "needs": run.needs, "steps": {}, "inputs": {},
           "vars": run.vars}

    def env_of(step: dict) -> dict[str, str]:
        return _base_env({**{k: _text(v) for k, v in run.workflow.get("env", {}).items()},
                          **{k: substitute(v, ctx) for k, v in job.get("env", {}).items()},
                          **{k: substitute(v, ctx) for k, v in step.get("env", {}).items()},
                          **run.env_overrides})
    steps = _run_steps(run, job["steps"], ctx, env_of)
    return JobResult(steps, {k: substitute(v, ctx) for k, v in job.get("outputs", {}).items()})


def _runner_env(run: GitHubRun, tag: str) -> dict[str, str]:
    g = run.github
    return {"GITHUB_OUTPUT": str(run.workdir / f".out-{tag}"), "GITHUB_STEP_SUMMARY": str(run.workdir / ".summary"),
            "GITHUB_SHA": g["sha"], "GITHUB_REPOSITORY": g["repository"], "GITHUB_EVENT_NAME": g["event_name"],
            "GITHUB_EVENT_PATH": str(run.event_path), "GITHUB_RUN_ID": str(g["run_id"]),
            "GITHUB_SERVER_URL": "https://github.example", "GITHUB_API_URL": run.api_url,
            "GITHUB_WORKFLOW": run.workflow["name"], "GITHUB_REF": g.get("ref", "refs/heads/main"), "GITHUB_ACTIONS": "true"}


_TAGS = itertools.count(1)


def _run_step(run: GitHubRun, step: dict, name: str, env: dict, ctx: dict) -> StepResult:
    env.update(_runner_env(run, str(next(_TAGS))))
    out_file = Path(env["GITHUB_OUTPUT"])
    out_file.write_text("")                       # the runner makes both files before each step
    Path(env["GITHUB_STEP_SUMMARY"]).touch()
    inner: list[StepResult] = []
    if "run" in step:
        assert "${{" not in step["run"], f"{name}: expressions belong in env:, not in the script"
        proc = bash(step["run"], env, run.workdir)
        ok, stdout = proc.returncode == 0, proc.stdout + proc.stderr
    else:
        action = step["uses"].split("@")[0]
        with_ = {k: substitute(v, ctx) for k, v in step.get("with", {}).items()}
        if action == "./":
            ok, stdout, inner = _composite(run, with_, env)
        else:
            ok, stdout = _ACTIONS[action](run, with_, env)
    return StepResult(name, "success" if ok else "failure", stdout, _read_kv(out_file), inner)


def _github_script(run: GitHubRun, with_: dict, env: dict) -> tuple[bool, str]:
    script = run.workdir / ".github-script.js"
    script.write_text(with_["script"], encoding="utf-8")
    env = {**env, "GITHUB_TOKEN": run.token}
    proc = subprocess.run(["node", str(HARNESS / "run.js"), str(script)], env=env, cwd=run.workdir,
                          capture_output=True, text=True, timeout=120)
    return proc.returncode == 0, proc.stdout + proc.stderr


def _upload(run: GitHubRun, with_: dict, env: dict) -> tuple[bool, str]:
    key = (run.github["run_id"], with_["name"])
    source = run.workdir / with_["path"]
    if not source.exists():
        return with_.get("if-no-files-found", "warn") != "error", f"no file {source.name}"
    if key in run.artifacts and with_.get("overwrite", "false") != "true":
        return False, "Failed to CreateArtifact: (409) Conflict: an artifact with this name already exists on the workflow run"
    run.artifacts[key] = source.read_bytes()
    run.artifact_files[key] = source.name
    return True, f"uploaded {with_['name']}"


def _download(run: GitHubRun, with_: dict, env: dict) -> tuple[bool, str]:
    run_id = int(with_.get("run-id") or run.github["run_id"])
    content = run.artifacts.get((run_id, with_["name"]))
    if content is None:
        return False, f"Unable to download artifact(s): Artifact not found for name: {with_['name']}"
    # An artifact holds its files by name (a plan uploaded by another run of the test: plan.json).
    (run.workdir / run.artifact_files.get((run_id, with_["name"]), "plan.json")).write_bytes(content)
    return True, f"downloaded {with_['name']} of run {run_id}"


def _composite(run: GitHubRun, with_: dict, env: dict) -> tuple[bool, str, list[StepResult]]:
    """`uses: ./`: this repository's action.yml, its steps run as a composite
    action's are (`if:` conditions, `run:` steps in bash, `uses:` steps; the
    inputs context from `with:` and the defaults; github.action_path the
    checkout of the action); its outputs become the step's outputs."""
    action = load(ROOT / "action.yml")
    ctx = {"github": {**run.github, "action_path": str(ROOT)}, "inputs": {}, "steps": {}, "secrets": {}}
    given = {**run.action_inputs, **with_}
    inputs = {name: _text(given[name]) if name in given else substitute(spec.get("default", ""), ctx)
              for name, spec in action["inputs"].items()}
    assert inputs["install"], "the tests never pip-install the checkout into their own environment"
    missing = [n for n, spec in action["inputs"].items() if spec.get("required") and not inputs[n]]
    if missing:
        return False, f"Input required and not supplied: {missing[0]}", []
    ctx["inputs"] = inputs

    def env_of(step: dict) -> dict[str, str]:
        assert "${{" not in step.get("run", ""), "expressions belong in env:, not in the script"
        assert "run" not in step or step.get("shell") == "bash", "a composite run: step names its shell"
        return {**env, **{k: substitute(v, ctx) for k, v in step.get("env", {}).items()}}
    steps = _run_steps(run, action["runs"]["steps"], ctx, env_of)
    with open(env["GITHUB_OUTPUT"], "a") as f:
        for name, spec in action.get("outputs", {}).items():
            value = substitute(spec["value"], ctx)
            f.write(f"{name}<<EOF_OUTPUT\n{value}\nEOF_OUTPUT\n" if "\n" in value else f"{name}={value}\n")
    ok = not any(s.outcome == "failure" for s in steps)
    return ok, "\n".join(s.stdout for s in steps), steps


_ACTIONS = {
    "actions/checkout": lambda run, with_, env: (True, "checked out"),
    "actions/setup-python": lambda run, with_, env: (True, "python ready"),
    "actions/github-script": _github_script,
    "actions/upload-artifact": _upload,
    "actions/download-artifact": _download,
}


# -- GitLab jobs --------------------------------------------------------------

def gitlab_config(path: Path) -> dict:
    """A .gitlab-ci.yml as GitLab reads it: includes inlined, inputs interpolated, extends resolved."""
    from scripts.gitlab_config import load as load_gitlab

    return load_gitlab(path)


def gitlab_job_script(doc: dict, job_name: str) -> str:
    job = doc[job_name]
    before = job.get("before_script", (doc.get("default") or {}).get("before_script", []))
    return "\n".join([*before, *job["script"]])


def run_gitlab_job(doc: dict, job_name: str, workdir: Path, ci: dict[str, str]) -> subprocess.CompletedProcess:
    variables = {k: str(v) for k, v in doc.get("variables", {}).items()}
    env = _base_env({**variables, **{k: str(v) for k, v in doc[job_name].get("variables", {}).items()}, **ci})
    return bash("set -eo pipefail\n" + gitlab_job_script(doc, job_name), env, workdir)


def copy_chats(files: dict[str, str], workdir: Path) -> None:
    """Write chats/ in the job's working directory (the checkout)."""
    chats = workdir / "chats"
    shutil.rmtree(chats, ignore_errors=True)
    chats.mkdir(parents=True)
    for name, text in files.items():
        (chats / name).write_text(text, encoding="utf-8")
