#!/usr/bin/python3
"""Strict mock of the 全民K歌 (WeSing) IoT open platform, for kgiot tests.

Standard library only; run with Debian's /usr/bin/python3. Serves loopback only (or
TEST-NET-1, 192.0.2.0/24, inside the lwIP test's private network namespace).

The HTTP/1.1 layer is written by hand over sockets because the tests need
byte-exact control of replies (chunk sizes, chunk extensions, trailers, a body
cut short) and strict rejection of sloppy requests, neither of which
http.server gives.

Platform endpoints (POST JSON, each under the environment prefixes "" and "/test";
field names are the Kconfig defaults; README.md has the exact shapes):
  /api/v2/getToken              #1 app-level token (appid, secret, grant_type=client_credential)
  /oauth/v2/light_qr            #2 login QR code (appid, access_token: app-level)
  /oauth/v2/light_qr_stat       #3 QR status (appid, qr_id)
  /oauth/v2/access_token        #4 user-level token
                                   (appid, secret, code, grant_type=authorization_code)
  /oauth/v2/refresh_token       #5 refresh (appid, [openid], refresh_token, ts, sign)
  /oauth/v2/virtual_unbind      #6 dark-account unbind (appid, openid, access_token, token)
  /oauth/v2/virtual_bind_info   #7 dark-account bind info (appid, virtual_openid, access_token)
  /api/v2/user/echo             business call with a user token
                                   (headers X-App-Id, X-Access-Token, X-Open-Id)
  /api/v2/guest/echo            business call with an app token (no X-Open-Id)
Tokens are tracked: they expire on the mock's clock (real time + an offset the
tests can advance), a new user login invalidates that user's previous tokens,
a refresh invalidates the old access token, QR codes are single-use.
With --broker (or the knob "broker") the server plays the vendor's backend:
it refuses device requests that carry secret/sign/ts and adds them itself.

Control endpoints (never affected by the reply knobs, not counted as requests):
  GET/POST /__mock/config   read / change knobs (JSON object of knob names)
  POST     /__mock/reset    knobs back to the command-line values, counters zeroed,
                            tokens, QR codes and the clock offset forgotten
  GET      /__mock/stats    counters and the last non-control request
  GET/POST /__mock/clock    read / advance the mock's clock ({"advance_s": N})
  POST     /__mock/expire   expire tokens now ({"what": "access"|"refresh"|"all"})
  GET/POST /__mock/qr       list QR codes / set one's state ({"qr_id"?, "state"})

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
ACCEPT_WAKE_S = 0.2

ENV_PREFIXES = ("", "/test")
CONTROL_PREFIX = "/__mock/"

# Platform error codes (PLATFORM.md, "Error codes seen in the docs").
E_OK = 0
E_SYSTEM = 1001
E_PARAM = 1002
E_EXPIRED = 1003
E_MISSING = 3001
E_SIGNATURE = 3003
E_SLOW_DOWN = 1429  # ASSUMED (Kconfig KGIOT_CODE_SLOW_DOWN)

# Top-level reply fields that the platform documents as integers; the
# "numbers": "string" knob turns exactly these into numeric strings.
INT_FIELDS = ("expires_in", "orig_acnt_type", "error_code", "status", "interval")

# Paths, without the environment prefix (Kconfig defaults).
P_APP_TOKEN = "/api/v2/getToken"
P_QR = "/oauth/v2/light_qr"
P_QR_STATUS = "/oauth/v2/light_qr_stat"
P_USER_TOKEN = "/oauth/v2/access_token"
P_REFRESH = "/oauth/v2/refresh_token"
P_UNBIND = "/oauth/v2/virtual_unbind"
P_BIND_INFO = "/oauth/v2/virtual_bind_info"
P_USER_ECHO = "/api/v2/user/echo"
P_GUEST_ECHO = "/api/v2/guest/echo"

QR_URL_BASE = "https://kg.qq.com/m/login?qr="
# QR states and their status values (Kconfig KGIOT_QR_STATUS_*, ASSUMED).
QR_STATES = {"waiting": 0, "scanned": 1, "confirmed": 2, "expired": 3, "cancelled": 4}
QR_FINAL = ("confirmed", "expired", "cancelled")
# Tolerance when judging whether a client polled faster than min_interval_s.
INTERVAL_SLACK_S = 0.05
# Request fields a device must never send to the broker.
BROKER_FORBIDDEN = ("secret", "sign", "ts")

TRAILER_NAME = "X-Mock-Trailer"
MAX_GATEWAY_HEADERS = 1 << 20  # knob gateway_headers: at most 1 MiB of added headers

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
    gateway_headers: int = 0  # bytes of cookies and trace headers a gateway adds to every reply
    status: int = 0  # one shot: force this HTTP status with an error body
    delay_ms: int = 0  # wait before every reply
    expires_in: int = 7200  # lifetime (s) of issued access tokens, sent as expires_in
    # Platform rules
    refresh_ttl_s: int = 30 * 86400  # lifetime of refresh tokens
    refresh_rotates: bool = True  # refresh replies carry a new refresh_token
    ts_window_s: int = 300  # refresh: allowed |ts - real now|
    qr_ttl_s: int = 120  # QR lifetime, sent as expires_in
    min_interval_s: int = 0  # QR status "interval" field; 0 = field omitted
    enforce_interval: bool = False  # polls faster than min_interval_s get 1429
    confirm_after_polls: int = 3  # poll k replies confirmed when k >= N, scanned when k > N//2
    auto_confirm_s: float = 0  # > 0: scanned at S/2, confirmed at S seconds (overrides polls)
    openid: str = "OPENID_USER1"  # openid of users confirmed by QR
    codes_single_use: bool = False  # also the --code codes work once (QR codes always do)
    token_expired_http401: bool = False  # business calls: bad token -> HTTP 401, no error_code
    omit_openid: bool = False  # user-token replies leave "openid" out (it is optional)
    broker: bool = False  # play the vendor's backend
    close_after: int = 0  # close (silently, close_notify) after every N-th reply per connection
    # One-shot counters: consumed as they fire
    expire_qrs: int = 0  # the next N issued QR codes expire at their first poll
    cancel: bool = False  # the next issued QR code is cancelled at its first poll
    slow_down: int = 0  # the next N QR status polls reply error_code 1429 (HTTP 200)
    http429: int = 0  # the next N platform requests get HTTP 429 + Retry-After: 1
    http5xx: int = 0  # the next N platform requests get HTTP 503


ONE_SHOT_KNOBS = ("close_mid_body", "status")
DEFAULT_KNOBS = Knobs()


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    return v == v and abs(v) != float("inf")  # not NaN, not infinite


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
    "gateway_headers": lambda v: _is_int(v) and 0 <= v <= MAX_GATEWAY_HEADERS,
    "status": _valid_status,
    "delay_ms": lambda v: _is_int(v) and 0 <= v <= 60000,
    "expires_in": lambda v: _is_int(v) and v >= 0,
    "refresh_ttl_s": lambda v: _is_int(v) and v >= 0,
    "refresh_rotates": lambda v: isinstance(v, bool),
    "ts_window_s": lambda v: _is_int(v) and v >= 0,
    "qr_ttl_s": lambda v: _is_int(v) and v >= 1,
    "min_interval_s": lambda v: _is_int(v) and v >= 0,
    "enforce_interval": lambda v: isinstance(v, bool),
    "confirm_after_polls": lambda v: _is_int(v) and v >= 0,
    "auto_confirm_s": lambda v: _is_number(v) and v >= 0,
    "openid": lambda v: isinstance(v, str) and 0 < len(v) < 64 and _FIELD_CHARS_RE.match(v),
    "codes_single_use": lambda v: isinstance(v, bool),
    "token_expired_http401": lambda v: isinstance(v, bool),
    "omit_openid": lambda v: isinstance(v, bool),
    "broker": lambda v: isinstance(v, bool),
    "close_after": lambda v: _is_int(v) and v >= 0,
    "expire_qrs": lambda v: _is_int(v) and v >= 0,
    "cancel": lambda v: isinstance(v, bool),
    "slow_down": lambda v: _is_int(v) and v >= 0,
    "http429": lambda v: _is_int(v) and v >= 0,
    "http5xx": lambda v: _is_int(v) and v >= 0,
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
        self.replies = 0  # platform replies sent, for the close_after knob


@dataclasses.dataclass
class Token:
    value: str
    kind: str  # "access" or "refresh"
    level: str  # "app" or "user"
    openid: str  # "" for app-level tokens
    expires_at: float  # on the mock's clock
    revoked: bool = False
    pair: str = ""  # the refresh token of an access token and vice versa


@dataclasses.dataclass
class QrCode:
    qr_id: str
    issued_at: float  # on the mock's clock
    state: object = "waiting"  # a QR_STATES name, or a raw int set through /__mock/qr
    polls: int = 0  # status polls answered with a status
    manual: bool = False  # set through /__mock/qr: the schedule no longer moves it
    expire_first: bool = False  # the expire_qrs knob marked it
    cancel_first: bool = False  # the cancel knob marked it
    openid: str = ""  # who confirms it ("" = the openid knob at confirmation)
    code: str = ""  # the authorization code, once confirmed
    last_poll: float = 0.0  # time.monotonic() of the previous status poll


@dataclasses.dataclass
class Grant:
    """An authorization code issued when a QR code was confirmed."""

    openid: str
    used: bool = False


def new_token(prefix):
    return "%s_%s" % (prefix, secrets.token_hex(16))


class State:
    def __init__(self, appid, secret, appkey, codes, baseline):
        self.appid = appid
        self.secret = secret
        self.appkey = appkey
        self.codes = frozenset(codes)
        self.baseline = baseline
        self.lock = threading.Lock()  # knobs and counters
        # Tokens, QR codes, grants and the clock. Lock order: data_lock, then lock.
        self.data_lock = threading.RLock()
        self.generation = 0
        self.reset()

    def reset(self):
        with self.data_lock:
            self.tokens = {}  # value -> Token (revoked ones kept, for clear messages)
            self.user_tokens = {}  # openid -> [token values] of that user's live tokens
            self.qrs = {}  # qr_id -> QrCode, in issue order
            self.grants = {}  # QR authorization code -> Grant
            self.used_codes = set()  # --code codes used (codes_single_use)
            self.clock_offset = 0.0
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
                self.by_path = {}
                self.bytes_in = 0
                self.bytes_out = 0
                self.counters = {"broker_rejected": 0, "qr_polls_too_fast": 0}

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

    def take_count(self, name):
        """Consume one unit of a one-shot counter knob; True if it fired."""
        with self.lock:
            value = getattr(self.knobs, name)
            if not value:
                return False
            setattr(self.knobs, name, False if isinstance(value, bool) else value - 1)
            return True

    def count(self, name):
        with self.lock:
            self.counters[name] += 1

    def note_request(self, conn, summary, route, nbytes):
        with self.lock:
            self.requests += 1
            self.last_request = summary
            self.by_path[route] = self.by_path.get(route, 0) + 1
            self.bytes_in += nbytes
            if conn.counted_generation != self.generation:
                conn.counted_generation = self.generation
                self.connections += 1
                if conn.tls == "full":
                    self.tls_full += 1
                elif conn.tls == "resumed":
                    self.tls_resumed += 1

    def note_bytes_out(self, nbytes):
        with self.lock:
            self.bytes_out += nbytes

    def stats(self):
        with self.lock:
            return {
                "connections": self.connections,
                "requests": self.requests,
                "tls_handshakes_full": self.tls_full,
                "tls_handshakes_resumed": self.tls_resumed,
                "by_path": dict(self.by_path),
                "bytes_in": self.bytes_in,
                "bytes_out": self.bytes_out,
                **self.counters,
                "last_request": self.last_request,
            }

    # -- tokens and the clock (call with data_lock held) ------------------------

    def now(self):
        """The mock's clock: token and QR expiry. ts checks use the real clock."""
        return time.time() + self.clock_offset

    def add_token(self, kind, level, openid, lifetime):
        tok = Token(new_token("AT" if kind == "access" else "RT"), kind, level, openid,
                    self.now() + lifetime)
        self.tokens[tok.value] = tok
        if level == "user":
            self.user_tokens.setdefault(openid, []).append(tok.value)
        return tok

    def issue_pair(self, level, openid, knobs):
        access = self.add_token("access", level, openid, knobs.expires_in)
        refresh = self.add_token("refresh", level, openid, knobs.refresh_ttl_s)
        access.pair, refresh.pair = refresh.value, access.value
        return access, refresh

    def revoke_user(self, openid):
        """Only one valid user token per (appid, user): a new login ends the old."""
        for value in self.user_tokens.pop(openid, []):
            self.tokens[value].revoked = True

    def check_token(self, value, kind):
        """(Token, None) for a live token of that kind, else (None, why)."""
        tok = self.tokens.get(value) if value else None
        if tok is None or tok.kind != kind:
            return None, "unknown %s token" % kind
        if tok.revoked:
            return None, "%s token invalidated" % kind
        if self.now() >= tok.expires_at:
            return None, "%s token expired" % kind
        return tok, None


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


