"""A mock of the GitHub REST API endpoints the recipes' github-script bodies call
(see forge_mock.py)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from tests.e2e.forge_mock import Forbidden, NotFound, ForgeServer


BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


@dataclass
class GitHubMock(ForgeServer):
    owner: str = "acme"
    repo: str = "chats"
    token: str = "ghs_testtoken"
    comments: dict[int, list[dict]] = field(default_factory=dict)     # issue number -> comments
    pulls: dict[int, dict] = field(default_factory=dict)              # number -> pull request
    commit_pulls: dict[str, list[int]] = field(default_factory=dict)  # sha -> pull request numbers
    runs: list[dict] = field(default_factory=list)                    # workflow runs
    artifacts: dict[int, list[dict]] = field(default_factory=dict)    # run id -> artifacts
    # The repository's `chats` tree at each commit (sha -> tree sha) and the
    # default branch's tip: what the apply recipe compares before applying.
    chats_trees: dict[str, str] = field(default_factory=dict)
    issues: dict[int, dict] = field(default_factory=dict)             # number -> issue
    tip: str | None = None

    def __post_init__(self) -> None:
        ForgeServer.__init__(self)

    def authorised(self, headers) -> bool:
        return headers.get("Authorization") == f"token {self.token}"

    def add_pull(self, number: int, head_sha: str, *, merged: bool = False, fork: bool = False) -> dict:
        full_name = f"someone/{self.repo}" if fork else f"{self.owner}/{self.repo}"
        pr = {"number": number, "merged_at": "2026-12-01T10:00:00Z" if merged else None,
              "base": {"ref": "main"}, "head": {"sha": head_sha, "repo": {"full_name": full_name}}}
        self.pulls[number] = pr
        return pr

    def add_comment(self, issue: int, body: str, user: dict) -> dict:
        comment = {"id": next(self.ids), "body": body, "user": user}
        self.comments.setdefault(issue, []).append(comment)
        return comment

    def add_run(self, head_sha: str, *, conclusion: str = "success", started: str = "2026-12-01T09:00:00Z",
                artifacts: tuple[dict, ...] = (), workflow: str = "appchat-plan.yml",
                run_id: int | None = None) -> dict:
        run = {"id": run_id or next(self.ids), "head_sha": head_sha, "event": "pull_request", "workflow": workflow,
               "conclusion": conclusion, "created_at": started, "run_started_at": started,
               "html_url": f"https://github.example/{self.owner}/{self.repo}/actions/runs/{len(self.runs) + 1}"}
        self.runs.append(run)
        self.artifacts[run["id"]] = [{"id": next(self.ids), "expired": False, **a} for a in artifacts]
        return run

    def push(self, sha: str, files: dict[str, str]) -> None:
        """`sha` is now the tip of main, its chats/ tree named by its content."""
        self.chats_trees[sha] = "t" + format(abs(hash(tuple(sorted(files.items())))), "x")
        self.tip = sha

    def bot_comments(self, issue: int) -> list[dict]:
        return [c for c in self.comments.get(issue, []) if c["user"]["type"] == "Bot"]

    def routes(self):
        base = rf"/repos/{re.escape(self.owner)}/{re.escape(self.repo)}"
        return [
            ("GET", base + r"/issues/(\d+)/comments", self._list_comments),
            ("POST", base + r"/issues/(\d+)/comments", self._create_comment),
            ("PATCH", base + r"/issues/comments/(\d+)", self._update_comment),
            ("GET", base + r"/pulls/(\d+)", lambda r, n: self._pull(int(n))),
            ("GET", base + r"/commits/(\w+)/pulls", lambda r, sha: [self._pull(n) for n in self.commit_pulls.get(sha, [])]),
            ("GET", base + r"/actions/workflows/([\w.-]+)/runs", self._list_runs),
            ("GET", base + r"/actions/runs/(\d+)/artifacts", self._list_artifacts),
            ("GET", base + r"/contents/?", self._root_contents),
            ("GET", base + r"/issues", self._list_issues),
            ("POST", base + r"/issues", self._create_issue),
            ("PATCH", base + r"/issues/(\d+)", self._update_issue),
        ]

    def add_issue(self, title: str, body: str, user: dict, state: str = "open") -> dict:
        number = next(self.ids)
        self.issues[number] = {"number": number, "title": title, "body": body, "user": user, "state": state}
        return self.issues[number]

    def _list_issues(self, request):
        q = {k: v[0] for k, v in request.query.items()}
        found = [i for i in self.issues.values() if q.get("state", "open") in ("all", i["state"])
                 and ("creator" not in q or i["user"]["login"] == q["creator"])]
        chunk, headers = self.page(request, found)
        return 200, chunk, headers

    def _create_issue(self, request):
        return 201, self.add_issue(request.body["title"], request.body.get("body", ""), BOT), {}

    def _update_issue(self, request, number):
        issue = self.issues.get(int(number))
        if issue is None:
            raise NotFound
        issue.update({k: v for k, v in request.body.items() if k in ("body", "state", "title")})
        return issue

    def _root_contents(self, request):
        """The repository's top directory at `ref` (a sha, or main for its tip): the `chats` entry."""
        ref = request.query.get("ref", ["main"])[0]
        sha = self.tip if ref == "main" else ref
        if sha not in self.chats_trees:
            raise NotFound
        return [{"name": "chats", "path": "chats", "type": "dir", "sha": self.chats_trees[sha]},
                {"name": "README.md", "path": "README.md", "type": "file", "sha": "f" * 40}]

    def _pull(self, number: int) -> dict:
        if number not in self.pulls:
            raise NotFound
        return self.pulls[number]

    def _list_comments(self, request, issue):
        chunk, headers = self.page(request, self.comments.get(int(issue), []))
        return 200, chunk, headers

    def _create_comment(self, request, issue):
        return 201, self.add_comment(int(issue), request.body["body"], BOT), {}

    def _update_comment(self, request, comment_id):
        for comment in itertools.chain.from_iterable(self.comments.values()):
            if comment["id"] == int(comment_id):
                if comment["user"] != BOT:                # a token edits only its own comments
                    raise Forbidden
                comment["body"] = request.body["body"]
                return comment
        raise NotFound

    def _list_runs(self, request, workflow):
        q = {k: v[0] for k, v in request.query.items()}
        runs = [r for r in self.runs if r["workflow"] == workflow
                and all(r[key] == q[param] for param, key in (("head_sha", "head_sha"), ("event", "event"),
                                                               ("status", "conclusion")) if param in q)]
        runs.sort(key=lambda r: r["created_at"], reverse=True)
        chunk, headers = self.page(request, runs)
        return 200, {"total_count": len(runs), "workflow_runs": chunk}, headers

    def _list_artifacts(self, request, run_id):
        name = request.query.get("name", [None])[0]
        found = [a for a in self.artifacts.get(int(run_id), []) if name is None or a["name"] == name]
        return {"total_count": len(found), "artifacts": found}


