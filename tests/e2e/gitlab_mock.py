"""A mock of the GitLab REST API endpoints the recipe's Python snippets call
(see forge_mock.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.e2e.forge_mock import Forbidden, NotFound, ForgeServer


@dataclass
class GitLabMock(ForgeServer):
    project_id: int = 7
    token: str = "glpat-testtoken"
    me: dict = field(default_factory=lambda: {"id": 4242, "username": "project_7_bot_appchat"})
    notes: dict[int, list[dict]] = field(default_factory=dict)          # MR iid -> notes
    mrs: dict[int, dict] = field(default_factory=dict)                  # iid -> merge request
    commit_mrs: dict[str, list[int]] = field(default_factory=dict)      # sha -> MR iids
    pipelines: dict[int, list[dict]] = field(default_factory=dict)      # MR iid -> pipelines, newest first
    jobs: dict[int, list[dict]] = field(default_factory=dict)           # pipeline id -> jobs
    job_files: dict[tuple[int, str], bytes] = field(default_factory=dict)  # (job id, path) -> artifact file
    # The `chats` tree at each commit and the default branch's tip (the apply
    # job's check), and what the default branch changed since a commit branched
    # off (sha -> paths; the plan job's check that the branch is not behind).
    chats_trees: dict[str, str] = field(default_factory=dict)
    tip: str | None = None
    behind: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ForgeServer.__init__(self)

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

    def push(self, sha: str, files: dict[str, str]) -> None:
        """`sha` is now the tip of main, its chats/ tree named by its content."""
        self.chats_trees[sha] = "t" + format(abs(hash(tuple(sorted(files.items())))), "x")
        self.tip = sha

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
            ("GET", base + r"/repository/tree", self._tree),
            ("GET", base + r"/repository/compare", self._compare),
        ]

    def _tree(self, request):
        ref = request.query.get("ref", ["main"])[0]
        sha = self.tip if ref == "main" else ref
        if sha not in self.chats_trees:
            raise NotFound
        return [{"id": self.chats_trees[sha], "name": "chats", "type": "tree", "path": "chats", "mode": "040000"},
                {"id": "f" * 40, "name": "README.md", "type": "blob", "path": "README.md", "mode": "100644"}]

    def _compare(self, request):
        """from=SHA&to=main: what main changed since SHA's merge base with it."""
        q = {k: v[0] for k, v in request.query.items()}
        if q.get("to") != "main":
            raise NotFound
        paths = self.behind.get(q.get("from", ""), [])
        return {"commits": [{"id": "9" * 40}] if paths else [],
                "diffs": [{"old_path": p, "new_path": p} for p in paths]}

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
