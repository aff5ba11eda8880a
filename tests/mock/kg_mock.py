#!/usr/bin/python3
"""Strict mock of the 全民K歌 (WeSing) IoT open platform auth API, for kgiot tests.

Standard library only; run with Debian's /usr/bin/python3. Serves loopback only.

The HTTP/1.1 layer is written by hand over sockets because the tests need
byte-exact control of replies (chunk sizes, chunk extensions, trailers, a body
cut short) and strict rejection of sloppy requests, neither of which
http.server gives.

Endpoints (each under the environment prefixes "" and "/test"):
  POST /api/v2/getToken         app-level token (appid, secret, grant_type=client_credential)
  POST /oauth/v2/access_token   user-level token
                                (appid, secret, code, grant_type=authorization_code)
Control endpoints (never affected by the reply knobs, not counted as requests):
  GET/POST /__mock/config   read / change reply knobs (JSON object of knob names)
  POST     /__mock/reset    knobs back to the command-line values, counters zeroed
  GET      /__mock/stats    counters and the last non-control request

Run with --help for the command line.
"""

import argparse
import dataclasses
import email.utils
import hashlib
import hmac
import http
import ipaddress
import json
import os
import re
import secrets
import signal
import socket
import ssl
import sys
import threading
import time

MAX_LINE = 8192
MAX_HEADERS = 64
MAX_BODY = 64 * 1024
HANDSHAKE_TIMEOUT_S = 10.0
# After our close_notify we wait this long for the peer's before dropping TCP.
CLOSE_NOTIFY_WAIT_S = 0.5

ENV_PREFIXES = ("", "/test")
CONTROL_PREFIX = "/__mock/"

# Platform error codes (PLATFORM.md, "Error codes seen in the docs").
E_OK = 0
E_SYSTEM = 1001
E_PARAM = 1002
E_EXPIRED = 1003
E_MISSING = 3001
E_SIGNATURE = 3003

# Top-level reply fields that the platform documents as integers; the
# "numbers": "string" knob turns exactly these into numeric strings.
INT_FIELDS = ("expires_in", "orig_acnt_type", "error_code")

TRAILER_NAME = "X-Mock-Trailer"

_TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_HEADER_RE = re.compile(r"^([%s]+):[ \t]*(.*?)[ \t]*$" % re.escape(_TOKEN_CHARS))
_REQUEST_LINE_RE = re.compile(r"^([A-Z]+) (/[\x21-\x7e]*) (HTTP/[0-9]\.[0-9])$")
_FIELD_CHARS_RE = re.compile(r"^[\t\x20-\x7e]*$")  # visible ASCII, space, tab

_log_lock = threading.Lock()


def log(msg):
    with _log_lock:
        sys.stderr.write("kg_mock: %s\n" % msg)
        sys.stderr.flush()


# ---------------------------------------------------------------------------
# Reply knobs


@dataclasses.dataclass
class Knobs:
    encoding: str = "length"  # "length" (Content-Length) or "chunked"
    numbers: str = "number"  # INT_FIELDS as JSON numbers or as numeric strings
    escape: bool = False  # \uXXXX for non-ASCII and '_', '\/' for '/'
    extra_fields: bool = False  # unknown fields of every JSON type around the known ones
    pretty: bool = False  # whitespace and newlines between JSON tokens
    close: bool = False  # "Connection: close" and close after each reply
    close_mid_body: bool = False  # one shot: headers + half the body, then drop TCP
    chunk_size: int = 0  # bytes per chunk; 0 = the body in two halves
    chunk_ext: bool = False  # ";foo=bar" on every chunk-size line
    trailers: bool = False  # a trailer header after the last chunk
    status: int = 0  # one shot: force this HTTP status with an error body
    delay_ms: int = 0  # wait before every reply
    expires_in: int = 7200  # expires_in of issued tokens


ONE_SHOT_KNOBS = ("close_mid_body", "status")
DEFAULT_KNOBS = Knobs()


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _valid_status(v):
    # 1xx/204/304 replies cannot carry the error body; 2xx would not be an error.
    return _is_int(v) and (v == 0 or (300 <= v <= 599 and v != 304))


