#!/usr/bin/python3
"""Self-test of the kgiot mock platform server (kg_mock.py) and make_certs.sh.

Run: /usr/bin/python3 tests/mock/test_mock.py

Makes test certificates in a temp dir, starts the mock on an ephemeral
loopback port and checks every endpoint, error case and reply knob, partly
through http.client and partly by reading raw reply bytes, because the exact
framing (chunks, truncation, connection close) is what C clients are tested on.
Then the platform's rules: the QR login, single-use codes, refresh signing and
rotation, token expiry on the mock's clock, business calls, the broker front
and the failure-injection knobs.
"""

import ctypes
import hashlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MOCK = os.path.join(HERE, "kg_mock.py")
MAKE_CERTS = os.path.join(HERE, "make_certs.sh")
PYTHON = "/usr/bin/python3"

APP = {"appid": "kgtest", "secret": "kgsecret"}
GT = "/api/v2/getToken"
UT = "/oauth/v2/access_token"
QR = "/oauth/v2/light_qr"
QRS = "/oauth/v2/light_qr_stat"
RF = "/oauth/v2/refresh_token"
UNBIND = "/oauth/v2/virtual_unbind"
BIND_INFO = "/oauth/v2/virtual_bind_info"
USER_ECHO = "/api/v2/user/echo"
GUEST_ECHO = "/api/v2/guest/echo"
GET_TOKEN = dict(APP, grant_type="client_credential")
USER_TOKEN = dict(APP, code="code-ok-1", grant_type="authorization_code")
JSON_CT = "application/json"
QR_OPENID = "OPENID_USER1"
TOKEN_RE = r"^[AR]T_[0-9a-f]{32}$"


def sign(ts, appid="kgtest", appkey="kgsecret"):
    return hashlib.md5(("KG_%s_%d_%s" % (appid, ts, appkey)).encode()).hexdigest()


# ---------------------------------------------------------------------------
# Helpers: server process


