"""Local stand-ins for the parts of GitHub's and GitLab's REST APIs that the
pipeline recipes call, so the recipes' scripts run in the tests as in a
pipeline: real HTTP on 127.0.0.1, port 0, every request recorded.

They keep only what the scripts read and write (comments or notes, pull or
merge requests, runs or pipelines, artifacts), answer like the real APIs
(pagination, who may edit which comment, 401 without the token, 404 for the
unknown), and refuse anything else with 404 so a script that calls an
endpoint the mock does not know fails loudly instead of passing by accident.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: object


class NotFound(Exception):
    pass


class Forbidden(Exception):
    pass


class _Server:
    """A threaded HTTP server on 127.0.0.1, port 0, dispatching on (method, path regex)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1001)
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:      # keep test output quiet
                pass

            def _serve(self) -> None:
                mock._dispatch(self)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    # -- plumbing ---------------------------------------------------------

    def routes(self):                                   # [(method, regex, handler)]
        raise NotImplementedError

    def authorised(self, headers) -> bool:
        raise NotImplementedError

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        request = Request(h.command, parts.path, parse_qs(parts.query), body)
        with self.lock:
            self.requests.append(request)
            status, payload, headers = self._answer(h, request)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/octet-stream" if isinstance(payload, bytes) else "application/json")
        h.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(data)

    def _answer(self, h, request: Request):
        if not self.authorised(h.headers):
            return 401, {"message": "Bad credentials"}, {}
        for method, pattern, handler in self.routes():
            m = re.fullmatch(pattern, request.path)
            if m and method == request.method:
                try:
                    result = handler(request, *m.groups())
                except NotFound:
                    return 404, {"message": "Not Found"}, {}
                except Forbidden:
                    return 403, {"message": "Forbidden"}, {}
                return result if isinstance(result, tuple) else (200, result, {})
        return 404, {"message": f"no such endpoint in the mock: {request.method} {request.path}"}, {}

    def page(self, request: Request, items: list, default: int = 30):
        """One page of `items` and GitHub's Link header for the next one."""
        per_page = int(request.query.get("per_page", [default])[0])
        number = int(request.query.get("page", ["1"])[0])
        chunk = items[(number - 1) * per_page: number * per_page]
        headers = {}
        if number * per_page < len(items):
            query = {k: v[0] for k, v in request.query.items()}
            query["page"] = str(number + 1)
            qs = "&".join(f"{k}={v}" for k, v in query.items())
            headers["Link"] = f'<{self.url}{request.path}?{qs}>; rel="next"'
        return chunk, headers


# -- GitHub ---------------------------------------------------------------

BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


@dataclass
class GitHubMock(_Server):
    owner: str = "acme"
    repo: str = "chats"
    token: str = "ghs_testtoken"
    comments: dict[int, list[dict]] = field(default_factory=dict)     # issue number -> comments
    pulls: dict[int, dict] = field(default_factory=dict)              # number -> pull request
    commit_pulls: dict[str, list[int]] = field(default_factory=dict)  # sha -> pull request numbers
    runs: list[dict] = field(default_factory=list)                    # workflow runs
    artifacts: dict[int, list[dict]] = field(default_factory=dict)    # run id -> artifacts

    def __post_init__(self) -> None:
        _Server.__init__(self)

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
        ]

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


# -- GitLab ---------------------------------------------------------------