_KNOB_CHECKS = {
    "encoding": lambda v: v in ("length", "chunked"),
    "numbers": lambda v: v in ("number", "string"),
    "escape": lambda v: isinstance(v, bool),
    "extra_fields": lambda v: isinstance(v, bool),
    "pretty": lambda v: isinstance(v, bool),
    "close": lambda v: isinstance(v, bool),
    "close_mid_body": lambda v: isinstance(v, bool),
    "chunk_size": lambda v: _is_int(v) and 0 <= v <= MAX_BODY,
    "chunk_ext": lambda v: isinstance(v, bool),
    "trailers": lambda v: isinstance(v, bool),
    "status": _valid_status,
    "delay_ms": lambda v: _is_int(v) and 0 <= v <= 60000,
    "expires_in": lambda v: _is_int(v) and v >= 0,
}


def check_knob_changes(changes):
    """Return an error string for a bad /__mock/config object, or None."""
    if not isinstance(changes, dict):
        return "config must be a JSON object"
    for name, value in changes.items():
        check = _KNOB_CHECKS.get(name)
        if check is None:
            # Unknown names are refused so a typo in a test fails loudly.
            return "unknown knob: %s" % name
        if not check(value):
            return "bad value for %s: %s" % (name, json.dumps(value))
    return None


# ---------------------------------------------------------------------------
# Shared server state


class Connection:
    """Per-connection facts the counters need."""

    def __init__(self, peer, tls):
        self.peer = peer
        self.tls = tls  # None (plain), "full" or "resumed"
        self.counted_generation = None


class State:
    def __init__(self, appid, secret, codes, baseline):
        self.appid = appid
        self.secret = secret
        self.codes = frozenset(codes)
        self.baseline = baseline
        self.lock = threading.Lock()
        self.generation = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.knobs = dataclasses.replace(self.baseline)
            # A new generation makes open connections count again when they
            # next carry a request, so counters are always "since reset".
            self.generation += 1
            self.connections = 0
            self.requests = 0
            self.tls_full = 0
            self.tls_resumed = 0
            self.last_request = None

    def configure(self, changes):
        with self.lock:
            self.knobs = dataclasses.replace(self.knobs, **changes)
            return dataclasses.asdict(self.knobs)

    def config(self):
        with self.lock:
            return dataclasses.asdict(self.knobs)

    def take_knobs(self):
        """Knobs for one reply; one-shot knobs are consumed here."""
        with self.lock:
            snapshot = dataclasses.replace(self.knobs)
            for name in ONE_SHOT_KNOBS:
                setattr(self.knobs, name, getattr(DEFAULT_KNOBS, name))
            return snapshot

    def note_request(self, conn, summary):
        with self.lock:
            self.requests += 1
            self.last_request = summary
            if conn.counted_generation != self.generation:
                conn.counted_generation = self.generation
                self.connections += 1
                if conn.tls == "full":
                    self.tls_full += 1
                elif conn.tls == "resumed":
                    self.tls_resumed += 1

    def stats(self):
        with self.lock:
            return {
                "connections": self.connections,
                "requests": self.requests,
                "tls_handshakes_full": self.tls_full,
                "tls_handshakes_resumed": self.tls_resumed,
                "last_request": self.last_request,
            }


# ---------------------------------------------------------------------------
# Reading requests


class PeerClosed(Exception):
    """The client went away (EOF before or inside a request)."""


# What to do with the connection after a reply.
KEEP = "keep"  # keep-alive: read the next request
CLOSE = "close"  # reply complete: close_notify, FIN
DROP = "drop"  # reply cut short on purpose: drop TCP without close_notify


