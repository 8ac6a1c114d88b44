"""What an apply run of the composite action did, in three forms: lines for
the job's log, the markdown of the comment on the merged pull request (one
comment, kept up to date by its marker), and, with --chat, one markdown
message for a WeCom chat cut to WeCom's 2048 bytes.

It reads what the action's steps left in the working directory: report.json
(`appchat apply --format json`), left.json (the check after apply, `appchat
plan --out`), and the environment: TIP (true when this commit's chat files
are still the default branch's), FIND (the outcome of finding the reviewed
plan: success, failure or skipped; FIND_MESSAGE says why it failed),
APPLY_RC, CHECK_RC, PULL_REQUEST and GITHUB_* for the links.

    python action/apply_result.py            # log lines; outputs status and comment
    python action/apply_result.py --chat     # the chat message on stdout ("" = nothing to tell)

No dependencies beyond Python; it never talks to WeCom or GitHub.
"""

from __future__ import annotations

import json
import os
import sys

MARKER = "<!-- appchat-apply -->"
CHAT_LIMIT = 2048            # bytes of a WeCom markdown message
COMMENT_LIMIT = 65536        # characters of a GitHub comment


def _load(name: str):
    try:
        with open(name, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _env(name: str) -> str:
    return os.environ.get(name, "")


def outcome() -> dict:
    """status: applied | nothing | failed | stale | files | refused | not-tip | no-plan | unchecked,
    with the chats each way and what the check after apply still found."""
    report = _load("report.json")
    left = _load("left.json")
    result: dict = {"applied": [], "failed": [], "skipped": [], "refusals": [],
                    "left": [c["chat_id"] for c in (left or {}).get("changes", [])], "report": report}
    if _env("TIP") != "true":
        result["status"] = "not-tip"
        return result
    if _env("FIND") == "failure" or (report is None and _env("APPLY_RC") == ""):
        result["status"] = "no-plan"
        result["refusals"] = [_env("FIND_MESSAGE") or "no reviewed plan was found"]
        return result
    if report is None:
        result["status"] = "failed"
        result["refusals"] = [f"appchat apply exited {_env('APPLY_RC') or '?'} before it could report"]
        return result
    for o in report.get("outcomes", []):
        result.setdefault(str(o.get("status")), []).append(o)
    result["refusals"] = [str(r) for r in report.get("refusals", [])]
    if result["refusals"]:
        words = " ".join(result["refusals"])
        result["status"] = "stale" if "stale" in words else "files" if "files" in words else "refused"
    elif result["failed"] or _env("APPLY_RC") not in ("", "0"):
        result["status"] = "failed"
    elif result["applied"]:
        result["status"] = "applied"
    else:
        result["status"] = "nothing"
    return result


HEADLINES = {
    "applied": ":white_check_mark: **Applied**",
    "nothing": ":white_check_mark: **Nothing to apply**: WeCom already matched this plan",
    "failed": ":x: **Apply failed**",
    "stale": ":x: **Refused as stale**: WeCom changed since the review; nothing was written",
    "files": ":x: **Refused**: the merged files want something other than this plan (a branch behind main); "
             "nothing was written",
    "refused": ":x: **Refused** before any write",
    "not-tip": ":arrow_right: **Not applied by this run**: a newer merge changed the chat files; its run applies them",
    "no-plan": ":x: **Not applied**: no reviewed plan",
}


def _chats(outcomes: list) -> str:
    return ", ".join(f"`{o['chat_id']}`" for o in outcomes)


def comment(result: dict) -> str:
    sha, run = _env("GITHUB_SHA")[:7], _run_url()
    lines = [MARKER, "### appchat apply", "", f"{HEADLINES[result['status']]} (commit {sha}, [run]({run}))", ""]
    for key, word in (("applied", "Applied"), ("failed", "Failed"), ("skipped", "Not started")):
        if result[key]:
            lines.append(f"- {word}: {_chats(result[key])}")
    for o in result["failed"]:
        lines.append(f"  - `{o['chat_id']}`: {o.get('message') or 'errcode ' + str(o.get('errcode'))}")
    for r in result["refusals"]:
        lines += ["", "```text", r.replace("```", "'''"), "```"]
    if result["status"] != "not-tip":
        check = _env("CHECK_RC")
        if check == "0":
            lines += ["", "WeCom matches the chat files at this commit: every merged change is applied."]
        elif result["left"]:
            lines += ["", f"**Still different in WeCom:** {', '.join(f'`{c}`' for c in result['left'])}. "
                          "Run the apply workflow by hand to plan afresh, or fix it in a pull request."]
        elif check:
            lines += ["", f"The check after apply could not tell whether everything is applied (exit {check})."]
    body = "\n".join(lines)
    return body[:COMMENT_LIMIT]


def _run_url() -> str:
    return f"{_env('GITHUB_SERVER_URL')}/{_env('GITHUB_REPOSITORY')}/actions/runs/{_env('GITHUB_RUN_ID')}"


def chat_message(result: dict) -> str:
    """The apply report as one WeCom markdown message; "" when nothing was applied."""
    report, rc = result["report"], _env("APPLY_RC") or "?"
    where = f"{_env('GITHUB_REPOSITORY') or 'chats'}@{_env('GITHUB_SHA')[:7]}"
    if result["status"] in ("not-tip", "no-plan"):
        return ""
    if report is None:
        lines = [f"**appchat apply failed** ({where}, exit {rc})", "> it stopped before it could report: see the run's log"]
    else:
        if rc == "0" and not report["outcomes"] and not report["refusals"]:
            return ""
        s = report["summary"]
        lines = ["**appchat apply {}** ({})".format("done" if rc == "0" else "FAILED", where),
                 "> {applied} applied, {failed} failed, {skipped} skipped, {calls} write calls".format(**s)]
        lines += ["> refused: " + r for r in report["refusals"]]
        lines += [f"> {o['status']} {o['chat_id']}: {o['message']}" for o in report["outcomes"]
                  if o["status"] != "applied"]
        lines += [f"- {o['action']} {o['chat_id']}" for o in report["outcomes"] if o["status"] == "applied"]
    footer = f"[the run]({_run_url()})"
    limit = CHAT_LIMIT - len(footer.encode("utf-8")) - 40
    text, kept = "", 0
    for line in lines:
        if len((text + line + "\n").encode("utf-8")) > limit:
            break
        text, kept = text + line + "\n", kept + 1
    if kept < len(lines):
        text += f"... and {len(lines) - kept} more lines\n"
    return text + footer


def main(argv: list[str]) -> int:
    result = outcome()
    if argv == ["--chat"]:
        message = chat_message(result)
        if message:
            print(message)
        return 0
    print(f"appchat apply: {result['status']}")
    for r in result["refusals"]:
        print(r)
    output = _env("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as f:
            f.write(f"status={result['status']}\ncomment<<APPCHAT_EOF\n{comment(result)}\nAPPCHAT_EOF\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
