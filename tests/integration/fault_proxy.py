"""A fault-injecting HTTP proxy on 127.0.0.1, put in front of a registry by
the registry fault tests. Each request is forwarded unchanged (Host header
included, so the registry's Location headers name the proxy) unless a fault
is chosen for it:

  drop_before  the connection closes before the request reaches the registry
  drop_after   the registry handles the request, the answer never arrives
  error_500    the proxy answers 500 itself
  truncate     the answer's headers (with the full Content-Length) and only
               part of its body, then the connection closes
  slow         the body in small pieces with pauses

Faults come from a seeded random.Random (`rate` of the requests, kinds
uniformly), or from `script`: (method, path substring, fault) rules, each
used once, tried before the random choice. `log` records (method, path,
fault) for every request, for the test's messages.
"""

import http.client
import http.server
import random
import socket
import threading
import time
from typing import List, Optional, Tuple

FAULTS = ("drop_before", "drop_after", "error_500", "truncate", "slow")

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
               "trailer", "upgrade"}


class FaultProxy:
    def __init__(self, upstream_port: int, seed: int = 0, rate: float = 0.0,
                 kinds=FAULTS, script: Optional[List[Tuple[str, str, str]]] = None):
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.rate = rate
        self.kinds = tuple(kinds)
        self.script = list(script or [])
        self.log: List[Tuple[str, str, str]] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                outer._handle(self)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.host = "127.0.0.1:%d" % self.port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def faults(self) -> List[Tuple[str, str, str]]:
        with self._lock:
            return [entry for entry in self.log if entry[2] != "none"]

    # -- choosing ---------------------------------------------------------------

    def _choose(self, method: str, path: str) -> str:
        with self._lock:
            for i, (m, part, fault) in enumerate(self.script):
                if m == method and part in path:
                    del self.script[i]
                    self.log.append((method, path, fault))
                    return fault
            fault = "none"
            if self.rng.random() < self.rate:
                fault = self.rng.choice(self.kinds)
            self.log.append((method, path, fault))
            return fault

    def _cut_point(self, length: int) -> int:
        with self._lock:
            return self.rng.randrange(0, max(length, 1))

    # -- forwarding -------------------------------------------------------------

    def _handle(self, h):
        h.close_connection = True
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        fault = self._choose(h.command, h.path)
        if fault == "drop_before":
            self._drop(h)
            return
        if fault == "error_500":
            self._answer(h, 500, [("Content-Type", "text/plain")], b"injected fault\n")
            return
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        try:
            conn.putrequest(h.command, h.path, skip_host=True, skip_accept_encoding=True)
            for k, v in h.headers.items():
                if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length":
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()  # test blobs are small
            headers = [(k, v) for k, v in resp.getheaders()
                       if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"]
            if fault == "drop_after":
                self._drop(h)
                return
            declared = len(data)
            if h.command == "HEAD":
                declared = int(resp.getheader("Content-Length") or 0)
            self._answer(h, resp.status, headers, data, fault, declared)
        finally:
            conn.close()

    @staticmethod
    def _drop(h):
        try:
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _answer(self, h, status, headers, data: bytes, fault: str = "none",
                declared: Optional[int] = None):
        h.send_response_only(status)
        for k, v in headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data) if declared is None else declared))
        h.send_header("Connection", "close")
        h.end_headers()
        if h.command == "HEAD":
            return
        try:
            if fault == "truncate" and data:
                h.wfile.write(data[:self._cut_point(len(data))])
                h.wfile.flush()
                self._drop(h)
            elif fault == "slow":
                step = max(len(data) // 8, 1)
                for i in range(0, len(data), step):
                    h.wfile.write(data[i:i + step])
                    h.wfile.flush()
                    time.sleep(0.02)
            else:
                h.wfile.write(data)
        except OSError:
            pass