class BadRequest(Exception):
    """A request we refuse at the HTTP level; the connection is closed after."""

    def __init__(self, status, message, method=None, target=None, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.method = method
        self.target = target
        self.headers = headers or []


@dataclasses.dataclass
class Request:
    method: str
    target: str
    headers: list  # [(lowercased name, value)] in arrival order
    body: bytes

    @property
    def path(self):
        return self.target.partition("?")[0]

    def header(self, name):
        values = [v for n, v in self.headers if n == name]
        return ", ".join(values) if values else None

    def header_count(self, name):
        return sum(1 for n, _ in self.headers if n == name)

    def wants_close(self):
        value = self.header("connection") or ""
        return "close" in [t.strip().lower() for t in value.split(",")]


def is_control(target):
    return target is not None and target.startswith(CONTROL_PREFIX)


def read_line(reader, at_start=False):
    """One CRLF-terminated line as str, without the CRLF."""
    line = reader.readline(MAX_LINE + 1)
    if not line:
        raise PeerClosed()
    if len(line) > MAX_LINE:
        raise BadRequest(431 if not at_start else 414, "line too long")
    if not line.endswith(b"\n"):
        raise PeerClosed()  # EOF in the middle of a line
    if not line.endswith(b"\r\n"):
        raise BadRequest(400, "line not terminated by CRLF")
    try:
        return line[:-2].decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest(400, "non-ASCII byte in request line or header") from None


def read_head(reader):
    """Request line and headers; returns (method, target, headers)."""
    line = read_line(reader, at_start=True)
    m = _REQUEST_LINE_RE.match(line)
    if not m:
        raise BadRequest(400, "malformed request line")
    method, target, version = m.groups()
    headers = []
    while True:
        line = read_line(reader)
        if line == "":
            break
        if line[0] in " \t":
            raise BadRequest(400, "obsolete header line folding", method, target, headers)
        hm = _HEADER_RE.match(line)
        if not hm or not _FIELD_CHARS_RE.match(line):
            raise BadRequest(400, "malformed header line", method, target, headers)
        headers.append((hm.group(1).lower(), hm.group(2)))
        if len(headers) > MAX_HEADERS:
            raise BadRequest(431, "too many header lines", method, target, headers)
    if version != "HTTP/1.1":
        # The device client must speak HTTP/1.1 (keep-alive, chunked replies).
        raise BadRequest(505, "only HTTP/1.1 is served", method, target, headers)
    return method, target, headers


def body_length(method, target, headers):
    """Content-Length of the request body, enforcing the framing rules."""

    def bad(status, message):
        return BadRequest(status, message, method, target, headers)

    names = [n for n, _ in headers]
    if names.count("host") != 1:
        raise bad(400, "exactly one Host header is required")
    if "transfer-encoding" in names:
        raise bad(411, "request bodies must use Content-Length, not Transfer-Encoding")
    if "expect" in names:
        raise bad(417, "Expect is not supported")
    lengths = {v for n, v in headers if n == "content-length"}
    if not lengths:
        # Platform POSTs must say their length (catches a client that forgets
        # it); control POSTs may omit it so `curl -X POST .../reset` works.
        if method == "POST" and not is_control(target):
            raise bad(411, "Content-Length required")
        return 0
    if len(lengths) != 1:
        raise bad(400, "conflicting Content-Length headers")
    value = lengths.pop()
    if not value.isdigit() or not value.isascii():
        raise bad(400, "malformed Content-Length")
    length = int(value)
    if length > MAX_BODY:
        raise bad(413, "request body too large")
    return length


def read_request(reader):
    method, target, headers = read_head(reader)
    length = body_length(method, target, headers)
    body = reader.read(length) if length else b""
    if len(body) < length:
        raise PeerClosed()
    return Request(method, target, headers, body)


# ---------------------------------------------------------------------------
# JSON replies


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def _no_duplicate_keys(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError("duplicate key %r" % key)
        obj[key] = value
    return obj


def parse_json_strict(body):
    """Parse RFC 8259 JSON: no NaN/Infinity, no duplicate keys, UTF-8, no BOM."""
    text = body.decode("utf-8")
    return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)


def encode_string(s, escape):
    if not escape:
        return json.dumps(s, ensure_ascii=False)
    # ensure_ascii gives lowercase \uXXXX (surrogate pairs above the BMP); we add
    # '\/' and an uppercase-hex escape for '_', which every token and key holds,
    # so a client that compares raw bytes instead of decoding fails visibly.
    # Neither '/' nor '_' can occur inside an escape json.dumps produced.
    return json.dumps(s, ensure_ascii=True).replace("/", "\\/").replace("_", "\\u005F")


def encode_json(value, escape, pretty, depth=0):
    """Serialise with our own string escaping; dict order is kept."""
    nl = "\n" + "  " * (depth + 1) if pretty else ""
    end = "\n" + "  " * depth if pretty else ""
    colon = " : " if pretty else ":"
    if isinstance(value, dict):
        items = [
            nl + encode_string(k, escape) + colon + encode_json(v, escape, pretty, depth + 1)
            for k, v in value.items()
        ]
        return "{" + ",".join(items) + (end if items else "") + "}"
    if isinstance(value, list):
        items = [nl + encode_json(v, escape, pretty, depth + 1) for v in value]
        return "[" + ",".join(items) + (end if items else "") + "]"
    if isinstance(value, str):
        return encode_string(value, escape)
    return json.dumps(value)  # None, bool, int, float


# Unknown fields a tolerant client must skip. The nested "error_code" and
# "access_token" are decoys: only top-level fields count.
EXTRA_BEFORE = {
    "x_obj": {"error_code": 999, "access_token": "decoy", "deep": {"a": [1, {"b": [[]]}]}},
    "x_arr": [1, -2.5e-3, "s", None, True, False, {"k": {}}, []],
    "x_null": None,
    "x_true": True,
    "x_float": 3.14159,
}
EXTRA_AFTER = {
    "x_false": False,
    "x_big": 12345678901234567890,
    "x_exp": 1e300,
    "x_str": "🎤 K歌 \"quoted\" back\\slash /path\ttab",
    "x_empty_obj": {},
    "x_empty_arr": [],
    "x_tail": {"list": [{"error_msg": "decoy"}, None]},
}


def reply_body(payload, knobs):
    """The JSON reply as bytes, shaped by the knobs."""
    doc = dict(payload)
    if knobs.numbers == "string":
        for name in INT_FIELDS:
            if name in doc:
                doc[name] = str(doc[name])
    if knobs.extra_fields:
        doc = {**EXTRA_BEFORE, **doc, **EXTRA_AFTER}
    return encode_json(doc, knobs.escape, knobs.pretty).encode("utf-8")


def error_payload(code, message):
    return {"error_code": code, "error_msg": message}


# ---------------------------------------------------------------------------
# Writing replies


def reason_phrase(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def chunked(body, knobs):
    """Chunked framing of body: list of byte strings, one per write."""
    size = knobs.chunk_size or max(1, (len(body) + 1) // 2)
    ext = ";foo=bar" if knobs.chunk_ext else ""
    parts = []
    for i in range(0, len(body), size):
        piece = body[i : i + size]
        parts.append(b"%x%s\r\n%s\r\n" % (len(piece), ext.encode(), piece))
    last = b"0%s\r\n" % ext.encode()
    if knobs.trailers:
        last += b"%s: done\r\n" % TRAILER_NAME.encode()
    parts.append(last + b"\r\n")
    return parts


def frame_reply(status, body, knobs, close, extra_headers=(), head_only=False):
    """(head bytes, [body parts]) of a complete HTTP/1.1 reply."""
    headers = [
        ("Date", email.utils.formatdate(usegmt=True)),
        ("Server", "kg-mock"),
        ("Content-Type", "application/json; charset=utf-8"),
    ]
    headers.extend(extra_headers)
    if knobs.encoding == "chunked":
        headers.append(("Transfer-Encoding", "chunked"))
        if knobs.trailers:
            headers.append(("Trailer", TRAILER_NAME))
        parts = chunked(body, knobs)
    else:
        headers.append(("Content-Length", str(len(body))))
        parts = [body]
    if close:
        headers.append(("Connection", "close"))
    lines = ["HTTP/1.1 %d %s" % (status, reason_phrase(status))]
    lines += ["%s: %s" % h for h in headers]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    return head, ([] if head_only else parts)


def send_reply(sock, head, parts, cut_mid_body=False):
    # Head and each chunk go out in separate writes (so separate TLS records):
    # the client must cope with a reply spread over several reads.
    sock.sendall(head)
    if cut_mid_body:
        whole = b"".join(parts)
        sock.sendall(whole[: len(whole) // 2])
        return
    for part in parts:
        sock.sendall(part)


# ---------------------------------------------------------------------------
# Platform endpoints


def missing_field(doc, names):
    """Error payload for the first required field absent or not a non-empty string."""
    for name in names:
        value = doc.get(name)
        if not isinstance(value, str) or value == "":
            return error_payload(E_MISSING, "missing or invalid parameter: %s" % name)
    return None


def check_app(doc, state, grant_type, fields):
    """Common checks of both token endpoints; an error payload or None."""
    err = missing_field(doc, fields)
    if err:
        return err
    if doc["grant_type"] != grant_type:
        return error_payload(E_PARAM, "invalid grant_type: expected %s" % grant_type)
    # compare_digest: no reason for a mock to leak timing, and it costs nothing.
    app_ok = hmac.compare_digest(doc["appid"].encode(), state.appid.encode())
    secret_ok = hmac.compare_digest(doc["secret"].encode(), state.secret.encode())
    if not (app_ok and secret_ok):
        return error_payload(E_SIGNATURE, "signature check failed: unknown appid or wrong secret")
    return None


def new_token(prefix):
    return "%s_%s" % (prefix, secrets.token_hex(16))


def stable_id(prefix, *parts):
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return "%s_%s" % (prefix, digest[:28])


def get_token(doc, state, knobs):
    err = check_app(doc, state, "client_credential", ("appid", "secret", "grant_type"))
    if err:
        return err
    return {
        "access_token": new_token("AT"),
        "expires_in": knobs.expires_in,
        "refresh_token": new_token("RT"),
        "error_code": E_OK,
        "error_msg": "",
    }


def access_token(doc, state, knobs):
    fields = ("appid", "secret", "code", "grant_type")
    err = check_app(doc, state, "authorization_code", fields)
    if err:
        return err
    if doc["code"] not in state.codes:
        return error_payload(E_EXPIRED, "authorization expired: unknown or invalid code")
    return {
        "access_token": new_token("AT"),
        "expires_in": knobs.expires_in,
        "refresh_token": new_token("RT"),
        "openid": stable_id("OPENID", state.appid, "openid", doc["code"]),
        "unionid": stable_id("UNIONID", "unionid", doc["code"]),
        "scope": "user_info,song_play",
        "orig_acnt_type": 2,
        "error_code": E_OK,
        "error_msg": "成功 ok",
    }


API_ROUTES = {
    "/api/v2/getToken": get_token,
    "/oauth/v2/access_token": access_token,
}


def find_api_handler(path):
    for prefix in ENV_PREFIXES:
        if path.startswith(prefix):
            handler = API_ROUTES.get(path[len(prefix) :])
            if handler:
                return handler
    return None


def is_json_content_type(value):
    if value is None:
        return False
    media_type = value.split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def forced_payload(status):
    if status in (401, 403):
        code = E_EXPIRED
    elif 400 <= status < 500:
        code = E_PARAM
    else:
        code = E_SYSTEM
    return error_payload(code, "forced HTTP status %d" % status)


def api_reply(req, state, knobs):
    """(status, payload, extra headers) for a platform request."""
    if knobs.status:
        return knobs.status, forced_payload(knobs.status), []
    handler = find_api_handler(req.path)
    if handler is None:
        return 404, error_payload(E_PARAM, "unknown path: %s" % req.path), []
    if req.method != "POST":
        message = "method not allowed: %s" % req.method
        return 405, error_payload(E_PARAM, message), [("Allow", "POST")]
    content_type = req.header("content-type")
    if req.header_count("content-type") != 1 or not is_json_content_type(content_type):
        return 400, error_payload(E_PARAM, "Content-Type must be application/json"), []
    try:
        doc = parse_json_strict(req.body)
    except (UnicodeDecodeError, ValueError):
        return 400, error_payload(E_PARAM, "body is not valid JSON"), []
    if not isinstance(doc, dict):
        return 400, error_payload(E_PARAM, "body is not a JSON object"), []
    return 200, handler(doc, state, knobs), []


# ---------------------------------------------------------------------------
# Control endpoints


def control_reply(req, state):
    """(status, payload) for /__mock/...; plain replies, no knobs."""
    path, method = req.path, req.method
    if path == "/__mock/stats" and method == "GET":
        return 200, state.stats()
    if path == "/__mock/reset" and method == "POST":
        state.reset()
        return 200, {"ok": True, "config": state.config()}
    if path == "/__mock/config" and method == "GET":
        return 200, {"ok": True, "config": state.config()}
    if path == "/__mock/config" and method == "POST":
        try:
            changes = parse_json_strict(req.body)
        except (UnicodeDecodeError, ValueError):
            return 400, error_payload(E_PARAM, "config body is not valid JSON")
        problem = check_knob_changes(changes)
        if problem:
            return 400, error_payload(E_PARAM, problem)
        return 200, {"ok": True, "config": state.configure(changes)}
    if path in ("/__mock/stats", "/__mock/reset", "/__mock/config"):
        return 405, error_payload(E_PARAM, "method not allowed: %s" % method)
    return 404, error_payload(E_PARAM, "unknown control path: %s" % path)


# ---------------------------------------------------------------------------
# Connections


def request_summary(method, target, headers, body):
    try:
        parsed = parse_json_strict(body) if body else None
    except (UnicodeDecodeError, ValueError):
        parsed = None
    merged = {}
    for name, value in headers:
        merged[name] = merged[name] + ", " + value if name in merged else value
    return {"method": method, "path": target, "headers": merged, "body": parsed}


def log_reply(conn, method, target, status, payload):
    # Only method, path without query, status and error code: never the body,
    # which may hold the secret, nor the reply, which holds tokens.
    path = (target or "?").partition("?")[0]
    code = payload.get("error_code") if isinstance(payload, dict) else None
    suffix = "" if code is None else " error_code=%s" % code
    log("%s %s %s -> %d%s" % (conn.peer, method or "?", path, status, suffix))


def handle_control(sock, conn, req, state):
    status, payload = control_reply(req, state)
    log_reply(conn, req.method, req.target, status, payload)
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    close = req.wants_close()
    head, parts = frame_reply(status, body, DEFAULT_KNOBS, close)
    send_reply(sock, head, parts)
    return CLOSE if close else KEEP


def handle_api(sock, conn, req, state):
    """Serve one platform request; returns KEEP, CLOSE or DROP."""
    knobs = state.take_knobs()
    state.note_request(conn, request_summary(req.method, req.target, req.headers, req.body))
    status, payload, extra = api_reply(req, state, knobs)
    log_reply(conn, req.method, req.target, status, payload)
    if knobs.delay_ms:
        time.sleep(knobs.delay_ms / 1000.0)
    close = knobs.close or req.wants_close()
    head, parts = frame_reply(
        status, reply_body(payload, knobs), knobs, close, extra, head_only=req.method == "HEAD"
    )
    send_reply(sock, head, parts, cut_mid_body=knobs.close_mid_body)
    if knobs.close_mid_body:
        return DROP  # like a real cut: no close_notify, no complete framing
    return CLOSE if close else KEEP


def handle_bad_request(sock, conn, err, state):
    """Answer a request refused at the HTTP level; returns CLOSE: the request
    framing cannot be trusted, so the connection cannot be reused."""
    if not is_control(err.target):
        state.note_request(conn, request_summary(err.method, err.target, err.headers, b""))
    payload = error_payload(E_PARAM, err.message)
    log_reply(conn, err.method, err.target, err.status, payload)
    body = json.dumps(payload).encode("ascii")
    head, parts = frame_reply(err.status, body, DEFAULT_KNOBS, close=True)
    send_reply(sock, head, parts)
    return CLOSE


def tls_handshake(raw, ctx):
    """Wrap raw in TLS; returns (ssl socket, "full" | "resumed")."""
    raw.settimeout(HANDSHAKE_TIMEOUT_S)
    tls = ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
    try:
        tls.do_handshake()
    except BaseException:
        tls.close()
        raise
    return tls, ("resumed" if tls.session_reused else "full")


def close_politely(sock):
    """Close after a complete reply so that the client surely reads all of it.

    TLS close_notify first (a clean EOF for the client), then our FIN, then we
    drain what the client still sends for a moment: closing with unread input
    makes the kernel send RST, which can destroy a reply not yet read (the
    client of a refused chunked upload is typically still sending)."""
    if isinstance(sock, ssl.SSLSocket):
        try:
            sock.settimeout(CLOSE_NOTIFY_WAIT_S)
            sock = sock.unwrap()
        except (OSError, ValueError):
            pass
    try:
        socket.socket.shutdown(sock, socket.SHUT_WR)
        deadline = time.monotonic() + CLOSE_NOTIFY_WAIT_S
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            if not socket.socket.recv(sock, 4096):
                break
    except (OSError, ValueError):
        pass
    close_abruptly(sock)


def close_abruptly(sock):
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def serve_requests(sock, conn, state, idle_timeout):
    """The keep-alive loop; True to close politely, False to drop (DROP)."""
    reader = sock.makefile("rb")
    try:
        while True:
            sock.settimeout(idle_timeout)
            try:
                req = read_request(reader)
            except BadRequest as err:
                outcome = handle_bad_request(sock, conn, err, state)
            else:
                handler = handle_control if is_control(req.path) else handle_api
                outcome = handler(sock, conn, req, state)
            if outcome != KEEP:
                return outcome == CLOSE
    except (PeerClosed, socket.timeout):
        # Still close with close_notify: OpenSSL drops a session from its
        # cache when the connection ends without one, which would defeat
        # session-ID resumption (--no-tickets) for clients that close first.
        return True
    finally:
        reader.close()


def serve_connection(raw, peer, state, ctx, server):
    sock = raw
    polite = False
    try:
        tls_kind = None
        if ctx is not None:
            try:
                sock, tls_kind = tls_handshake(raw, ctx)
            except (OSError, ValueError) as e:
                log("%s TLS handshake failed: %s" % (peer, e))
                return
        server.track(sock)
        conn = Connection(peer, tls_kind)
        polite = serve_requests(sock, conn, state, server.idle_timeout)
    except (OSError, ValueError) as e:
        # Resets and shutdown-time socket errors: nothing to answer any more.
        if not server.stopping:
            log("%s connection error: %s" % (peer, e))
    finally:
        server.untrack(sock)
        if polite:
            close_politely(sock)
        else:
            close_abruptly(sock)


# ---------------------------------------------------------------------------
# Server


class StopServer(Exception):
    pass


class Server:
    def __init__(self, state, ctx, idle_timeout):
        self.state = state
        self.ctx = ctx
        self.idle_timeout = idle_timeout
        self.stopping = False
        self.lock = threading.Lock()
        self.sockets = set()
        self.threads = []

    def track(self, sock):
        with self.lock:
            self.sockets.add(sock)

    def untrack(self, sock):
        with self.lock:
            self.sockets.discard(sock)

    def accept_loop(self, listener):
        while True:
            raw, addr = listener.accept()
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            peer = "%s:%d" % addr[:2]
            t = threading.Thread(
                target=serve_connection, args=(raw, peer, self.state, self.ctx, self), daemon=True
            )
            t.start()
            self.threads = [x for x in self.threads if x.is_alive()] + [t]

    def shutdown(self):
        """Wake every connection thread and wait briefly, for a quiet exit."""
        self.stopping = True
        with self.lock:
            socks = list(self.sockets)
        for s in socks:
            try:
                socket.socket.shutdown(s, socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + 2.0
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))


def make_tls_context(args):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if args.tls_max == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    # Resumption must work so the client's session cache can be tested:
    # tickets on (TLS 1.2 and 1.3) unless --no-tickets asks for the
    # session-ID cache only (TLS 1.2).
    if args.no_tickets:
        ctx.options |= ssl.OP_NO_TICKET
    else:
        ctx.options &= ~ssl.OP_NO_TICKET
    return ctx


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def loopback_host(value):
    try:
        if ipaddress.ip_address(value).is_loopback:
            return value
    except ValueError:
        pass
    raise argparse.ArgumentTypeError("must be a loopback IP address (e.g. 127.0.0.1)")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Strict mock of the WeSing IoT auth API.")
    p.add_argument("--host", type=loopback_host, default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 = ephemeral")
    p.add_argument("--port-file", help="write the bound port here (atomically)")
    p.add_argument("--cert", help="server certificate (PEM)")
    p.add_argument("--key", help="server private key (PEM)")
    p.add_argument("--plain", action="store_true", help="serve plain HTTP (debugging)")
    p.add_argument("--tls-max", choices=("1.2", "1.3"), default="1.3")
    p.add_argument("--no-tickets", action="store_true", help="TLS 1.2 session-ID resumption only")
    p.add_argument("--appid", default="kgtest")
    p.add_argument("--secret", default="kgsecret")
    p.add_argument("--code", action="append", help="a valid authorization code (repeatable)")
    p.add_argument("--idle-timeout", type=float, default=30.0, help="seconds")
    p.add_argument("--encoding", choices=("length", "chunked"), default="length")
    p.add_argument("--numbers", choices=("number", "string"), default="number")
    p.add_argument("--escape", action="store_true")
    p.add_argument("--extra-fields", action="store_true")
    p.add_argument("--pretty", action="store_true")
    p.add_argument("--close", action="store_true")
    p.add_argument("--chunk-size", type=int, default=0)
    p.add_argument("--chunk-ext", action="store_true")
    p.add_argument("--trailers", action="store_true")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--expires-in", type=int, default=7200)
    args = p.parse_args(argv)
    if not args.plain and not (args.cert and args.key):
        p.error("--cert and --key are required unless --plain")
    if args.code is None:
        args.code = ["code-ok-1"]
    return args


def baseline_knobs(args):
    knobs = Knobs(
        encoding=args.encoding,
        numbers=args.numbers,
        escape=args.escape,
        extra_fields=args.extra_fields,
        pretty=args.pretty,
        close=args.close,
        chunk_size=args.chunk_size,
        chunk_ext=args.chunk_ext,
        trailers=args.trailers,
        delay_ms=args.delay_ms,
        expires_in=args.expires_in,
    )
    problem = check_knob_changes(dataclasses.asdict(knobs))
    if problem:
        sys.exit("kg_mock: %s" % problem)
    return knobs


def _raise_stop(signum, frame):
    raise StopServer()


def main(argv=None):
    args = parse_args(argv)
    state = State(args.appid, args.secret, args.code, baseline_knobs(args))
    ctx = None if args.plain else make_tls_context(args)
    server = Server(state, ctx, args.idle_timeout)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.create_server((args.host, args.port), family=family, backlog=64)
    port = listener.getsockname()[1]
    try:
        signal.signal(signal.SIGTERM, _raise_stop)
        signal.signal(signal.SIGINT, _raise_stop)
        if args.port_file:
            write_port_file(args.port_file, port)
        print("LISTENING %d" % port, flush=True)
        log("listening on %s:%d (%s)" % (args.host, port, "plain" if args.plain else "TLS"))
        server.accept_loop(listener)
    except StopServer:
        pass
    finally:
        listener.close()
        server.shutdown()
        if args.port_file:
            try:
                os.unlink(args.port_file)
            except OSError:
                pass
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
