"""HTTP plumbing: a ThreadingHTTPServer whose handler hands /cgi-bin/ requests
to api.Api and /_emulator/ requests to admin. Nothing here knows WeCom rules."""

from __future__ import annotations

import logging
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import admin
from .api import Api, Reply, json_reply

log = logging.getLogger("reconciler.emulator")
_SECRET_IN_URL = re.compile(r"((?:corpsecret|access_token)=)[^&\s]*", re.IGNORECASE)


def redact_url(text: str) -> str:
    return _SECRET_IN_URL.sub(r"\1***", text)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"        # keep-alive, like the real server
    server_version = "WeComEmulator/1.0"
    timeout = 60                          # an idle keep-alive connection frees its thread
    # Headers and body go out in two writes; with Nagle on, delayed ACK adds
    # ~40 ms to every call on a reused connection and benchmarks measure that.
    disable_nagle_algorithm = True
    server: "EmulatorHTTPServer"

    def setup(self):
        super().setup()
        self.server.track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        ip = self.client_address[0]
        try:
            raw = self._read_body()
        except ValueError:
            self.close_connection = True
            self._reply(json_reply({"errcode": 47001, "errmsg": "data format error: bad request body"}, 400))
            return
        try:
            if url.path.startswith("/cgi-bin/"):
                reply = self.server.api.handle(method, url.path[len("/cgi-bin/"):], url.query, raw, ip,
                                               self.headers.get("Content-Type"))
            elif url.path.startswith("/_emulator/"):
                reply = admin.handle(self.server.api, method, url.path[len("/_emulator/"):], raw)
            else:
                reply = json_reply({"errcode": 40066, "errmsg": "invalid url"}, 404)
        except Exception:  # a bug here must answer, not hang the client
            if self.server.api.closed:  # a request that outlived stop(): nothing to report
                log.debug("request after stop: %s %s", method, redact_url(url.path))
            else:
                log.exception("emulator failed on %s %s", method, redact_url(url.path))
            reply = json_reply({"errcode": -1, "errmsg": "emulator internal error"}, 500)
        self._reply(reply)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length) if length else b""

    def _reply(self, reply: Reply) -> None:
        if reply.drop:
            # Close without a byte of answer: the client sees a dropped connection.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        # The default writes request lines (with the secret) to stderr.
        log.debug("%s %s", self.client_address[0], redact_url(format % args))


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The listen backlog. socketserver's default of 5 drops the SYNs of a
    # client opening 100 connections at once, and each dropped one costs
    # that request a second (the kernel's SYN retry): the emulator, not the
    # client, would set the pace of any test at high concurrency.
    request_queue_size = 1024

    def __init__(self, address, api: Api):
        self.api = api
        self._open: set = set()
        self._open_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        # A client that gave up before the answer (its timeout, a dropped
        # connection) is an ordinary event here, not a crash: no traceback.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)):
            log.debug("%s went away before its answer", client_address[0])
            return
        super().handle_error(request, client_address)

    def track(self, conn, is_open: bool) -> None:
        with self._open_lock:
            (self._open.add if is_open else self._open.discard)(conn)

    def close_all(self) -> None:
        """Cut keep-alive connections so no handler thread outlives stop()."""
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
