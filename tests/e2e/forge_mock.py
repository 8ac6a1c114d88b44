"""The server under the local stand-ins for GitHub's and GitLab's REST APIs
(github_mock.py, gitlab_mock.py): the parts of them that the
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
from dataclasses import dataclass
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


class ForgeServer:
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
