"""Read a .gitlab-ci.yml the way GitLab does, as far as this repository's
GitLab files need: `include: - local:` files with `inputs:`, a template's
`spec: inputs:` header (defaults, unknown and missing inputs refused) and
its `$[[ inputs.NAME ]]` interpolation, and `extends:` (hashes merged deeply,
everything else replaced). A file meant to be included next to another
(BESIDE) extends that one's hidden jobs: it is read beside it, and only its
own jobs are returned. Used by scripts/shellcheck_gitlab.py, by `make
lint` (which checks each document against GitLab's schema) and by the tests
that run the jobs (tests/e2e/pipeline_runner.py).

usage: python scripts/gitlab_config.py OUTDIR FILE ...
    writes, for each FILE, OUTDIR/NAME.spec.yml (a template's header) and
    OUTDIR/NAME (its jobs, inputs interpolated with their defaults, includes
    inlined), one YAML document each, for check-jsonschema
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
_INPUT = re.compile(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]")
# Include-only files -> the file that includes the template whose hidden jobs they extend.
BESIDE = {"examples/gitlab-ci-reconcile.yml": "examples/gitlab-ci.yml"}


def split(text: str) -> tuple[dict | None, str]:
    """(the spec header or None, the body's text)."""
    if text.lstrip().startswith(("spec:", "#")) and "\n---\n" in text:
        header, body = text.split("\n---\n", 1)
        spec = yaml.safe_load(header)
        if isinstance(spec, dict) and "spec" in spec:
            return spec, body
    return None, text


def interpolate(text: str, spec: dict | None, given: dict | None = None) -> str:
    declared = ((spec or {}).get("spec") or {}).get("inputs") or {}
    given = dict(given or {})
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ValueError(f"unknown inputs: {', '.join(unknown)}")
    values = {name: given.get(name, (d or {}).get("default")) for name, d in declared.items()}
    missing = sorted(name for name, value in values.items() if value is None)
    if missing:
        raise ValueError(f"inputs without a value: {', '.join(missing)}")

    def value(m: re.Match) -> str:
        v = values[m.group(1)]
        return json.dumps(v) if isinstance(v, (list, dict)) else str(v)
    return _INPUT.sub(value, text)


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load(path: Path, inputs: dict | None = None) -> dict:
    """The configuration of `path`, its local includes inlined, `extends` resolved."""
    spec, body = split(path.read_text(encoding="utf-8"))
    doc = yaml.safe_load(interpolate(body, spec, inputs)) or {}
    config: dict = {}
    includes = doc.pop("include", None) or []
    for include in [includes] if isinstance(includes, dict) else includes:
        config.update(load(ROOT / include["local"], include.get("inputs")))
    config.update(doc)
    try:
        beside = BESIDE.get(path.resolve().relative_to(ROOT).as_posix())
    except ValueError:
        beside = None
    known = load(ROOT / beside) if beside else {}
    for name, job in list(config.items()):
        if isinstance(job, dict) and "extends" in job:
            bases = job["extends"] if isinstance(job["extends"], list) else [job["extends"]]
            merged: dict = {}
            for base in bases:
                merged = _merge(merged, config[base] if base in config else known[base])
            config[name] = _merge(merged, {k: v for k, v in job.items() if k != "extends"})
    return config


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for name in argv[1:]:
        path = Path(name)
        spec, body = split(path.read_text(encoding="utf-8"))
        if spec is not None:
            (out / f"{path.name}.spec.yml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
        (out / path.name).write_text(interpolate(body, spec), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