class CountingReader:
    """A binary file wrapper that counts the bytes the request parser consumed."""

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

    def close(self):
        self.f.close()


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
    "x_obj": {"error_code": 999, "access_token": "decoy", "status": 7, "code": "decoy",
              "deep": {"a": [1, {"b": [[]]}]}},
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


def gateway_headers(size):
    """Header lines of about size bytes in all (CRLFs included), as a CDN or
    proxy in front of the platform adds them: trace ids, security headers and
    long cookies of at most 4 KB each. Deterministic, so tests can count."""
    fixed = [
        ("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678"),
        ("Strict-Transport-Security", "max-age=31536000; includeSubDomains; preload"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
        ("X-Cache", "Miss from cloudfront"),
    ]
    out, left, i = [], size, 0
    for name, value in fixed:
        if left >= len(name) + len(value) + 4:
            out.append((name, value))
            left -= len(name) + len(value) + 4
    line = len("Set-Cookie: \r\n")
    while left > line + len("gw%d=" % i):
        prefix = "gw%d=" % i
        room = min(left - line, 4096) - len(prefix)
        out.append(("Set-Cookie", prefix + "".join("%x" % (k % 16) for k in range(room))))
        left -= line + len(prefix) + room
        i += 1
    return out


def frame_reply(status, body, knobs, close, extra_headers=(), head_only=False):
    """(head bytes, [body parts]) of a complete HTTP/1.1 reply."""
    gateway = gateway_headers(knobs.gateway_headers)
    # Half the gateway's headers before Date, half after: a client must find
    # the headers it reads anywhere among them.
    headers = gateway[: len(gateway) // 2] + [
        ("Date", email.utils.formatdate(usegmt=True)),
        ("Server", "kg-mock"),
        ("Content-Type", "application/json; charset=utf-8"),
    ] + gateway[len(gateway) // 2:]
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
    """Write a reply; returns the number of bytes written."""
    # Head and each chunk go out in separate writes (so separate TLS records):
    # the client must cope with a reply spread over several reads.
    sock.sendall(head)
    if cut_mid_body:
        whole = b"".join(parts)
        sock.sendall(whole[: len(whole) // 2])
        return len(head) + len(whole) // 2
    for part in parts:
        sock.sendall(part)
    return len(head) + sum(len(p) for p in parts)


# ---------------------------------------------------------------------------
# Platform endpoints
#
# A handler takes (doc, state, knobs, req) and returns a reply payload (HTTP
# 200) or an HttpReply. Handlers run with state.data_lock held.


class HttpReply:
    """A handler's reply with a status other than 200."""

    def __init__(self, status, payload, headers=(), note=None):
        self.status = status
        self.payload = payload
        self.headers = list(headers)
        self.note = note


class Noted(dict):
    """A 200 payload with a note for the log line (never a secret)."""

    def __init__(self, payload, note):
        super().__init__(payload)
        self.note = note


def ok_payload(**fields):
    return {**fields, "error_code": E_OK, "error_msg": ""}


def expired(why):
    return error_payload(E_EXPIRED, "authorization expired: %s" % why)


def missing_field(doc, names):
    """Error payload for the first required field absent or not a non-empty string."""
    for name in names:
        value = doc.get(name)
        if not isinstance(value, str) or value == "":
            return error_payload(E_MISSING, "missing or invalid parameter: %s" % name)
    return None


def same(a, b):
    # compare_digest: no reason for a mock to leak timing, and it costs nothing.
    return hmac.compare_digest(a.encode(), b.encode())


def check_appid(doc, state):
    if not same(doc["appid"], state.appid):
        return error_payload(E_SIGNATURE, "signature check failed: unknown appid")
    return None


def check_app(doc, state, grant_type, fields):
    """Common checks of both token endpoints; an error payload or None."""
    err = missing_field(doc, fields)
    if err:
        return err
    if doc["grant_type"] != grant_type:
        return error_payload(E_PARAM, "invalid grant_type: expected %s" % grant_type)
    app_ok = same(doc["appid"], state.appid)
    secret_ok = same(doc["secret"], state.secret)
    if not (app_ok and secret_ok):
        return error_payload(E_SIGNATURE, "signature check failed: unknown appid or wrong secret")
    return None


def check_app_token(doc, state):
    """The request's access_token as a live app-level Token, or (None, error payload)."""
    tok, why = state.check_token(doc["access_token"], "access")
    if tok is None:
        return None, expired(why)
    if tok.level != "app":
        return None, expired("an app-level access token is required")
    return tok, None


def stable_id(prefix, *parts):
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return "%s_%s" % (prefix, digest[:28])


def refresh_sign(appid, ts, appkey):
    """PLATFORM.md: lowercase hex MD5 of "KG_" appid "_" ts "_" appkey."""
    return hashlib.md5(("KG_%s_%d_%s" % (appid, ts, appkey)).encode("utf-8")).hexdigest()


def get_token(doc, state, knobs, req):
    err = check_app(doc, state, "client_credential", ("appid", "secret", "grant_type"))
    if err:
        return err
    access, refresh = state.issue_pair("app", "", knobs)
    return {
        "access_token": access.value,
        "expires_in": knobs.expires_in,
        "refresh_token": refresh.value,
        "error_code": E_OK,
        "error_msg": "",
    }


def light_qr(doc, state, knobs, req):
    err = missing_field(doc, ("appid", "access_token")) or check_appid(doc, state)
    if err:
        return err
    _, err = check_app_token(doc, state)
    if err:
        return err
    qr = QrCode("QR_" + secrets.token_hex(12), state.now())
    qr.expire_first = state.take_count("expire_qrs")
    qr.cancel_first = state.take_count("cancel")
    state.qrs[qr.qr_id] = qr
    return ok_payload(qr_url=QR_URL_BASE + qr.qr_id, qr_id=qr.qr_id, expires_in=knobs.qr_ttl_s)


def confirm_qr(qr, state, openid):
    qr.state = "confirmed"
    if not qr.code:
        qr.code = new_token("QC")
        state.grants[qr.code] = Grant(qr.openid or openid)


def scheduled_state(qr, state, knobs):
    """Where the schedule puts the QR code now (a QR_STATES name)."""
    if knobs.auto_confirm_s > 0:
        age = state.now() - qr.issued_at
        if age >= knobs.auto_confirm_s:
            return "confirmed"
        return "scanned" if age >= knobs.auto_confirm_s / 2 else "waiting"
    n = knobs.confirm_after_polls
    if n > 0:
        if qr.polls >= n:
            return "confirmed"
        return "scanned" if qr.polls > n // 2 else "waiting"
    return "waiting"


def advance_qr(qr, state, knobs):
    """Move the QR code on by one status poll (qr.polls already counts it)."""
    if qr.state in QR_FINAL:
        return
    if qr.polls == 1 and qr.expire_first:
        qr.state, qr.manual = "expired", True
    elif qr.polls == 1 and qr.cancel_first:
        qr.state, qr.manual = "cancelled", True
    elif state.now() >= qr.issued_at + knobs.qr_ttl_s:
        qr.state = "expired"
    elif not qr.manual:
        rank = ("waiting", "scanned", "confirmed")
        current = rank.index(qr.state) if qr.state in rank else 0
        target = max(current, rank.index(scheduled_state(qr, state, knobs)))
        if rank[target] == "confirmed":
            confirm_qr(qr, state, knobs.openid)
        else:
            qr.state = rank[target]


def qr_status_value(qr):
    return QR_STATES[qr.state] if isinstance(qr.state, str) else qr.state


def light_qr_stat(doc, state, knobs, req):
    if state.take_count("slow_down"):
        return Noted(error_payload(E_SLOW_DOWN, "slow down"), "slow_down")
    err = missing_field(doc, ("appid", "qr_id")) or check_appid(doc, state)
    if err:
        return err
    qr = state.qrs.get(doc["qr_id"])
    if qr is None:
        return error_payload(E_PARAM, "bad parameter: unknown qr_id")
    now = time.monotonic()
    too_fast = (knobs.min_interval_s and qr.last_poll
                and now - qr.last_poll < knobs.min_interval_s - INTERVAL_SLACK_S)
    qr.last_poll = now
    if too_fast:
        state.count("qr_polls_too_fast")
        if knobs.enforce_interval:
            return Noted(error_payload(E_SLOW_DOWN, "slow down: polled faster than interval"),
                         "too fast")
    qr.polls += 1
    advance_qr(qr, state, knobs)
    reply = {"status": qr_status_value(qr)}
    if qr.state == "confirmed":
        reply["code"] = qr.code
    if knobs.min_interval_s:
        reply["interval"] = knobs.min_interval_s
    return Noted(ok_payload(**reply), "status=%d" % reply["status"])


def access_token(doc, state, knobs, req):
    fields = ("appid", "secret", "code", "grant_type")
    err = check_app(doc, state, "authorization_code", fields)
    if err:
        return err
    code = doc["code"]
    grant = state.grants.get(code)
    if grant is not None:
        if grant.used:
            return expired("code already used")
        grant.used = True
        openid = grant.openid
        unionid = stable_id("UNIONID", "unionid", openid)
    elif code in state.codes:
        if knobs.codes_single_use:
            if code in state.used_codes:
                return expired("code already used")
            state.used_codes.add(code)
        openid = stable_id("OPENID", state.appid, "openid", code)
        unionid = stable_id("UNIONID", "unionid", code)
    else:
        return expired("unknown or invalid code")
    state.revoke_user(openid)
    access, refresh = state.issue_pair("user", openid, knobs)
    reply = {
        "access_token": access.value,
        "expires_in": knobs.expires_in,
        "refresh_token": refresh.value,
        "openid": openid,
        "unionid": unionid,
        "scope": "user_info,song_play",
        "orig_acnt_type": 2,
        "error_code": E_OK,
        "error_msg": "成功 ok",
    }
    if knobs.omit_openid:
        del reply["openid"]
    return reply


def refresh_token(doc, state, knobs, req):
    err = missing_field(doc, ("appid",))
    if not err and "openid" in doc:
        err = missing_field(doc, ("openid",))
    err = err or missing_field(doc, ("refresh_token",))
    if err:
        return err
    ts = doc.get("ts")
    if not _is_int(ts):
        return error_payload(E_MISSING, "missing or invalid parameter: ts")
    err = missing_field(doc, ("sign",)) or check_appid(doc, state)
    if err:
        return err
    if not same(doc["sign"], refresh_sign(doc["appid"], ts, state.appkey)):
        return error_payload(E_SIGNATURE, "signature check failed: sign mismatch")
    if abs(ts - time.time()) > knobs.ts_window_s:
        return error_payload(E_PARAM, "ts out of window")
    old_refresh, why = state.check_token(doc["refresh_token"], "refresh")
    if old_refresh is None:
        return expired(why)
    openid = doc.get("openid", "")
    if openid != old_refresh.openid:
        if old_refresh.level == "app":
            return expired("an app-level refresh token takes no openid")
        return expired("refresh token of another openid" if openid else "openid required")
    old_access = state.tokens.get(old_refresh.pair)
    if old_access is not None:
        old_access.revoked = True
    access = state.add_token("access", old_refresh.level, openid, knobs.expires_in)
    reply = {"access_token": access.value, "expires_in": knobs.expires_in}
    if knobs.refresh_rotates:
        old_refresh.revoked = True
        refresh = state.add_token("refresh", old_refresh.level, openid, knobs.refresh_ttl_s)
        reply["refresh_token"] = refresh.value
    else:
        refresh = old_refresh
    access.pair, refresh.pair = refresh.value, access.value
    return ok_payload(**reply)


def virtual_unbind(doc, state, knobs, req):
    err = missing_field(doc, ("appid", "openid", "access_token", "token"))
    err = err or check_appid(doc, state)
    if err:
        return err
    tok, why = state.check_token(doc["access_token"], "access")
    if tok is None:
        return expired(why)
    if tok.level != "user" or tok.openid != doc["openid"]:
        return expired("access token is not the user token of this openid")
    return ok_payload()


def virtual_bind_info(doc, state, knobs, req):
    err = missing_field(doc, ("appid", "virtual_openid", "access_token"))
    err = err or check_appid(doc, state)
    if err:
        return err
    _, err = check_app_token(doc, state)
    if err:
        return err
    return {"status": 1 if doc["virtual_openid"].startswith("bound") else 0,
            "error_code": E_OK, "error_msg": ""}


def business_token(req, state, knobs):
    """(Token, None) for the call's X-Access-Token, or (None, error reply)."""
    appid = req.header("x-app-id")
    if not appid:
        return None, error_payload(E_MISSING, "missing header X-App-Id")
    if not same(appid, state.appid):
        return None, error_payload(E_SIGNATURE, "ticket rejected: unknown X-App-Id")
    value = req.header("x-access-token")
    tok, why = state.check_token(value, "access")
    if tok is None:
        if not value:
            why = "missing header X-Access-Token"
        if knobs.token_expired_http401:
            # No error_code on purpose: the client must go by the HTTP status.
            return None, HttpReply(401, {"error_msg": "unauthorized: %s" % why})
        return None, expired(why)
    return tok, None


def user_echo(doc, state, knobs, req):
    tok, err = business_token(req, state, knobs)
    if err:
        return err
    if tok.level != "user":
        return error_payload(E_SIGNATURE, "ticket rejected: a user API needs a user-level token")
    openid = req.header("x-open-id")
    if not openid:
        return error_payload(E_MISSING, "missing header X-Open-Id")
    if not same(openid, tok.openid):
        return error_payload(E_SIGNATURE, "ticket rejected: X-Open-Id does not match the token")
    return ok_payload(openid=tok.openid, echo=doc)


def guest_echo(doc, state, knobs, req):
    tok, err = business_token(req, state, knobs)
    if err:
        return err
    if tok.level != "app":
        return error_payload(E_SIGNATURE, "ticket rejected: a guest API needs an app-level token")
    if req.header("x-open-id"):
        return error_payload(E_SIGNATURE, "ticket rejected: X-Open-Id with an app-level token")
    return ok_payload(echo=doc)


AUTH_ROUTES = {
    P_APP_TOKEN: get_token,
    P_QR: light_qr,
    P_QR_STATUS: light_qr_stat,
    P_USER_TOKEN: access_token,
    P_REFRESH: refresh_token,
    P_UNBIND: virtual_unbind,
    P_BIND_INFO: virtual_bind_info,
}
BUSINESS_ROUTES = {
    P_USER_ECHO: user_echo,
    P_GUEST_ECHO: guest_echo,
}
API_ROUTES = {**AUTH_ROUTES, **BUSINESS_ROUTES}


def find_route(path):
    """(route without the environment prefix, handler), or (None, None)."""
    for prefix in ENV_PREFIXES:
        if path.startswith(prefix):
            route = path[len(prefix) :]
            handler = API_ROUTES.get(route)
            if handler:
                return route, handler
    return None, None


def stats_key(target):
    """The by_path key of a request target: the route, else the path as sent."""
    path = (target or "?").partition("?")[0]
    route, _ = find_route(path)
    return route or path


def broker_rewrite(route, doc, state):
    """As the vendor's backend: (doc to forward, None) or (None, error payload)."""
    if any(name in doc for name in BROKER_FORBIDDEN):
        state.count("broker_rejected")
        return None, error_payload(E_PARAM, "device must not send the secret")
    doc = dict(doc)
    if route in (P_APP_TOKEN, P_USER_TOKEN):
        doc["secret"] = state.secret
    elif route == P_REFRESH:
        ts = int(time.time())
        appid = doc["appid"] if isinstance(doc.get("appid"), str) else state.appid
        doc["ts"] = ts
        doc["sign"] = refresh_sign(appid, ts, state.appkey)
    return doc, None


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
    """(status, payload, extra headers, log note) for a platform request."""
    if knobs.status:
        return knobs.status, forced_payload(knobs.status), [], "forced"
    if state.take_count("http429"):
        payload = error_payload(E_SLOW_DOWN, "too many requests")
        return 429, payload, [("Retry-After", "1")], "injected"
    if state.take_count("http5xx"):
        return 503, error_payload(E_SYSTEM, "system error: service unavailable"), [], "injected"
    route, handler = find_route(req.path)
    if handler is None:
        return 404, error_payload(E_PARAM, "unknown path: %s" % req.path), [], None
    if req.method != "POST":
        message = "method not allowed: %s" % req.method
        return 405, error_payload(E_PARAM, message), [("Allow", "POST")], None
    content_type = req.header("content-type")
    if req.header_count("content-type") != 1 or not is_json_content_type(content_type):
        return 400, error_payload(E_PARAM, "Content-Type must be application/json"), [], None
    try:
        doc = parse_json_strict(req.body)
    except (UnicodeDecodeError, ValueError):
        return 400, error_payload(E_PARAM, "body is not valid JSON"), [], None
    if not isinstance(doc, dict):
        return 400, error_payload(E_PARAM, "body is not a JSON object"), [], None
    note = None
    if knobs.broker and route in AUTH_ROUTES:
        doc, err = broker_rewrite(route, doc, state)
        if err:
            return 400, err, [], "broker rejected"
        note = "broker"
    with state.data_lock:
        result = handler(doc, state, knobs, req)
    if isinstance(result, HttpReply):
        return result.status, result.payload, result.headers, result.note or note
    extra = getattr(result, "note", None)
    if extra:
        note = "%s %s" % (note, extra) if note else extra
    return 200, dict(result), [], note


# ---------------------------------------------------------------------------
# Control endpoints

CONTROL_METHODS = {
    "/__mock/stats": ("GET",),
    "/__mock/reset": ("POST",),
    "/__mock/config": ("GET", "POST"),
    "/__mock/clock": ("GET", "POST"),
    "/__mock/expire": ("POST",),
    "/__mock/qr": ("GET", "POST"),
}


def control_body(req):
    """The control request's JSON object ({} for an empty body), or None."""
    if not req.body.strip():
        return {}
    try:
        doc = parse_json_strict(req.body)
    except (UnicodeDecodeError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def clock_payload(state):
    return {"ok": True, "offset_s": state.clock_offset, "now": state.now(), "real_now": time.time()}


def control_clock(req, state, doc):
    with state.data_lock:
        if req.method == "POST":
            step = doc.get("advance_s")
            if set(doc) != {"advance_s"} or not _is_number(step) or step < 0:
                return 400, error_payload(E_PARAM, 'expected {"advance_s": seconds >= 0}')
            state.clock_offset += step
        return 200, clock_payload(state)


def control_expire(state, doc):
    what, level = doc.get("what"), doc.get("level", "any")
    kinds = {"access": ("access",), "refresh": ("refresh",), "all": ("access", "refresh")}
    if what not in kinds or level not in ("app", "user", "any") or set(doc) - {"what", "level"}:
        return 400, error_payload(E_PARAM, 'expected {"what": "access"|"refresh"|"all", '
                                           '"level": "app"|"user"|"any"}')
    n = 0
    with state.data_lock:
        now = state.now()
        for tok in state.tokens.values():
            live = not tok.revoked and now < tok.expires_at
            if live and tok.kind in kinds[what] and level in ("any", tok.level):
                tok.expires_at = now
                n += 1
    return 200, {"ok": True, "expired": n}


def qr_info(qr, state):
    return {"qr_id": qr.qr_id, "state": qr.state if isinstance(qr.state, str) else "raw",
            "status": qr_status_value(qr), "polls": qr.polls, "manual": qr.manual,
            "age_s": round(state.now() - qr.issued_at, 3)}


def control_qr(req, state, doc):
    with state.data_lock:
        if req.method == "GET":
            return 200, {"ok": True, "qrs": [qr_info(q, state) for q in state.qrs.values()]}
        want = doc.get("state")
        qr_id, openid = doc.get("qr_id"), doc.get("openid")
        want_ok = (isinstance(want, str) and want in QR_STATES) or _is_int(want)
        if (set(doc) - {"qr_id", "state", "openid"} or not want_ok
                or (qr_id is not None and not isinstance(qr_id, str))
                or (openid is not None and not (isinstance(openid, str) and openid))):
            return 400, error_payload(E_PARAM, 'expected {"qr_id"?, "state": "waiting"|"scanned"|'
                                               '"confirmed"|"cancelled"|"expired"|int, "openid"?}')
        if qr_id is None:
            if not state.qrs:
                return 404, error_payload(E_PARAM, "no QR code issued yet")
            qr_id = next(reversed(state.qrs))
        qr = state.qrs.get(qr_id)
        if qr is None:
            return 404, error_payload(E_PARAM, "unknown qr_id")
        qr.manual = True
        if openid:
            qr.openid = openid
        if want == "confirmed":
            confirm_qr(qr, state, state.config()["openid"])
        else:
            qr.state = want
        return 200, dict(qr_info(qr, state), ok=True)


def control_reply(req, state):
    """(status, payload) for /__mock/...; plain replies, no knobs."""
    path, method = req.path, req.method
    if path not in CONTROL_METHODS:
        return 404, error_payload(E_PARAM, "unknown control path: %s" % path)
    if method not in CONTROL_METHODS[path]:
        return 405, error_payload(E_PARAM, "method not allowed: %s" % method)
    if path == "/__mock/stats":
        return 200, state.stats()
    if path == "/__mock/reset":
        state.reset()
        return 200, {"ok": True, "config": state.config()}
    if path == "/__mock/config" and method == "GET":
        return 200, {"ok": True, "config": state.config()}
    if path == "/__mock/config":
        try:
            changes = parse_json_strict(req.body)
        except (UnicodeDecodeError, ValueError):
            return 400, error_payload(E_PARAM, "config body is not valid JSON")
        problem = check_knob_changes(changes)
        if problem:
            return 400, error_payload(E_PARAM, problem)
        return 200, {"ok": True, "config": state.configure(changes)}
    doc = control_body(req) if method == "POST" else {}
    if doc is None:
        return 400, error_payload(E_PARAM, "body is not a JSON object")
    if path == "/__mock/clock":
        return control_clock(req, state, doc)
    if path == "/__mock/expire":
        return control_expire(state, doc)
    return control_qr(req, state, doc)


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


def log_reply(conn, method, target, status, payload, note=None):
    # Only method, path without query, status, error code and a short note
    # (QR status, injected failure, broker): never the body, which may hold
    # the secret, nor the reply, which holds tokens and codes.
    path = (target or "?").partition("?")[0]
    code = payload.get("error_code") if isinstance(payload, dict) else None
    suffix = "" if code is None else " error_code=%s" % code
    if note:
        suffix += " (%s)" % note
    log("%s %s %s -> %d%s" % (conn.peer, method or "?", path, status, suffix))


def handle_control(sock, conn, req, state):
    status, payload = control_reply(req, state)
    log_reply(conn, req.method, req.target, status, payload)
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    close = req.wants_close()
    head, parts = frame_reply(status, body, DEFAULT_KNOBS, close)
    send_reply(sock, head, parts)
    return CLOSE if close else KEEP


def handle_api(sock, conn, req, state, nbytes):
    """Serve one platform request of nbytes bytes; returns KEEP, CLOSE or DROP."""
    knobs = state.take_knobs()
    summary = request_summary(req.method, req.target, req.headers, req.body)
    state.note_request(conn, summary, stats_key(req.target), nbytes)
    status, payload, extra, note = api_reply(req, state, knobs)
    log_reply(conn, req.method, req.target, status, payload, note)
    if knobs.delay_ms:
        time.sleep(knobs.delay_ms / 1000.0)
    close = knobs.close or req.wants_close()
    conn.replies += 1
    # close_after: a quiet close (no "Connection: close"), like a server whose
    # keep-alive limit is reached: the client finds out when it reuses the
    # connection.
    quiet_close = bool(knobs.close_after) and conn.replies % knobs.close_after == 0
    head, parts = frame_reply(
        status, reply_body(payload, knobs), knobs, close, extra, head_only=req.method == "HEAD"
    )
    sent = send_reply(sock, head, parts, cut_mid_body=knobs.close_mid_body)
    state.note_bytes_out(sent)
    if knobs.close_mid_body:
        return DROP  # like a real cut: no close_notify, no complete framing
    return CLOSE if close or quiet_close else KEEP


def handle_bad_request(sock, conn, err, state, nbytes):
    """Answer a request refused at the HTTP level; returns CLOSE: the request
    framing cannot be trusted, so the connection cannot be reused."""
    counted = not is_control(err.target)
    if counted:
        summary = request_summary(err.method, err.target, err.headers, b"")
        state.note_request(conn, summary, stats_key(err.target), nbytes)
    payload = error_payload(E_PARAM, err.message)
    log_reply(conn, err.method, err.target, err.status, payload)
    body = json.dumps(payload).encode("ascii")
    head, parts = frame_reply(err.status, body, DEFAULT_KNOBS, close=True)
    sent = send_reply(sock, head, parts)
    if counted:
        state.note_bytes_out(sent)
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
    reader = CountingReader(sock.makefile("rb"))
    try:
        while True:
            sock.settimeout(idle_timeout)
            reader.count = 0
            try:
                req = read_request(reader)
            except BadRequest as err:
                outcome = handle_bad_request(sock, conn, err, state, reader.count)
            else:
                if is_control(req.path):
                    outcome = handle_control(sock, conn, req, state)
                else:
                    outcome = handle_api(sock, conn, req, state, reader.count)
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
        # SIGTERM may be taken by a connection thread, which only flags it for
        # the main thread: wake up now and then so the flag is seen.
        listener.settimeout(ACCEPT_WAKE_S)
        while True:
            try:
                raw, addr = listener.accept()
            except socket.timeout:
                continue
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


# TEST-NET-1 (RFC 5737): never routed. The lwIP test (tests/lwip) serves on
# 192.0.2.1, the kernel side of a tap device inside a private network namespace.
TEST_NET_1 = ipaddress.ip_network("192.0.2.0/24")


def loopback_host(value):
    try:
        addr = ipaddress.ip_address(value)
        if addr.is_loopback or addr in TEST_NET_1:
            return value
    except ValueError:
        pass
    raise argparse.ArgumentTypeError("must be a loopback IP address (e.g. 127.0.0.1) "
                                     "or one in 192.0.2.0/24")


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
    p.add_argument("--appkey", help="refresh signing key (default: the secret)")
    p.add_argument("--code", action="append",
                   help="a pre-provisioned authorization code (repeatable; reusable unless "
                        "--single-use-codes; default code-ok-1)")
    p.add_argument("--single-use-codes", action="store_true",
                   help="the --code codes work once, like QR codes (knob codes_single_use)")
    p.add_argument("--broker", action="store_true",
                   help="play the vendor's backend: refuse secret/sign/ts from the device, "
                        "add them itself")
    p.add_argument("--openid", default=DEFAULT_KNOBS.openid, help="openid of QR-confirmed users")
    p.add_argument("--auto-confirm", type=float, default=0.0, metavar="S",
                   help="QR codes are scanned after S/2 s and confirmed after S s (0 = by polls)")
    p.add_argument("--confirm-after-polls", type=int, default=DEFAULT_KNOBS.confirm_after_polls,
                   metavar="N", help="the N-th status poll confirms (0 = never by polls)")
    p.add_argument("--qr-ttl", type=int, default=DEFAULT_KNOBS.qr_ttl_s, metavar="S")
    p.add_argument("--min-interval", type=int, default=0, metavar="S",
                   help="QR status replies carry interval=S (0 = no interval field)")
    p.add_argument("--refresh-ttl", type=int, default=DEFAULT_KNOBS.refresh_ttl_s, metavar="S")
    p.add_argument("--no-refresh-rotation", action="store_true",
                   help="refresh replies carry no new refresh_token")
    p.add_argument("--close-after", type=int, default=0, metavar="N",
                   help="close each connection quietly after N replies (0 = never)")
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
    p.add_argument("--gateway-headers", type=int, default=0, metavar="BYTES",
                   help="add about BYTES of cookies and trace headers to every reply")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--expires-in", type=int, default=7200)
    args = p.parse_args(argv)
    if not args.plain and not (args.cert and args.key):
        p.error("--cert and --key are required unless --plain")
    if args.code is None:
        args.code = ["code-ok-1"]
    if args.appkey is None:
        args.appkey = args.secret
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
        gateway_headers=args.gateway_headers,
        delay_ms=args.delay_ms,
        expires_in=args.expires_in,
        codes_single_use=args.single_use_codes,
        broker=args.broker,
        openid=args.openid,
        auto_confirm_s=args.auto_confirm,
        confirm_after_polls=args.confirm_after_polls,
        qr_ttl_s=args.qr_ttl,
        min_interval_s=args.min_interval,
        refresh_ttl_s=args.refresh_ttl,
        refresh_rotates=not args.no_refresh_rotation,
        close_after=args.close_after,
    )
    problem = check_knob_changes(dataclasses.asdict(knobs))
    if problem:
        sys.exit("kg_mock: %s" % problem)
    return knobs


def _raise_stop(signum, frame):
    raise StopServer()


def main(argv=None):
    args = parse_args(argv)
    state = State(args.appid, args.secret, args.appkey, args.code, baseline_knobs(args))
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
        log("listening on %s:%d (%s%s)" % (args.host, port, "plain" if args.plain else "TLS",
                                           ", broker" if args.broker else ""))
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