@dataclass
class GitLabMock(_Server):
    project_id: int = 7
    token: str = "glpat-testtoken"
    me: dict = field(default_factory=lambda: {"id": 4242, "username": "project_7_bot_appchat"})
    notes: dict[int, list[dict]] = field(default_factory=dict)          # MR iid -> notes
    mrs: dict[int, dict] = field(default_factory=dict)                  # iid -> merge request
    commit_mrs: dict[str, list[int]] = field(default_factory=dict)      # sha -> MR iids
    pipelines: dict[int, list[dict]] = field(default_factory=dict)      # MR iid -> pipelines, newest first
    jobs: dict[int, list[dict]] = field(default_factory=dict)           # pipeline id -> jobs
    job_files: dict[tuple[int, str], bytes] = field(default_factory=dict)  # (job id, path) -> artifact file

    def __post_init__(self) -> None:
        _Server.__init__(self)

    @property
    def api(self) -> str:
        return f"{self.url}/api/v4"

    def authorised(self, headers) -> bool:
        return headers.get("PRIVATE-TOKEN") == self.token

    def add_mr(self, iid: int, sha: str, *, state: str = "opened") -> dict:
        self.mrs[iid] = {"iid": iid, "sha": sha, "state": state, "target_branch": "main"}
        return self.mrs[iid]

    def add_note(self, iid: int, body: str, author: dict) -> dict:
        note = {"id": next(self.ids), "body": body, "author": author, "system": False}
        self.notes.setdefault(iid, []).append(note)
        return note

    def add_pipeline(self, iid: int, sha: str, *, status: str = "success",
                     jobs: tuple[tuple[str, str, dict[str, bytes]], ...] = ()) -> dict:
        """jobs: (name, status, {artifact path: content})."""
        pid = next(self.ids)
        pipeline = {"id": pid, "sha": sha, "status": status, "web_url": f"https://gitlab.example/-/pipelines/{pid}"}
        self.pipelines.setdefault(iid, []).insert(0, pipeline)
        self.jobs[pid] = []
        for name, job_status, files in jobs:
            job = {"id": next(self.ids), "name": name, "status": job_status}
            job["web_url"] = f"https://gitlab.example/-/jobs/{job['id']}"
            self.jobs[pid].append(job)
            for path, content in files.items():
                self.job_files[(job["id"], path)] = content
        return pipeline

    def my_notes(self, iid: int) -> list[dict]:
        return [n for n in self.notes.get(iid, []) if n["author"]["id"] == self.me["id"]]

    def routes(self):
        base = rf"/api/v4/projects/{self.project_id}"
        return [
            ("GET", r"/api/v4/user", lambda r: self.me),
            ("GET", base + r"/merge_requests/(\d+)", lambda r, iid: self._mr(int(iid))),
            ("GET", base + r"/merge_requests/(\d+)/notes", self._list_notes),
            ("POST", base + r"/merge_requests/(\d+)/notes", self._create_note),
            ("PUT", base + r"/merge_requests/(\d+)/notes/(\d+)", self._update_note),
            ("GET", base + r"/repository/commits/(\w+)/merge_requests",
             lambda r, sha: [self._mr(i) for i in self.commit_mrs.get(sha, [])]),
            ("GET", base + r"/merge_requests/(\d+)/pipelines", lambda r, iid: self.pipelines.get(int(iid), [])),
            ("GET", base + r"/pipelines/(\d+)/jobs", self._list_jobs),
            ("GET", base + r"/jobs/(\d+)/artifacts/(.+)", self._artifact),
        ]

    def _mr(self, iid: int) -> dict:
        if iid not in self.mrs:
            raise NotFound
        return self.mrs[iid]

    def _list_notes(self, request, iid):
        notes = self.notes.get(int(iid), [])
        if request.query.get("sort", ["desc"])[0] == "desc":    # GitLab's default: newest first
            notes = notes[::-1]
        chunk, headers = self.page(request, notes, default=20)
        return 200, chunk, headers

    def _create_note(self, request, iid):
        self._mr(int(iid))
        return 201, self.add_note(int(iid), request.body["body"], self.me), {}

    def _update_note(self, request, iid, note_id):
        for note in self.notes.get(int(iid), []):
            if note["id"] == int(note_id):
                if note["author"]["id"] != self.me["id"]:   # only the author edits a note
                    raise Forbidden
                note["body"] = request.body["body"]
                return note
        raise NotFound

    def _list_jobs(self, request, pid):
        scopes = request.query.get("scope[]", [])
        return [j for j in self.jobs.get(int(pid), []) if not scopes or j["status"] in scopes]

    def _artifact(self, request, job_id, path):
        content = self.job_files.get((int(job_id), path))
        if content is None:
            raise NotFound
        return 200, content, {}
