"""Run shellcheck on the shell of every job in a .gitlab-ci.yml.

GitLab runs a job's before_script and script lines as one bash script (each
line a command, stopping at the first that fails), so each job's lines are
checked together, as that script, after GitLab's own reading of the file
(local includes, template inputs, extends: scripts/gitlab_config.py). Here-document bodies (the inline Python) are
left to the tests, which run them. Exit 0 when every job is clean.

usage: python scripts/shellcheck_gitlab.py FILE ...
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gitlab_config import load  # noqa: E402  (this directory's module)

_GITLAB_KEYWORDS = {"stages", "default", "variables", "workflow", "include"}


def job_scripts(doc: dict) -> dict[str, str]:
    """Job name -> the bash script GitLab runs for it (hidden jobs included:
    their text is spliced into real jobs through YAML anchors)."""
    default_before = (doc.get("default") or {}).get("before_script", [])
    scripts = {}
    for name, job in doc.items():
        if name in _GITLAB_KEYWORDS or not isinstance(job, dict) or "script" not in job:
            continue
        lines: list[str] = []
        for key in ("before_script", "script"):
            part = job.get(key, default_before if key == "before_script" else [])
            lines += [part] if isinstance(part, str) else part
        scripts[name] = "\n".join(lines)
    return scripts


def shellcheck(name: str, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["shellcheck", "--shell=bash", "--severity=style", "-"],
                          input="set -eo pipefail\n" + script + "\n", text=True,
                          capture_output=True, timeout=120)


def main(argv: list[str]) -> int:
    failed = 0
    for path in argv:
        doc = load(Path(path))        # includes inlined, inputs interpolated, extends resolved
        for name, script in job_scripts(doc).items():
            result = shellcheck(name, script)
            if result.returncode != 0:
                failed += 1
                print(f"{path}: job {name}:\n{result.stdout}{result.stderr}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