class MockProcess:
    """kg_mock.py as a subprocess on an ephemeral port."""

    def __init__(self, tmpdir, name, args):
        self.port_file = os.path.join(tmpdir, name + ".port")
        self.log_path = os.path.join(tmpdir, name + ".log")
        self.log = open(self.log_path, "wb")
        cmd = [PYTHON, MOCK, "--host", "127.0.0.1", "--port", "0", "--port-file", self.port_file]
        self.proc = subprocess.Popen(cmd + args, stdout=subprocess.PIPE, stderr=self.log)
        self.port = self._wait_listening()

    def _wait_listening(self):
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        if not ready:
            self.stop()
            raise RuntimeError("mock did not start")
        line = self.proc.stdout.readline().decode()
        if not line.startswith("LISTENING "):
            self.stop()
            raise RuntimeError("unexpected first line: %r" % line)
        return int(line.split()[1])

    def stop(self):
        """SIGTERM and wait; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            # A quiet exit joins the connection threads for up to 2 s and
            # notices the signal within ACCEPT_WAKE_S; 10 s leaves room for load.
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        return rc

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# Helpers: clients


class LocalHTTPS(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 while verifying the name 'localhost' (no ::1 detour)."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        # http.client writes head and body separately: without TCP_NODELAY, Nagle
        # plus the server's delayed ACK stalls every kept-alive request by 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname="localhost")


def client_context(cafile, max_version=None):
    ctx = ssl.create_default_context(cafile=cafile)
    if max_version:
        ctx.maximum_version = max_version
    return ctx


class RawResponse:
    def __init__(self, status, headers, body, chunks, trailers):
        self.status = status
        self.headers = headers  # [(lowercased name, value)]
        self.body = body
        self.chunks = chunks  # [(size, extension bytes)] incl. the last 0 chunk
        self.trailers = trailers

    def header(self, name):
        values = [v for n, v in self.headers if n == name]
        return values[0] if len(values) == 1 else (values or None)

    def json(self):
        return json.loads(self.body)


def read_crlf_line(f):
    line = f.readline(65536)
    if not line.endswith(b"\r\n"):
        raise AssertionError("line not CRLF-terminated: %r" % line)
    return line[:-2]


def read_response(f):
    """Strict parse of one reply from a binary file object."""
    status_line = read_crlf_line(f).decode("ascii")
    version, status, _reason = status_line.split(" ", 2)
    assert version == "HTTP/1.1", status_line
    headers = []
    while True:
        line = read_crlf_line(f).decode("ascii")
        if not line:
            break
        name, value = line.split(":", 1)
        assert name == name.strip() and value.startswith(" "), line
        headers.append((name.lower(), value.strip()))
    names = [n for n, _ in headers]
    chunks, trailers = [], []
    if "transfer-encoding" in names:
        assert "content-length" not in names
        body = b""
        while True:
            size_text, _, ext = read_crlf_line(f).partition(b";")
            size = int(size_text, 16)
            chunks.append((size, ext))
            if size == 0:
                break
            data = f.read(size)
            assert len(data) == size, "short chunk"
            assert f.read(2) == b"\r\n", "chunk not followed by CRLF"
            body += data
        while True:
            line = read_crlf_line(f)
            if not line:
                break
            trailers.append(line.decode("ascii"))
    else:
        length = int(dict(headers)["content-length"])
        body = f.read(length)
        assert len(body) == length, "short body"
    return RawResponse(int(status), headers, body, chunks, trailers)


def request_bytes(method, path, body=b"", content_type=JSON_CT, extra=()):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: localhost"]
    if content_type:
        lines.append("Content-Type: " + content_type)
    if method == "POST" or body:
        lines.append("Content-Length: %d" % len(body))
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def get_token_request(extra=()):
    """Raw bytes of a valid getToken request."""
    return request_bytes("POST", GT, json.dumps(GET_TOKEN).encode(), extra=extra)


class CountingFile:
    """Counts the bytes read_response() consumed from a binary file."""

    def __init__(self, f):
        self.f = f
        self.count = 0

    def readline(self, limit=-1):
        data = self.f.readline(limit)
        self.count += len(data)
        return data

    def read(self, n=-1):
        data = self.f.read(n)
        self.count += len(data)
        return data


def read_all(sock, limit=1 << 20):
    """Everything until EOF (a TLS EOF without close_notify counts as EOF)."""
    data = b""
    while len(data) < limit:
        try:
            piece = sock.recv(65536)
        except (ssl.SSLEOFError, ConnectionResetError):
            break
        if not piece:
            break
        data += piece
    return data


# ---------------------------------------------------------------------------
# The tests


class MockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kg_mock_test.")
        cls.pki = os.path.join(cls.tmp, "pki")
        subprocess.run(["sh", MAKE_CERTS, cls.pki], check=True)
        cls.ca = os.path.join(cls.pki, "ca.pem")
        cls.ctx = client_context(cls.ca)
        codes = ["--code", "code-ok-1", "--code", "code-ok-2"]
        cls.mock = MockProcess(cls.tmp, "main", cls.tls_args("server") + codes)
        cls.port = cls.mock.port

    @classmethod
    def tearDownClass(cls):
        rc = cls.mock.stop()
        log = cls.mock.log_text()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        # Checked here, after every test ran, so every request is in the log.
        assert rc == 0, "mock exit status %s" % rc
        assert "kgsecret" not in log, "secret in the mock's log"
        assert not re.search(r"[AR]T_[0-9a-f]{32}", log), "token in the mock's log"
        # Codes (QC_...), signs and tokens all carry 32 hex digits; QR ids 24.
        assert not re.search(r"[0-9a-f]{24}", log), "token, code, sign or QR id in the log"
        assert "QC_" not in log, "code in the mock's log"
        assert "(status=2)" in log and "(injected)" in log and "(broker rejected)" in log, log
        assert "Traceback" not in log, log

    @classmethod
    def tls_args(cls, name):
        base = os.path.join(cls.pki, name)
        return ["--cert", base + ".pem", "--key", base + ".key"]

    def setUp(self):
        self.conn = None  # kept-alive connection of api()
        self.control("POST", "/__mock/reset")

    def tearDown(self):
        if self.conn is not None:
            self.conn.close()

    # -- client helpers -----------------------------------------------------

    def connection(self, ctx=None):
        return LocalHTTPS("localhost", self.port, context=ctx or self.ctx, timeout=5)

    def call(self, method, path, body=None, content_type=JSON_CT, conn=None, headers=None):
        """One request through http.client: (status, headers, raw body, json or None)."""
        own = conn is None
        conn = conn or self.connection()
        hdrs = dict(headers or {})
        if content_type:
            hdrs["Content-Type"] = content_type
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = None
            return resp.status, resp, raw, doc
        finally:
            if own:
                conn.close()

    def control(self, method, path, body=None):
        status, _, _, doc = self.call(method, path, body)
        self.assertEqual(status, 200, doc)
        return doc

    def configure(self, **knobs):
        return self.control("POST", "/__mock/config", knobs)["config"]

    def stats(self):
        return self.control("GET", "/__mock/stats")

    def raw_socket(self, port=None, plain=False):
        sock = socket.create_connection(("127.0.0.1", port or self.port), timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if plain:
            return sock
        return self.ctx.wrap_socket(sock, server_hostname="localhost")

    def raw_exchange(self, data, sock=None):
        """Send bytes, parse one reply; returns (reply, socket, file)."""
        sock = sock or self.raw_socket()
        sock.sendall(data)
        f = sock.makefile("rb")
        return read_response(f), sock, f

    def assert_error(self, status, http_status, doc, code):
        self.assertEqual(status, http_status, doc)
        self.assertEqual(doc["error_code"], code, doc)
        self.assertIsInstance(doc["error_msg"], str)
        self.assertTrue(doc["error_msg"])

    def assert_closed(self, sock, f):
        """The server closed: nothing more to read."""
        self.assertEqual(f.read(), b"")
        f.close()
        sock.close()

    # -- certificates ------------------------------------------------------

    def openssl(self, *args):
        return subprocess.run(["openssl"] + list(args), capture_output=True, text=True)

    def test_certs_verify_and_names(self):
        pem = lambda n: os.path.join(self.pki, n + ".pem")
        verify = lambda ca, leaf: self.openssl("verify", "-CAfile", pem(ca), pem(leaf)).returncode
        self.assertEqual(verify("ca", "server"), 0)
        self.assertEqual(verify("ca", "wrongname"), 0)
        self.assertNotEqual(verify("other_ca", "server"), 0)
        ext = lambda n, which: self.openssl("x509", "-noout", "-ext", which, "-in", pem(n)).stdout
        san = ext("server", "subjectAltName")
        self.assertIn("DNS:localhost", san)
        self.assertIn("IP Address:127.0.0.1", san)
        wrong = ext("wrongname", "subjectAltName,subject")
        self.assertIn("DNS:wrong.example", wrong)
        self.assertNotIn("localhost", wrong)
        self.assertNotIn("127.0.0.1", wrong)
        text = self.openssl("x509", "-noout", "-text", "-in", pem("server")).stdout
        needles = ("CA:FALSE", "Digital Signature", "TLS Web Server Authentication",
                   "ecdsa-with-SHA256", "P-256")
        for needle in needles:
            self.assertIn(needle, text)
        ca_text = self.openssl("x509", "-noout", "-text", "-in", pem("ca")).stdout
        self.assertIn("CA:TRUE", ca_text)
        self.assertIn("Certificate Sign", ca_text)

    def test_certs_idempotent(self):
        before = os.stat(os.path.join(self.pki, "server.pem")).st_mtime_ns
        subprocess.run(["sh", MAKE_CERTS, self.pki], check=True)
        self.assertEqual(os.stat(os.path.join(self.pki, "server.pem")).st_mtime_ns, before)

    def test_tls_untrusted_ca(self):
        ctx = client_context(os.path.join(self.pki, "other_ca.pem"))
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.call("POST", GT, GET_TOKEN, conn=self.connection(ctx))

    def test_tls_wrong_hostname(self):
        other = MockProcess(self.tmp, "wrongname", self.tls_args("wrongname"))
        try:
            sock = socket.create_connection(("127.0.0.1", other.port), timeout=5)
            with self.assertRaises(ssl.SSLCertVerificationError) as cm:
                self.ctx.wrap_socket(sock, server_hostname="localhost")
            self.assertIn("mismatch", str(cm.exception).lower())
            sock.close()
        finally:
            self.assertEqual(other.stop(), 0)

    # -- the two platform endpoints ---------------------------------------

    def test_get_token_both_prefixes(self):
        for prefix in ("", "/test"):
            status, resp, raw, doc = self.call("POST", prefix + GT, GET_TOKEN)
            self.assertEqual(status, 200)
            self.assertEqual(resp.getheader("Content-Type"), "application/json; charset=utf-8")
            keys = ["access_token", "expires_in", "refresh_token", "error_code", "error_msg"]
            self.assertEqual(list(doc), keys)
            self.assertRegex(doc["access_token"], r"^AT_[0-9a-f]{32}$")
            self.assertRegex(doc["refresh_token"], r"^RT_[0-9a-f]{32}$")
            self.assertEqual((doc["expires_in"], doc["error_code"]), (7200, 0))
            self.assertEqual(doc["error_msg"], "")

    def test_access_token_both_prefixes(self):
        seen = []
        for prefix in ("", "/test"):
            status, _, raw, doc = self.call("POST", prefix + UT, USER_TOKEN)
            self.assertEqual(status, 200)
            keys = ["access_token", "expires_in", "refresh_token", "openid", "unionid", "scope",
                    "orig_acnt_type", "error_code", "error_msg"]
            self.assertEqual(list(doc), keys)
            self.assertEqual(doc["scope"], "user_info,song_play")
            ints = (doc["expires_in"], doc["orig_acnt_type"], doc["error_code"])
            self.assertEqual(ints, (7200, 2, 0))
            self.assertEqual(doc["error_msg"], "成功 ok")
            self.assertIn("成功 ok".encode("utf-8"), raw)  # raw UTF-8 by default
            seen.append(doc)
        self.assertEqual(seen[0]["openid"], seen[1]["openid"])
        self.assertEqual(seen[0]["unionid"], seen[1]["unionid"])
        self.assertNotEqual(seen[0]["access_token"], seen[1]["access_token"])
        _, _, _, other = self.call("POST", UT, dict(USER_TOKEN, code="code-ok-2"))
        self.assertEqual(other["error_code"], 0)
        self.assertNotEqual(other["openid"], seen[0]["openid"])

    def test_unknown_request_fields_ignored(self):
        body = dict(GET_TOKEN, extra={"x": [1, None]}, n=1.5)
        status, _, _, doc = self.call("POST", GT, body)
        self.assertEqual((status, doc["error_code"]), (200, 0))

    # -- errors --------------------------------------------------------------

    def test_wrong_method(self):
        for path in (GT, "/test/oauth/v2/access_token"):
            status, resp, _, doc = self.call("GET", path, content_type=None)
            self.assert_error(status, 405, doc, 1002)
            self.assertEqual(resp.getheader("Allow"), "POST")

    def test_unknown_path(self):
        for path in ("/api/v2/nothing", "/prod/api/v2/getToken", "/test/test/api/v2/getToken",
                     "/api/v2/getToken/", "/", "/__mockx"):
            status, _, _, doc = self.call("POST", path, GET_TOKEN)
            self.assert_error(status, 404, doc, 1002)

    def test_content_type(self):
        for ct in (None, "text/plain", "application/jsonx", "application/x-www-form-urlencoded"):
            status, _, _, doc = self.call("POST", GT, GET_TOKEN, content_type=ct)
            self.assert_error(status, 400, doc, 1002)
        for ct in ("application/json; charset=utf-8", "Application/JSON",
                   "application/json;charset=UTF-8"):
            status, _, _, doc = self.call("POST", GT, GET_TOKEN, content_type=ct)
            self.assertEqual((status, doc["error_code"]), (200, 0), ct)

    def test_bad_json(self):
        for body in (b"", b"{", b"[1]", b'"x"', b"null", b'{"a":NaN}', b'{"a":1,"a":2}',
                     b'\xef\xbb\xbf{}', b'{"appid":"\xff"}', b"{} x"):
            status, _, _, doc = self.call("POST", GT, body)
            self.assert_error(status, 400, doc, 1002)

    def test_missing_or_invalid_fields(self):
        cases = [(GT, GET_TOKEN), (UT, USER_TOKEN)]
        for path, good in cases:
            for name in good:
                for bad in (None, 1, "", ["x"]):
                    body = dict(good)
                    if bad is None:
                        del body[name]
                    else:
                        body[name] = bad
                    status, _, _, doc = self.call("POST", path, body)
                    self.assert_error(status, 200, doc, 3001)
                    self.assertEqual(doc["error_msg"], "missing or invalid parameter: " + name)

    def test_wrong_grant_type(self):
        for path, good, wrong in ((GT, GET_TOKEN, "authorization_code"),
                                  (UT, USER_TOKEN, "client_credential")):
            status, _, _, doc = self.call("POST", path, dict(good, grant_type=wrong))
            self.assert_error(status, 200, doc, 1002)

    def test_bad_credentials(self):
        for path, good in ((GT, GET_TOKEN), (UT, USER_TOKEN)):
            for change in ({"appid": "nope"}, {"secret": "kgsecret2"}, {"secret": "KGSECRET"}):
                status, _, _, doc = self.call("POST", path, dict(good, **change))
                self.assert_error(status, 200, doc, 3003)

    def test_invalid_code(self):
        status, _, _, doc = self.call("POST", UT, dict(USER_TOKEN, code="code-bad"))
        self.assert_error(status, 200, doc, 1003)
        self.assertIn("authorization expired", doc["error_msg"])
        self.assertIn("code", doc["error_msg"])

    def test_http_framing_errors(self):
        good = json.dumps(GET_TOKEN).encode()
        cases = {
            "chunked request": (411, b"POST /api/v2/getToken HTTP/1.1\r\nHost: localhost\r\n"
                                b"Content-Type: application/json\r\n"
                                b"Transfer-Encoding: chunked\r\n\r\n"
                                + b"%x\r\n" % len(good) + good + b"\r\n0\r\n\r\n"),
            "no length": (411, b"POST /api/v2/getToken HTTP/1.1\r\nHost: localhost\r\n"
                          b"Content-Type: application/json\r\n\r\n"),
            "bare LF": (400, b"POST /api/v2/getToken HTTP/1.1\nHost: localhost\n\n"),
            "bad line": (400, b"POST  /api/v2/getToken HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            "lowercase method": (400, b"post /api/v2/getToken HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            "absolute form": (400, b"POST http://localhost/api/v2/getToken HTTP/1.1\r\n"
                              b"Host: localhost\r\n\r\n"),
            "HTTP/1.0": (505, request_bytes("POST", GT, good).replace(b"HTTP/1.1", b"HTTP/1.0")),
            "no Host": (400, request_bytes("POST", GT, good).replace(b"Host: localhost\r\n", b"")),
            "two Hosts": (400, request_bytes("POST", GT, good, extra=["Host: x"])),
            "folding": (400, request_bytes("POST", GT, good, extra=["X-A: 1", " 2"])),
            "space before colon": (400, request_bytes("POST", GT, good, extra=["X-A : 1"])),
            "bad length": (400, request_bytes("POST", GT, good).replace(
                b"Content-Length: %d" % len(good), b"Content-Length: +%d" % len(good))),
            "conflicting lengths": (400, request_bytes("POST", GT, good,
                                                       extra=["Content-Length: 1"])),
            "too large": (413, request_bytes("POST", GT).replace(
                b"Content-Length: 0", b"Content-Length: 999999")),
            "expect": (417, request_bytes("POST", GT, good, extra=["Expect: 100-continue"])),
        }
        for name, (want, data) in cases.items():
            with self.subTest(name):
                reply, sock, f = self.raw_exchange(data)
                self.assertEqual(reply.status, want)
                self.assertEqual(reply.header("connection"), "close")
                self.assertEqual(reply.json()["error_code"], 1002)
                self.assert_closed(sock, f)
        self.assertEqual(self.stats()["requests"], len(cases))

    # -- keep-alive and stats ---------------------------------------------

    def test_keep_alive_and_stats(self):
        conn = self.connection()
        try:
            self.call("POST", GT, GET_TOKEN, conn=conn)
            self.call("POST", UT, USER_TOKEN, conn=conn,
                      headers={"X-Open-Id": "", "User-Agent": "kgiot-test"})
        finally:
            conn.close()
        st = self.stats()
        self.assertEqual((st["connections"], st["requests"]), (1, 2))
        self.assertEqual((st["tls_handshakes_full"], st["tls_handshakes_resumed"]), (1, 0))
        last = st["last_request"]
        self.assertEqual((last["method"], last["path"]), ("POST", UT))
        self.assertEqual(last["body"], USER_TOKEN)
        self.assertEqual(last["headers"]["content-type"], JSON_CT)
        self.assertEqual(last["headers"]["user-agent"], "kgiot-test")
        self.assertEqual(last["headers"]["x-open-id"], "")
        self.assertEqual(last["headers"]["host"], "localhost:%d" % self.port)

    def test_control_requests_not_counted(self):
        self.stats()
        self.configure(numbers="number")
        st = self.stats()
        self.assertEqual((st["connections"], st["requests"], st["tls_handshakes_full"]), (0, 0, 0))
        self.assertIsNone(st["last_request"])

    def test_reset(self):
        self.configure(encoding="chunked", numbers="string", status=503, delay_ms=5)
        self.call("POST", GT, GET_TOKEN)
        doc = self.control("POST", "/__mock/reset")
        self.assertEqual(doc["config"]["encoding"], "length")
        self.assertEqual(doc["config"]["delay_ms"], 0)
        st = self.stats()
        self.assertEqual((st["connections"], st["requests"], st["last_request"]), (0, 0, None))
        _, resp, _, doc = self.call("POST", GT, GET_TOKEN)
        self.assertEqual((resp.status, doc["expires_in"]), (200, 7200))

    def test_control_post_without_length(self):
        self.configure(numbers="string")
        data = b"POST /__mock/reset HTTP/1.1\r\nHost: localhost\r\n\r\n"
        reply, sock, f = self.raw_exchange(data)
        sock.close()
        self.assertEqual((reply.status, reply.json()["config"]["numbers"]), (200, "number"))
        reply, sock, f = self.raw_exchange(b"POST /__mock/reset HTTP/1.1\r\n\r\n")  # no Host
        self.assertEqual(reply.status, 400)
        self.assert_closed(sock, f)
        self.assertEqual(self.stats()["requests"], 0)

    def test_config_validation(self):
        for body in ({"encodng": "chunked"}, {"encoding": "gzip"}, {"escape": 1}, {"status": 200},
                     {"status": "503"}, {"chunk_size": -1}, {"delay_ms": True}, [1], b"{"):
            status, _, _, doc = self.call("POST", "/__mock/config", body)
            self.assert_error(status, 400, doc, 1002)
        status, _, _, doc = self.call("GET", "/__mock/config", content_type=None)
        self.assertEqual((status, doc["config"]["encoding"]), (200, "length"))
        status, _, _, doc = self.call("GET", "/__mock/reset", content_type=None)
        self.assertEqual(status, 405)
        status, _, _, doc = self.call("GET", "/__mock/nothing", content_type=None)
        self.assertEqual(status, 404)

    # -- reply knobs -------------------------------------------------------

    def test_chunked_with_extensions_and_trailers(self):
        self.configure(encoding="chunked", chunk_size=7, chunk_ext=True, trailers=True)
        sock = self.raw_socket()
        try:
            for _ in range(2):  # and the connection stays usable afterwards
                body = json.dumps(GET_TOKEN).encode()
                reply, sock, f = self.raw_exchange(request_bytes("POST", GT, body), sock)
                self.assertEqual(reply.status, 200)
                self.assertEqual(reply.header("transfer-encoding"), "chunked")
                self.assertIsNone(reply.header("content-length"))
                self.assertEqual(reply.header("trailer"), "X-Mock-Trailer")
                sizes = [s for s, _ in reply.chunks]
                self.assertTrue(all(s == 7 for s in sizes[:-2]))
                self.assertTrue(0 < sizes[-2] <= 7)
                self.assertEqual(sizes[-1], 0)
                self.assertTrue(all(ext == b"foo=bar" for _, ext in reply.chunks))
                self.assertEqual(reply.trailers, ["X-Mock-Trailer: done"])
                self.assertEqual(reply.json()["error_code"], 0)
        finally:
            sock.close()
        self.assertEqual(self.stats()["connections"], 1)

    def test_gateway_headers(self):
        self.configure(gateway_headers=9000, encoding="chunked")
        body = json.dumps(USER_TOKEN).encode()
        reply, sock, f = self.raw_exchange(request_bytes("POST", UT, body))
        sock.close()
        names = [n for n, _ in reply.headers]
        own = {"date", "server", "content-type", "transfer-encoding"}
        added = [(n, v) for n, v in reply.headers if n not in own]
        self.assertEqual(sum(len(n) + len(v) + 4 for n, v in added), 9000)
        self.assertTrue(all(len(v) <= 4096 for _, v in added))
        self.assertGreaterEqual(names.count("set-cookie"), 2)
        self.assertNotIn(names.index("date"), (0, len(names) - 1), "Date among them")
        self.assertEqual(reply.json()["error_code"], 0)
        status, _, _, doc = self.call("GET", "/__mock/config", content_type=None)
        self.assertEqual(doc["config"]["gateway_headers"], 9000)
        for bad in (-1, True, (1 << 20) + 1):
            status, _, _, doc = self.call("POST", "/__mock/config", {"gateway_headers": bad})
            self.assertEqual(status, 400)

    def test_chunked_default_two_chunks(self):
        self.configure(encoding="chunked")
        body = json.dumps(USER_TOKEN).encode()
        reply, sock, f = self.raw_exchange(request_bytes("POST", UT, body))
        sock.close()
        sizes = [s for s, _ in reply.chunks]
        self.assertEqual(len(sizes), 3)
        self.assertEqual(sizes[-1], 0)
        self.assertEqual(sizes[0] + sizes[1], len(reply.body))
        self.assertEqual(reply.chunks[0][1], b"")
        self.assertEqual(reply.trailers, [])
        self.assertEqual(reply.json()["error_msg"], "成功 ok")

    def test_numbers_as_strings(self):
        self.configure(numbers="string")
        _, _, raw, doc = self.call("POST", UT, USER_TOKEN)
        ints = (doc["expires_in"], doc["orig_acnt_type"], doc["error_code"])
        self.assertEqual(ints, ("7200", "2", "0"))
        _, _, _, doc = self.call("POST", UT, dict(USER_TOKEN, code="x"))
        self.assertEqual(doc["error_code"], "1003")

    def test_escape(self):
        self.configure(escape=True)
        _, _, raw, doc = self.call("POST", UT, USER_TOKEN)
        self.assertTrue(raw.isascii())
        self.assertIn(rb'"access\u005Ftoken"', raw)
        self.assertIn(rb'"AT\u005F', raw)
        self.assertIn(rb"\u6210\u529f ok", raw)
        self.assertEqual(doc["error_msg"], "成功 ok")
        self.assertRegex(doc["access_token"], r"^AT_[0-9a-f]{32}$")
        _, _, raw, doc = self.call("POST", "/no/such/path", GET_TOKEN)
        self.assertIn(rb"\/no\/such\/path", raw)
        self.assertEqual(doc["error_msg"], "unknown path: /no/such/path")

    def test_extra_fields(self):
        self.configure(extra_fields=True)
        _, _, raw, _ = self.call("POST", UT, USER_TOKEN)
        pairs = json.loads(raw, object_pairs_hook=lambda p: p)
        keys = [k for k, _ in pairs]
        self.assertLess(keys.index("x_obj"), keys.index("access_token"))
        self.assertGreater(keys.index("x_tail"), keys.index("error_msg"))
        doc = dict(pairs)
        self.assertEqual(doc["error_code"], 0)
        types = {type(v) for v in json.loads(raw).values()}
        self.assertTrue({dict, list, type(None), bool, float, int, str} <= types)
        self.assertIn(b"\xf0\x9f\x8e\xa4", raw)  # a non-BMP character, raw

    def test_all_shape_knobs_together(self):
        self.configure(escape=True, extra_fields=True, pretty=True, numbers="string",
                       encoding="chunked", chunk_size=5)
        status, _, raw, doc = self.call("POST", UT, USER_TOKEN)
        self.assertTrue(raw.isascii())
        self.assertIn(b"\n", raw)
        self.assertIn(rb"\ud83c\udfa4", raw)  # surrogate pair
        self.assertEqual((status, doc["error_code"], doc["expires_in"]), (200, "0", "7200"))
        self.assertEqual(doc["x_obj"]["error_code"], 999)  # decoy stays nested

    def test_close_knob(self):
        self.configure(close=True)
        reply, sock, f = self.raw_exchange(get_token_request())
        self.assertEqual(reply.header("connection"), "close")
        self.assertEqual(reply.json()["error_code"], 0)
        self.assert_closed(sock, f)
        self.assertEqual(self.configure()["close"], True)  # not one-shot

    def test_client_connection_close(self):
        data = get_token_request(extra=["Connection: close"])
        reply, sock, f = self.raw_exchange(data)
        self.assertEqual(reply.header("connection"), "close")
        self.assert_closed(sock, f)

    def test_keep_alive_by_default(self):
        reply, sock, f = self.raw_exchange(get_token_request())
        self.assertIsNone(reply.header("connection"))
        reply, sock, f = self.raw_exchange(request_bytes("GET", GT, content_type=None), sock)
        self.assertEqual(reply.status, 405)
        sock.close()

    def test_close_mid_body(self):
        for encoding in ("length", "chunked"):
            with self.subTest(encoding):
                self.configure(close_mid_body=True, encoding=encoding)
                sock = self.raw_socket()
                sock.sendall(get_token_request())
                data = read_all(sock)
                sock.close()
                head, _, body = data.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(b"HTTP/1.1 200 OK\r\n"))
                self.assertNotIn(b"Connection: close", head)
                if encoding == "length":
                    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                    self.assertTrue(0 < len(body) < length, (len(body), length))
                else:
                    self.assertIn(b"Transfer-Encoding: chunked", head)
                    self.assertNotIn(b"\r\n0\r\n\r\n", body)
                    self.assertTrue(body)
                # one shot: the next reply is whole
                status, _, _, doc = self.call("POST", GT, GET_TOKEN)
                self.assertEqual((status, doc["error_code"]), (200, 0))

    def test_forced_status_one_shot(self):
        for forced, code in ((503, 1001), (401, 1003), (400, 1002)):
            self.configure(status=forced)
            status, _, _, doc = self.call("POST", GT, GET_TOKEN)
            self.assert_error(status, forced, doc, code)
            status, _, _, doc = self.call("POST", GT, GET_TOKEN)
            self.assertEqual((status, doc["error_code"]), (200, 0))

    def test_delay(self):
        self.configure(delay_ms=300)
        start = time.monotonic()
        self.call("POST", GT, GET_TOKEN)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)

    def test_expires_in_knob(self):
        self.configure(expires_in=5)
        _, _, _, doc = self.call("POST", GT, GET_TOKEN)
        self.assertEqual(doc["expires_in"], 5)

    # -- TLS session resumption --------------------------------------------

    def resumed_pair(self, ctx):
        """Two connections, the second offering the first one's session."""
        session = None
        reused = []
        for _ in range(2):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            tls = ctx.wrap_socket(sock, server_hostname="localhost", session=session)
            reply, _, f = self.raw_exchange(get_token_request(), tls)
            self.assertEqual(reply.status, 200)
            reused.append(tls.session_reused)
            session = tls.session
            f.close()
            tls.close()
        return reused

    def test_tls_resumption(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version.name):
                self.control("POST", "/__mock/reset")
                self.assertEqual(self.resumed_pair(client_context(self.ca, version)), [False, True])
                st = self.stats()
                names = ("connections", "tls_handshakes_full", "tls_handshakes_resumed")
                counts = tuple(st[n] for n in names)
                self.assertEqual(counts, (2, 1, 1))

    def test_tls12_only_session_id_resumption(self):
        args = self.tls_args("server") + ["--tls-max", "1.2", "--no-tickets"]
        other = MockProcess(self.tmp, "tls12", args)
        try:
            port, self.port = self.port, other.port  # resumed_pair() talks to self.port
            try:
                ctx13 = client_context(self.ca)
                ctx13.minimum_version = ssl.TLSVersion.TLSv1_3
                with self.assertRaises(ssl.SSLError):
                    self.call("POST", GT, GET_TOKEN, conn=self.connection(ctx13))
                self.assertEqual(self.resumed_pair(client_context(self.ca)), [False, True])
                self.assertEqual(self.stats()["tls_handshakes_resumed"], 1)
            finally:
                self.port = port
        finally:
            self.assertEqual(other.stop(), 0)

    def test_stop_signal_caught_by_a_connection_thread(self):
        # A process-directed SIGTERM may be taken by any thread that does not
        # block it; CPython then only sets a flag for the main thread, which
        # must still notice it while it waits in accept().
        other = MockProcess(self.tmp, "stop", self.tls_args("server"))
        sock = self.raw_socket(port=other.port)  # a connection thread waiting in recv
        try:
            main_tid = other.proc.pid
            deadline = time.monotonic() + 5
            workers = []
            while not workers and time.monotonic() < deadline:
                tids = os.listdir("/proc/%d/task" % main_tid)
                workers = [int(t) for t in tids if int(t) != main_tid]
            self.assertTrue(workers, "no connection thread")
            libc = ctypes.CDLL(None, use_errno=True)
            self.assertEqual(libc.tgkill(main_tid, workers[0], int(signal.SIGTERM)), 0)
            self.assertEqual(other.proc.wait(10), 0)
        finally:
            sock.close()
            other.stop()

    # -- platform helpers ----------------------------------------------------

    def api(self, path, body, headers=None):
        """A platform call on the test's kept-alive connection: (HTTP status, reply JSON).
        Reconnects once when the server has closed it (close_after, close)."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = self.connection()
            try:
                status, _, _, doc = self.call("POST", path, body, conn=self.conn, headers=headers)
                return status, doc
            except (http.client.RemoteDisconnected, ConnectionError, ssl.SSLEOFError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def ok(self, path, body, headers=None):
        status, doc = self.api(path, body, headers)
        self.assertEqual((status, doc.get("error_code")), (200, 0), doc)
        return doc

    def api_error(self, path, body, code, headers=None, http_status=200):
        status, doc = self.api(path, body, headers)
        self.assert_error(status, http_status, doc, code)
        return doc

    def app_token(self):
        return self.ok(GT, GET_TOKEN)

    def new_qr(self, app_token=None, prefix=""):
        token = app_token or self.app_token()["access_token"]
        return self.ok(prefix + QR, dict(appid="kgtest", access_token=token))

    def poll(self, qr_id, prefix=""):
        return self.ok(prefix + QRS, dict(appid="kgtest", qr_id=qr_id))

    def statuses(self, qr_id, n):
        return [self.poll(qr_id)["status"] for _ in range(n)]

    def qr_control(self, **body):
        return self.control("POST", "/__mock/qr", body)

    def exchange(self, code, prefix=""):
        return self.ok(prefix + UT, dict(USER_TOKEN, code=code))

    def qr_login(self, openid=None):
        """App token, QR, confirm (by control), code exchange: the user token reply."""
        qr = self.new_qr()
        self.qr_control(state="confirmed", **({"openid": openid} if openid else {}))
        return self.exchange(self.poll(qr["qr_id"])["code"])

    def refresh_body(self, refresh_token, openid=None, ts=None, key="kgsecret", **over):
        ts = int(time.time()) if ts is None else ts
        body = {"appid": "kgtest"}
        if openid is not None:
            body["openid"] = openid
        body.update(refresh_token=refresh_token, ts=ts, sign=sign(ts, appkey=key))
        body.update(over)
        return body

    def user_headers(self, token, openid, appid="kgtest"):
        return {"X-App-Id": appid, "X-Access-Token": token, "X-Open-Id": openid}

    def echo(self, tok, body=None):
        """A user echo with a user token reply: (status, reply JSON)."""
        headers = self.user_headers(tok["access_token"], tok["openid"])
        return self.api(USER_ECHO, body or {"n": 1}, headers)

    def assert_token_dead(self, tok):
        status, doc = self.echo(tok)
        self.assert_error(status, 200, doc, 1003)

    # -- the QR login (#2, #3, #4) --------------------------------------------

    def test_qr_flow_by_polls(self):
        for prefix in ("", "/test"):
            with self.subTest(prefix=prefix):
                qr = self.new_qr(prefix=prefix)
                self.assertEqual(list(qr), ["qr_url", "qr_id", "expires_in", "error_code",
                                            "error_msg"])
                self.assertEqual(qr["qr_url"], "https://kg.qq.com/m/login?qr=" + qr["qr_id"])
                self.assertEqual((qr["expires_in"], qr["error_msg"]), (120, ""))
                self.assertRegex(qr["qr_id"], r"^QR_[0-9a-f]{24}$")
                replies = [self.poll(qr["qr_id"], prefix) for _ in range(4)]
                self.assertEqual([r["status"] for r in replies], [0, 1, 2, 2])
                self.assertEqual(list(replies[0]), ["status", "error_code", "error_msg"])
                self.assertEqual(list(replies[2]), ["status", "code", "error_code", "error_msg"])
                code = replies[2]["code"]
                self.assertEqual(replies[3]["code"], code)
                self.assertNotIn("code", replies[1])
                tok = self.exchange(code, prefix)
                self.assertEqual(tok["openid"], QR_OPENID)
                self.assertRegex(tok["access_token"], TOKEN_RE)
                self.assertRegex(tok["unionid"], r"^UNIONID_[0-9a-f]{28}$")
                self.assertEqual(self.stats()["by_path"][QRS], 4)
                self.control("POST", "/__mock/reset")

    def test_qr_code_single_use(self):
        qr_id = self.new_qr()["qr_id"]
        self.assertEqual(self.statuses(qr_id, 2), [0, 1])
        code = self.poll(qr_id)["code"]
        self.exchange(code)
        doc = self.api_error(UT, dict(USER_TOKEN, code=code), 1003)
        self.assertIn("used", doc["error_msg"])
        self.api_error("/test" + UT, dict(USER_TOKEN, code=code), 1003)
        # A wrong secret does not burn a code.
        qr = self.new_qr()
        self.qr_control(state="confirmed")
        code = self.poll(qr["qr_id"])["code"]
        self.api_error(UT, dict(USER_TOKEN, code=code, secret="wrong"), 3003)
        self.exchange(code)

    def test_static_codes_reusable_unless_single_use(self):
        first = self.exchange("code-ok-1")
        second = self.exchange("code-ok-1")
        self.assertEqual(first["openid"], second["openid"])
        self.assert_token_dead(first)  # a new login invalidates the old token
        self.configure(codes_single_use=True)
        self.exchange("code-ok-2")
        self.api_error(UT, dict(USER_TOKEN, code="code-ok-2"), 1003)

    def test_qr_confirm_after_polls_knob(self):
        for n, want in ((5, [0, 0, 1, 1, 2, 2]), (1, [2, 2]), (2, [0, 2]), (0, [0] * 6)):
            with self.subTest(n=n):
                self.configure(confirm_after_polls=n)
                qr = self.new_qr()
                self.assertEqual(self.statuses(qr["qr_id"], len(want)), want)

    def test_qr_auto_confirm_on_the_clock(self):
        self.configure(auto_confirm_s=10)
        qr = self.new_qr()
        self.assertEqual(self.statuses(qr["qr_id"], 5), [0] * 5)  # polls do not matter
        self.control("POST", "/__mock/clock", {"advance_s": 5})
        self.assertEqual(self.poll(qr["qr_id"])["status"], 1)
        self.control("POST", "/__mock/clock", {"advance_s": 5})
        doc = self.poll(qr["qr_id"])
        self.assertEqual(doc["status"], 2)
        self.assertEqual(self.exchange(doc["code"])["openid"], QR_OPENID)

    def test_qr_control(self):
        self.configure(confirm_after_polls=1)  # the schedule must not touch a controlled QR
        first = self.new_qr()["qr_id"]
        qr = self.new_qr()["qr_id"]
        doc = self.qr_control(state="scanned")  # the newest by default
        self.assertEqual((doc["qr_id"], doc["state"], doc["status"]), (qr, "scanned", 1))
        self.assertEqual(self.statuses(qr, 3), [1, 1, 1])
        self.qr_control(qr_id=qr, state="confirmed", openid="OPENID_OTHER")
        code = self.poll(qr)["code"]
        self.assertEqual(self.exchange(code)["openid"], "OPENID_OTHER")
        for state, status in (("cancelled", 4), ("expired", 3), ("waiting", 0), (7, 7)):
            self.qr_control(qr_id=first, state=state)
            doc = self.poll(first)
            self.assertEqual(doc["status"], status)
            self.assertNotIn("code", doc)
        listing = self.control("GET", "/__mock/qr")["qrs"]
        self.assertEqual([q["qr_id"] for q in listing], [first, qr])
        self.assertEqual([q["status"] for q in listing], [7, 2])
        for body in ({"state": "gone"}, {"state": True}, {"state": ["x"]}, {},
                     {"qr_id": 1, "state": "expired"}, {"state": "expired", "x": 1}):
            status, _, _, doc = self.call("POST", "/__mock/qr", body)
            self.assert_error(status, 400, doc, 1002)
        status, _, _, doc = self.call("POST", "/__mock/qr", {"qr_id": "QR_no", "state": "expired"})
        self.assert_error(status, 404, doc, 1002)
        self.control("POST", "/__mock/reset")
        status, _, _, doc = self.call("POST", "/__mock/qr", {"state": "expired"})
        self.assert_error(status, 404, doc, 1002)

    def test_qr_expires_after_ttl_unless_confirmed(self):
        self.configure(qr_ttl_s=30, confirm_after_polls=0)
        qr = self.new_qr()
        self.assertEqual(qr["expires_in"], 30)
        confirmed = self.new_qr()["qr_id"]
        self.qr_control(qr_id=confirmed, state="confirmed")
        self.assertEqual(self.poll(qr["qr_id"])["status"], 0)
        self.control("POST", "/__mock/clock", {"advance_s": 31})
        self.configure(confirm_after_polls=1)
        self.assertEqual(self.statuses(qr["qr_id"], 2), [3, 3])
        self.assertEqual(self.poll(confirmed)["status"], 2)

    def test_expire_qrs_and_cancel_knobs(self):
        self.configure(expire_qrs=2)
        qrs = [self.new_qr()["qr_id"] for _ in range(3)]
        self.assertEqual(self.configure()["expire_qrs"], 0)
        self.assertEqual([self.poll(q)["status"] for q in qrs], [3, 3, 0])
        self.assertEqual(self.poll(qrs[0])["status"], 3)  # for good
        self.configure(cancel=True)
        qrs = [self.new_qr()["qr_id"] for _ in range(2)]
        self.assertEqual(self.configure()["cancel"], False)
        self.assertEqual([self.poll(q)["status"] for q in qrs], [4, 0])

    def test_qr_errors(self):
        app = self.app_token()["access_token"]
        self.api_error(QRS, dict(appid="kgtest", qr_id="QR_nope"), 1002)
        for field in ("appid", "qr_id"):
            body = dict(appid="kgtest", qr_id="QR_x")
            del body[field]
            self.api_error(QRS, body, 3001)
        qr = self.new_qr(app)["qr_id"]
        self.api_error(QRS, dict(appid="other", qr_id=qr), 3003)
        for field in ("appid", "access_token"):
            body = dict(appid="kgtest", access_token=app)
            body[field] = ""
            self.api_error(QR, body, 3001)
        self.api_error(QR, dict(appid="other", access_token=app), 3003)
        self.api_error(QR, dict(appid="kgtest", access_token="AT_" + "0" * 32), 1003)
        user = self.exchange("code-ok-1")
        self.api_error(QR, dict(appid="kgtest", access_token=user["access_token"]), 1003)
        self.control("POST", "/__mock/clock", {"advance_s": 7200})
        doc = self.api_error(QR, dict(appid="kgtest", access_token=app), 1003)
        self.assertIn("expired", doc["error_msg"])

    def test_interval_and_slow_down(self):
        self.configure(min_interval_s=2)
        qr = self.new_qr()["qr_id"]
        doc = self.poll(qr)
        self.assertEqual(list(doc), ["status", "interval", "error_code", "error_msg"])
        self.assertEqual(doc["interval"], 2)
        self.assertEqual(self.poll(qr)["status"], 1)  # too fast, but only counted
        self.assertEqual(self.stats()["qr_polls_too_fast"], 1)
        self.configure(enforce_interval=True)
        self.api_error(QRS, dict(appid="kgtest", qr_id=qr), 1429)
        self.configure(min_interval_s=0, enforce_interval=False, slow_down=2)
        for _ in range(2):
            doc = self.api_error(QRS, dict(appid="kgtest", qr_id=qr), 1429)
            self.assertEqual(doc["error_msg"], "slow down")
        self.assertEqual(self.poll(qr)["status"], 2)  # refused polls did not count
        self.assertEqual(self.configure()["slow_down"], 0)
        self.assertEqual(self.stats()["qr_polls_too_fast"], 2)

    # -- tokens: new login, refresh (#5), expiry --------------------------------

    def test_new_login_invalidates_previous_user_token(self):
        first = self.qr_login()
        self.assertEqual(self.echo(first)[1]["error_code"], 0)
        other = self.qr_login(openid="OPENID_OTHER")
        second = self.qr_login()
        self.assertEqual(first["openid"], second["openid"])
        status, doc = self.echo(first)
        self.assert_error(status, 200, doc, 1003)
        self.assertIn("invalidated", doc["error_msg"])
        self.api_error(RF, self.refresh_body(first["refresh_token"], QR_OPENID), 1003)
        self.assertEqual(self.echo(second)[1]["error_code"], 0)
        self.assertEqual(self.echo(other)[1]["error_code"], 0)  # another user: untouched
        self.ok(RF, self.refresh_body(second["refresh_token"], QR_OPENID))

    def test_refresh_user_token_rotates(self):
        tok = self.qr_login()
        for prefix in ("", "/test"):
            doc = self.ok(prefix + RF, self.refresh_body(tok["refresh_token"], QR_OPENID))
            self.assertEqual(list(doc), ["access_token", "expires_in", "refresh_token",
                                         "error_code", "error_msg"])
            self.assertEqual((doc["expires_in"], doc["error_msg"]), (7200, ""))
            self.assertRegex(doc["refresh_token"], TOKEN_RE)
            self.assertNotEqual(doc["access_token"], tok["access_token"])
            self.assertNotEqual(doc["refresh_token"], tok["refresh_token"])
            self.assert_token_dead(tok)  # the old access token
            self.api_error(RF, self.refresh_body(tok["refresh_token"], QR_OPENID), 1003)
            tok = dict(tok, access_token=doc["access_token"], refresh_token=doc["refresh_token"])
            self.assertEqual(self.echo(tok)[1]["error_code"], 0)

    def test_refresh_without_rotation(self):
        self.configure(refresh_rotates=False)
        tok = self.qr_login()
        doc = self.ok(RF, self.refresh_body(tok["refresh_token"], QR_OPENID))
        self.assertEqual(list(doc), ["access_token", "expires_in", "error_code", "error_msg"])
        self.assert_token_dead(tok)
        again = self.ok(RF, self.refresh_body(tok["refresh_token"], QR_OPENID))
        self.assert_token_dead(dict(tok, access_token=doc["access_token"]))
        status, doc = self.echo(dict(tok, access_token=again["access_token"]))
        self.assertEqual((status, doc["error_code"]), (200, 0))

    def test_refresh_sign(self):
        tok = self.qr_login()
        rt = tok["refresh_token"]
        ts = int(time.time())
        bad_signs = (sign(ts, appkey="wrong"), sign(ts).upper(), sign(ts + 1), sign(ts, "other"))
        for bad in bad_signs:
            doc = self.api_error(RF, self.refresh_body(rt, QR_OPENID, ts=ts, sign=bad), 3003)
            self.assertIn("sign", doc["error_msg"])
        self.api_error(RF, self.refresh_body(rt, QR_OPENID, appid="other"), 3003)
        self.ok(RF, self.refresh_body(rt, QR_OPENID, ts=ts))

    def test_refresh_ts(self):
        tok = self.qr_login()
        rt = tok["refresh_token"]
        now = int(time.time())
        for bad in (str(now), float(now), None, True):
            body = self.refresh_body(rt, QR_OPENID, ts=now)
            body["ts"] = bad
            if bad is None:
                del body["ts"]
            doc = self.api_error(RF, body, 3001)
            self.assertEqual(doc["error_msg"], "missing or invalid parameter: ts")
        for ts in (now - 310, now + 310):
            doc = self.api_error(RF, self.refresh_body(rt, QR_OPENID, ts=ts), 1002)
            self.assertEqual(doc["error_msg"], "ts out of window")
        # The window is on the real clock: advancing the mock's clock leaves it alone.
        self.control("POST", "/__mock/clock", {"advance_s": 3600})
        self.ok(RF, self.refresh_body(rt, QR_OPENID, ts=now - 290))

    def test_refresh_fields_and_levels(self):
        app = self.app_token()
        user = self.qr_login()
        for field in ("appid", "refresh_token", "sign"):
            body = self.refresh_body(user["refresh_token"], QR_OPENID)
            del body[field]
            self.api_error(RF, body, 3001)
        self.api_error(RF, self.refresh_body(user["refresh_token"], ""), 3001)
        self.api_error(RF, self.refresh_body(user["refresh_token"], 5), 3001)
        self.api_error(RF, self.refresh_body("RT_" + "0" * 32, QR_OPENID), 1003)
        self.api_error(RF, self.refresh_body(user["access_token"], QR_OPENID), 1003)
        self.api_error(RF, self.refresh_body(user["refresh_token"]), 1003)  # openid missing
        self.api_error(RF, self.refresh_body(user["refresh_token"], "OPENID_OTHER"), 1003)
        self.api_error(RF, self.refresh_body(app["refresh_token"], QR_OPENID), 1003)
        # The app token: no openid.
        doc = self.ok(RF, self.refresh_body(app["refresh_token"]))
        self.api_error(QR, dict(appid="kgtest", access_token=app["access_token"]), 1003)
        self.new_qr(doc["access_token"])
        self.api_error(RF, self.refresh_body(app["refresh_token"]), 1003)
        self.ok(RF, self.refresh_body(doc["refresh_token"]))

    def test_expiry_on_the_mock_clock(self):
        self.configure(expires_in=600)
        tok = self.qr_login()
        self.assertEqual(tok["expires_in"], 600)
        self.control("POST", "/__mock/clock", {"advance_s": 590})
        self.assertEqual(self.echo(tok)[1]["error_code"], 0)
        clock = self.control("POST", "/__mock/clock", {"advance_s": 10})
        self.assertEqual(clock["offset_s"], 600)
        self.assertAlmostEqual(clock["now"] - clock["real_now"], 600, delta=1)
        status, doc = self.echo(tok)
        self.assert_error(status, 200, doc, 1003)
        self.assertIn("expired", doc["error_msg"])
        doc = self.ok(RF, self.refresh_body(tok["refresh_token"], QR_OPENID))
        tok = dict(tok, **doc)
        self.assertEqual(self.echo(tok)[1]["error_code"], 0)
        self.control("POST", "/__mock/clock", {"advance_s": 30 * 86400})
        self.api_error(RF, self.refresh_body(tok["refresh_token"], QR_OPENID), 1003)
        self.configure(refresh_ttl_s=100)
        tok = self.qr_login()
        self.control("POST", "/__mock/clock", {"advance_s": 100})
        self.api_error(RF, self.refresh_body(tok["refresh_token"], QR_OPENID), 1003)

    def test_clock_control(self):
        self.assertEqual(self.control("GET", "/__mock/clock")["offset_s"], 0)
        self.control("POST", "/__mock/clock", {"advance_s": 1.5})
        self.assertEqual(self.control("POST", "/__mock/clock", {"advance_s": 2})["offset_s"], 3.5)
        for body in ({"advance_s": -1}, {"advance_s": "5"}, {}, {"advance_s": 1, "x": 2}, [1]):
            status, _, _, doc = self.call("POST", "/__mock/clock", body)
            self.assert_error(status, 400, doc, 1002)
        self.control("POST", "/__mock/reset")
        self.assertEqual(self.control("GET", "/__mock/clock")["offset_s"], 0)

    def test_expire_control(self):
        app, user = self.app_token(), self.qr_login()
        self.assertEqual(self.control("POST", "/__mock/expire", {"what": "access",
                                                                 "level": "user"})["expired"], 1)
        self.assert_token_dead(user)
        self.new_qr(app["access_token"])  # the app token lives on
        user = dict(user, **self.ok(RF, self.refresh_body(user["refresh_token"], QR_OPENID)))
        self.assertEqual(self.echo(user)[1]["error_code"], 0)
        self.control("POST", "/__mock/expire", {"what": "refresh"})
        self.assertEqual(self.echo(user)[1]["error_code"], 0)
        self.api_error(RF, self.refresh_body(user["refresh_token"], QR_OPENID), 1003)
        self.api_error(RF, self.refresh_body(app["refresh_token"]), 1003)
        self.control("POST", "/__mock/expire", {"what": "all"})
        self.assert_token_dead(user)
        for body in ({"what": "both"}, {}, {"what": "all", "level": "x"}, {"what": "all", "y": 1}):
            status, _, _, doc = self.call("POST", "/__mock/expire", body)
            self.assert_error(status, 400, doc, 1002)

    def test_reset_forgets_tokens(self):
        app = self.app_token()
        self.control("POST", "/__mock/reset")
        self.api_error(QR, dict(appid="kgtest", access_token=app["access_token"]), 1003)

    # -- business calls -------------------------------------------------------

    def test_user_echo(self):
        user, app = self.qr_login(), self.app_token()
        hdr = self.user_headers(user["access_token"], user["openid"])
        body = {"song": "月亮代表我的心", "n": [1, None]}
        for prefix in ("", "/test"):
            doc = self.ok(prefix + USER_ECHO, body, hdr)
            self.assertEqual(doc, {"error_code": 0, "error_msg": "", "openid": QR_OPENID,
                                   "echo": body})
        cases = [
            (dict(hdr, **{"X-App-Id": ""}), 3001),
            (dict(hdr, **{"X-App-Id": "other"}), 3003),
            ({"X-App-Id": "kgtest", "X-Open-Id": QR_OPENID}, 1003),
            (dict(hdr, **{"X-Access-Token": "AT_" + "1" * 32}), 1003),
            (dict(hdr, **{"X-Open-Id": "OPENID_OTHER"}), 3003),
            (dict(hdr, **{"X-Open-Id": ""}), 3001),
            (self.user_headers(app["access_token"], QR_OPENID), 3003),
        ]
        for headers, code in cases:
            with self.subTest(headers=headers):
                self.api_error(USER_ECHO, {}, code, headers)
        self.configure(token_expired_http401=True)
        status, doc = self.api(USER_ECHO, {}, dict(hdr, **{"X-Access-Token": "AT_x"}))
        self.assertEqual(status, 401)
        self.assertNotIn("error_code", doc)
        self.assertIn("unauthorized", doc["error_msg"])
        self.api_error(USER_ECHO, {}, 3003, dict(hdr, **{"X-Open-Id": "OPENID_OTHER"}))
        self.ok(USER_ECHO, {}, hdr)

    def test_guest_echo(self):
        app, user = self.app_token(), self.qr_login()
        hdr = {"X-App-Id": "kgtest", "X-Access-Token": app["access_token"]}
        for prefix in ("", "/test"):
            self.assertEqual(self.ok(prefix + GUEST_ECHO, {"q": 1}, hdr),
                             {"error_code": 0, "error_msg": "", "echo": {"q": 1}})
        self.ok(GUEST_ECHO, {}, dict(hdr, **{"X-Open-Id": ""}))
        doc = self.api_error(GUEST_ECHO, {}, 3003, dict(hdr, **{"X-Open-Id": QR_OPENID}))
        self.assertEqual(doc["error_msg"], "ticket rejected: X-Open-Id with an app-level token")
        self.api_error(GUEST_ECHO, {}, 3003, dict(hdr, **{"X-Access-Token": user["access_token"]}))
        self.api_error(GUEST_ECHO, {}, 1003, dict(hdr, **{"X-Access-Token": "AT_x"}))
        self.control("POST", "/__mock/expire", {"what": "access", "level": "app"})
        self.api_error(GUEST_ECHO, {}, 1003, hdr)
        self.configure(token_expired_http401=True)
        status, doc = self.api(GUEST_ECHO, {}, hdr)
        self.assertEqual(status, 401)
        self.api_error(GUEST_ECHO, [1], 1002, hdr, http_status=400)  # a JSON object only

    # -- dark accounts (#6, #7) ----------------------------------------------

    def test_virtual_unbind(self):
        user, app = self.qr_login(), self.app_token()
        good = dict(appid="kgtest", openid=user["openid"], access_token=user["access_token"],
                    token="vendor-auth-code")
        self.assertEqual(self.ok(UNBIND, good), {"error_code": 0, "error_msg": ""})
        self.ok("/test" + UNBIND, good)
        for field in good:
            for bad in (None, "", 1):
                body = dict(good)
                if bad is None:
                    del body[field]
                else:
                    body[field] = bad
                self.api_error(UNBIND, body, 3001)
        self.api_error(UNBIND, dict(good, appid="other"), 3003)
        self.api_error(UNBIND, dict(good, openid="OPENID_OTHER"), 1003)
        self.api_error(UNBIND, dict(good, access_token=app["access_token"]), 1003)
        self.api_error(UNBIND, dict(good, access_token="AT_x"), 1003)

    def test_virtual_bind_info(self):
        app, user = self.app_token(), self.qr_login()
        body = dict(appid="kgtest", virtual_openid="bound_v1", access_token=app["access_token"])
        doc = self.ok(BIND_INFO, body)
        self.assertEqual(doc, {"status": 1, "error_code": 0, "error_msg": ""})
        self.assertEqual(self.ok(BIND_INFO, dict(body, virtual_openid="v2"))["status"], 0)
        self.assertEqual(self.ok("/test" + BIND_INFO, body)["status"], 1)
        self.api_error(BIND_INFO, dict(body, access_token=user["access_token"]), 1003)
        self.api_error(BIND_INFO, dict(body, access_token="AT_x"), 1003)
        self.api_error(BIND_INFO, dict(body, virtual_openid=""), 3001)
        self.api_error(BIND_INFO, dict(body, appid="other"), 3003)
        self.configure(numbers="string")
        _, doc = self.api(BIND_INFO, body)
        self.assertEqual((doc["status"], doc["error_code"]), ("1", "0"))

    # -- broker front ----------------------------------------------------------

    def check_broker(self, appkey="kgsecret"):
        """The whole device flow through a broker; the device sends no secret."""
        device = {"appid": "kgtest", "grant_type": "client_credential"}
        for extra in ({"secret": "kgsecret"}, {"sign": "x"}, {"ts": 1}, {"secret": ""}):
            doc = self.api_error(GT, dict(device, **extra), 1002, http_status=400)
            self.assertEqual(doc["error_msg"], "device must not send the secret")
        app = self.ok(GT, device)
        self.assertEqual(self.stats()["last_request"]["body"], device)
        qr = self.new_qr(app["access_token"])
        self.qr_control(state="confirmed")
        code = self.poll(qr["qr_id"])["code"]
        self.api_error(UT, dict(USER_TOKEN, code=code), 1002, http_status=400)
        user = self.ok(UT, {"appid": "kgtest", "code": code, "grant_type": "authorization_code"})
        ts = int(time.time())
        self.api_error(RF, self.refresh_body(user["refresh_token"], QR_OPENID, ts=ts,
                                             key=appkey), 1002, http_status=400)
        body = {"appid": "kgtest", "openid": QR_OPENID, "refresh_token": user["refresh_token"]}
        for extra in ({"ts": ts}, {"sign": sign(ts, appkey=appkey)}):
            self.api_error(RF, dict(body, **extra), 1002, http_status=400)
        user = dict(user, **self.ok(RF, body))
        app = self.ok(RF, {"appid": "kgtest", "refresh_token": app["refresh_token"]})
        self.assertEqual(self.echo(user)[1]["error_code"], 0)  # business: passed through
        self.ok(BIND_INFO, dict(appid="kgtest", virtual_openid="v",
                                access_token=app["access_token"]))
        self.assertEqual(self.stats()["broker_rejected"], 8)

    def test_broker_knob(self):
        self.configure(broker=True)
        self.check_broker()
        self.control("POST", "/__mock/reset")
        self.ok(GT, GET_TOKEN)  # direct mode again

    def test_broker_cli_and_appkey(self):
        args = self.tls_args("server") + ["--broker", "--appkey", "kgappkey"]
        other = MockProcess(self.tmp, "broker", args)
        try:
            port, self.port = self.port, other.port
            try:
                self.assertTrue(self.configure()["broker"])
                self.check_broker(appkey="kgappkey")
                # Direct mode on the same server: refreshes are signed with the appkey.
                self.configure(broker=False)
                app = self.app_token()
                self.api_error(RF, self.refresh_body(app["refresh_token"]), 3003)
                self.ok(RF, self.refresh_body(app["refresh_token"], key="kgappkey"))
            finally:
                self.port = port
        finally:
            self.assertEqual(other.stop(), 0)
        log = other.log_text()
        self.assertIn("broker", log)
        self.assertNotIn("kgappkey", log)
        self.assertNotIn("kgsecret", log)

    # -- failure injection -----------------------------------------------------

    def test_http429(self):
        self.configure(http429=2)
        for path, body in ((QRS, {"appid": "kgtest", "qr_id": "x"}), (GT, GET_TOKEN)):
            status, resp, _, doc = self.call("POST", path, body)
            self.assert_error(status, 429, doc, 1429)
            self.assertEqual(resp.getheader("Retry-After"), "1")
        self.assertEqual(self.configure()["http429"], 0)
        self.app_token()
        self.assertEqual(self.stats()["by_path"], {QRS: 1, GT: 2})

    def test_http5xx(self):
        self.configure(http5xx=1)
        self.api_error(USER_ECHO, {}, 1001, http_status=503)
        self.app_token()

    def test_close_after(self):
        self.configure(close_after=2)
        sock = self.raw_socket()
        replies = []
        for _ in range(2):
            reply, sock, f = self.raw_exchange(get_token_request(), sock)
            replies.append(reply)
        self.assertEqual([r.status for r in replies], [200, 200])
        self.assertTrue(all(r.header("connection") is None for r in replies))
        self.assertEqual(f.read(), b"")  # clean close (close_notify) after the 2nd reply
        sock.close()
        self.configure(close_after=1)
        reply, sock, f = self.raw_exchange(get_token_request())
        self.assertEqual(reply.status, 200)
        self.assert_closed(sock, f)
        st = self.stats()
        self.assertEqual((st["connections"], st["requests"]), (2, 3))

    def test_by_path_and_bytes(self):
        sock = self.raw_socket()
        f = CountingFile(sock.makefile("rb"))
        sent = 0
        requests = [get_token_request(),
                    request_bytes("POST", "/test" + QRS, b'{"appid":"kgtest","qr_id":"x"}'),
                    request_bytes("POST", "/test" + QRS, b'{}'),
                    request_bytes("POST", "/nope?x=1", b"{}")]
        for data in requests:
            sock.sendall(data)
            sent += len(data)
            read_response(f)
        # Control requests count nowhere.
        sock.sendall(request_bytes("GET", "/__mock/config", content_type=None))
        read_response(sock.makefile("rb"))
        sock.close()
        st = self.stats()
        self.assertEqual(st["by_path"], {GT: 1, QRS: 2, "/nope": 1})
        self.assertEqual((st["bytes_in"], st["bytes_out"]), (sent, f.count))
        self.assertEqual(st["requests"], 4)
        self.assertEqual(st["broker_rejected"], 0)

    def test_platform_knob_validation(self):
        bad = [{"qr_ttl_s": 0}, {"auto_confirm_s": -1}, {"auto_confirm_s": "5"},
               {"confirm_after_polls": 1.5}, {"openid": ""}, {"openid": "x" * 64},
               {"openid": 5}, {"refresh_rotates": "no"}, {"broker": 1}, {"http429": -1},
               {"slow_down": True}, {"close_after": None}, {"expire_qrs": "1"}, {"cancel": 1},
               {"token_expired_http401": 0}, {"min_interval_s": -2}, {"refresh_ttl_s": 1.0}]
        for body in bad:
            status, _, _, doc = self.call("POST", "/__mock/config", body)
            self.assert_error(status, 400, doc, 1002)
        config = self.configure(auto_confirm_s=0.5, openid="OPENID_X", http5xx=3)
        self.assertEqual((config["auto_confirm_s"], config["openid"], config["http5xx"]),
                         (0.5, "OPENID_X", 3))
        config = self.control("POST", "/__mock/reset")["config"]
        self.assertEqual((config["auto_confirm_s"], config["openid"], config["http5xx"]),
                         (0, QR_OPENID, 0))

    # -- command line ------------------------------------------------------

    def test_cli_platform_flags(self):
        args = ["--plain", "--openid", "OPENID_CLI", "--qr-ttl", "60", "--min-interval", "3",
                "--confirm-after-polls", "4", "--auto-confirm", "9.5", "--refresh-ttl", "99",
                "--no-refresh-rotation", "--close-after", "5", "--single-use-codes"]
        other = MockProcess(self.tmp, "flags", args)
        try:
            sock = self.raw_socket(other.port, plain=True)
            reply, sock, f = self.raw_exchange(request_bytes("POST", "/__mock/reset"), sock)
            sock.close()
            config = reply.json()["config"]
        finally:
            self.assertEqual(other.stop(), 0)
        want = {"openid": "OPENID_CLI", "qr_ttl_s": 60, "min_interval_s": 3,
                "confirm_after_polls": 4, "auto_confirm_s": 9.5, "refresh_ttl_s": 99,
                "refresh_rotates": False, "close_after": 5, "codes_single_use": True,
                "broker": False}
        self.assertEqual({k: config[k] for k in want}, want)


    def test_cli_knobs_plain(self):
        args = ["--plain", "--encoding", "chunked", "--numbers", "string", "--escape",
                "--extra-fields", "--close", "--appid", "app2", "--secret", "sec2",
                "--code", "c1", "--code", "c2"]
        other = MockProcess(self.tmp, "cli", args)
        try:
            with open(other.port_file) as pf:
                self.assertEqual(int(pf.read()), other.port)
            body = json.dumps({"appid": "app2", "secret": "sec2", "code": "c2",
                               "grant_type": "authorization_code"}).encode()
            sock = self.raw_socket(other.port, plain=True)
            data = request_bytes("POST", "/test" + UT, body)
            reply, sock, f = self.raw_exchange(data, sock)
            self.assertEqual(reply.header("transfer-encoding"), "chunked")
            self.assertEqual(reply.header("connection"), "close")
            self.assertTrue(reply.body.isascii())
            doc = reply.json()
            self.assertEqual((doc["error_code"], doc["orig_acnt_type"]), ("0", "2"))
            self.assertIn("x_obj", doc)
            self.assert_closed(sock, f)
            # The default code is not valid when --code is given.
            bad = body.replace(b'"c2"', b'"code-ok-1"')
            reply, sock, f = self.raw_exchange(request_bytes("POST", UT, bad),
                                               self.raw_socket(other.port, plain=True))
            self.assertEqual(reply.json()["error_code"], "1003")
            sock.close()
        finally:
            self.assertEqual(other.stop(), 0)
        self.assertFalse(os.path.exists(other.port_file))
        self.assertIn("stopped", other.log_text())

    def test_cli_requires_cert_unless_plain(self):
        def run(*args):
            return subprocess.run([PYTHON, MOCK, *args], capture_output=True, text=True, timeout=10)

        result = run("--port", "0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("--cert", result.stderr)
        result = run("--plain", "--host", "0.0.0.0")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("loopback", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
