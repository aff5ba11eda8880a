"""The whole login through the kgiot CLI against the mock platform over TLS:
QR, polling, user token, saved session, refresh, authorised calls, broker
mode, handshake counts.

Every kgiot run logs at its most verbose (-v; tests/run_all.sh also runs
this suite with a kgiot built with CONFIG_KGIOT_LOG_LEVEL=4), and at the end
every output, the mock's logs included, is searched for the secret, every
token and code the mock issues and anything shaped like a signature (issue
11, defect 5).

Run by ctest: test_login.py --kgiot PATH --work DIR
"""
import argparse
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockctl import Mock, make_certs  # noqa: E402

APPID, SECRET = "kgtest", "kgsecret"
ARGS = None
OUTPUTS = []  # (argv, stdout + stderr) of every kgiot run
MOCK_LOGS = []
# The mock's tokens and codes (kg_mock.new_token), and a bare 32-hex-digit
# run: an MD5 signature.
LEAKS = re.compile(r"(AT|RT|QC)_[0-9a-f]{32}|(?<![0-9A-Za-z_])[0-9a-f]{32}(?![0-9A-Za-z_])")


def run(*argv, timeout=60):
    argv = list(argv)
    if argv[0] == ARGS.kgiot:
        argv.append("-v")
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    OUTPUTS.append((argv, p.stdout + p.stderr))
    return p.returncode, p.stdout, p.stderr


def tearDownModule():
    texts = list(OUTPUTS)
    for path in MOCK_LOGS:
        with open(path, errors="replace") as f:
            texts.append((["mock log", path], f.read()))
    found = []
    for argv, text in texts:
        if SECRET in text:
            found.append((argv, SECRET))
        found += [(argv, m.group(0)) for m in LEAKS.finditer(text)]
    print("\nFIGURES secrets check: %d kgiot runs and %d mock logs, %d bytes searched, %d leaks"
          % (len(OUTPUTS), len(MOCK_LOGS), sum(len(t) for _, t in texts), len(found)),
          file=sys.stderr)
    if found:
        raise AssertionError("secret or token in an output: %r" % found[:5])


class Base(unittest.TestCase):
    broker = False

    @classmethod
    def setUpClass(cls):
        cls.work = os.path.join(ARGS.work, "broker" if cls.broker else "direct")
        os.makedirs(cls.work, exist_ok=True)
        cls.ca = make_certs(cls.work)
        extra = ["--broker"] if cls.broker else []
        cls.mock = Mock(cls.work, "mock", cls.ca, APPID, SECRET, extra)
        MOCK_LOGS.append(cls.mock.log_path)
        cls.base = "https://localhost:%d" % cls.mock.port
        cls.state = os.path.join(cls.work, "session.json")

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    def setUp(self):
        self.mock.reset()
        if os.path.exists(self.state):
            os.unlink(self.state)

    def kgiot(self, command, *extra, mode=None):
        argv = [ARGS.kgiot, command, "--base", self.base, "--ca", self.ca, "--appid", APPID]
        mode = mode or (["--broker"] if self.broker else ["--secret", SECRET])
        session = {"login": ["--state", self.state, "--poll-ms", "50"],
                   "call": ["--state", self.state]}.get(command, [])
        return run(*(argv + mode + session + list(extra)))

    def login(self, *extra, **kw):
        rc, out, err = self.kgiot("login", *extra, **kw)
        events = [line.split()[1] for line in out.splitlines() if line.startswith("event: ")]
        return rc, events, out, err

    def assert_logged_in(self, *extra):
        rc, events, out, err = self.login(*extra)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(events[-1], "logged_in")
        return events, out


class Login(Base):
    def test_login_events_and_saved_session(self):
        self.mock.config(confirm_after_polls=4)
        events, out = self.assert_logged_in()
        self.assertEqual(events, ["qr_ready", "scanned", "confirmed", "logged_in"])
        self.assertIn("event: qr_ready https://kg.qq.com/m/login?qr=", out)
        self.assertIn("\u2588", out, "the QR code is rendered in the terminal")
        with open(self.state) as f:
            saved = json.load(f)
        self.assertTrue(saved["access_token"] and saved["refresh_token"] and saved["openid"])
        self.assertEqual(oct(os.stat(self.state).st_mode & 0o777), "0o600")
        self.assertNotIn(saved["access_token"], out, "tokens never printed")

    def test_ten_polls_one_full_handshake(self):
        self.mock.config(confirm_after_polls=10)
        self.assert_logged_in()
        s = self.mock.stats()
        self.assertGreaterEqual(s["by_path"]["/oauth/v2/light_qr_stat"], 10)
        self.assertEqual((s["tls_handshakes_full"], s["tls_handshakes_resumed"]), (1, 0))
        self.assertEqual(s["connections"], 1)
        print("\nFIGURES one login, %d polls: full %d, resumed %d, bytes in %d, out %d"
              % (s["by_path"]["/oauth/v2/light_qr_stat"], s["tls_handshakes_full"],
                 s["tls_handshakes_resumed"], s["bytes_in"], s["bytes_out"]), file=sys.stderr)

    def test_server_close_resumes(self):
        self.mock.config(confirm_after_polls=6, close_after=2)
        self.assert_logged_in()
        s = self.mock.stats()
        self.assertEqual(s["tls_handshakes_full"], 1)
        self.assertGreaterEqual(s["tls_handshakes_resumed"], 1)
        self.assertEqual(s["connections"], 1 + s["tls_handshakes_resumed"])

    def test_expired_qr_gets_a_fresh_one(self):
        self.mock.config(confirm_after_polls=2, expire_qrs=1)
        events, _ = self.assert_logged_in()
        self.assertEqual(events.count("qr_ready"), 2)

    def test_qr_expiring_too_often_fails(self):
        self.mock.config(expire_qrs=100)
        rc, events, out, err = self.login()
        self.assertEqual(rc, 1)
        self.assertIn("KG_ERR_QR_EXPIRED", err)
        self.assertEqual(events.count("qr_ready"), 4, "the first code and 3 renewals")

    def test_user_cancels(self):
        self.mock.config(cancel=True)
        rc, events, out, err = self.login()
        self.assertEqual(rc, 1)
        self.assertIn("KG_ERR_LOGIN_DENIED", err)
        self.assertFalse(os.path.exists(self.state) and json.load(open(self.state))["access_token"])

    def test_slow_down_then_success(self):
        self.mock.config(confirm_after_polls=3, slow_down=2)
        self.assert_logged_in()

    def test_5xx_then_success(self):
        self.mock.config(confirm_after_polls=2, http5xx=1)
        self.assert_logged_in()

    def test_429_then_success(self):
        self.mock.config(confirm_after_polls=2, http429=1)
        self.assert_logged_in()

    def test_gateway_adds_kilobytes_of_headers(self):
        # Issue 11, defect 7: a CDN in front of the platform adds 8 KB of
        # cookies and trace headers to every reply (4 times the receive
        # buffer), and a refresh and a call follow on the same session.
        self.mock.config(confirm_after_polls=3, gateway_headers=8000, encoding="chunked")
        events, _ = self.assert_logged_in()
        self.assertEqual(events, ["qr_ready", "scanned", "confirmed", "logged_in"])
        self.mock.control("POST", "/__mock/expire", {"what": "access"})
        argv = [ARGS.kgiot, "call", "/api/v2/user/echo", "--base", self.base, "--ca", self.ca,
                "--appid", APPID, "--secret", SECRET, "--state", self.state, "--body", "{}"]
        rc, out, err = run(*argv)
        self.assertEqual(rc, 0, out + err)
        s = self.mock.stats()
        self.assertEqual(s["by_path"].get("/oauth/v2/refresh_token"), 1)
        self.assertGreater(s["bytes_out"], 8000 * s["requests"])

    def test_deadline(self):
        self.mock.config(confirm_after_polls=100000)
        rc, events, out, err = self.login("--timeout-ms", "1500")
        self.assertEqual(rc, 1)
        self.assertIn("KG_ERR_TIMEOUT", err)


class Calls(Base):
    def logged_in(self):
        self.mock.config(confirm_after_polls=2)
        self.assert_logged_in()

    def kg_call(self, path, body="{}", *extra):
        argv = [ARGS.kgiot, "call", path, "--base", self.base, "--ca", self.ca, "--appid", APPID,
                "--secret", SECRET, "--state", self.state, "--body", body] + list(extra)
        return run(*argv)

    def test_call_sends_token_and_openid(self):
        self.logged_in()
        rc, out, err = self.kg_call("/api/v2/user/echo", '{"song":"月亮代表我的心"}')
        self.assertEqual(rc, 0, out + err)
        reply = json.loads(out)
        self.assertEqual(reply["error_code"], 0)
        self.assertEqual(reply["echo"], {"song": "月亮代表我的心"})
        headers = self.mock.stats()["last_request"]["headers"]
        self.assertTrue(headers.get("x-open-id"))

    def test_guest_call_has_no_open_id(self):
        self.logged_in()
        rc, out, err = self.kg_call("/api/v2/guest/echo", "{}", "--guest")
        self.assertEqual(rc, 0, out + err)
        self.assertNotIn("x-open-id", self.mock.stats()["last_request"]["headers"])

    def test_expired_token_refreshes_once_and_retries(self):
        self.logged_in()
        self.mock.control("POST", "/__mock/expire", {"what": "access"})
        rc, out, err = self.kg_call("/api/v2/user/echo", '{"a":1}')
        self.assertEqual(rc, 0, out + err)
        s = self.mock.stats()
        self.assertEqual(s["by_path"].get("/oauth/v2/refresh_token"), 1)
        self.assertEqual(s["by_path"].get("/api/v2/user/echo"), 2)

    def test_401_counts_as_expired(self):
        self.logged_in()
        self.mock.config(token_expired_http401=True)
        self.mock.control("POST", "/__mock/expire", {"what": "access"})
        rc, out, err = self.kg_call("/api/v2/user/echo", "{}")
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.mock.stats()["by_path"].get("/oauth/v2/refresh_token"), 1)

    def test_refresh_token_expired_means_login_required(self):
        self.logged_in()
        self.mock.control("POST", "/__mock/expire", {"what": "all"})
        rc, out, err = self.kg_call("/api/v2/user/echo", "{}")
        self.assertEqual(rc, 1)
        self.assertIn("KG_ERR_LOGIN_REQUIRED", err)
        self.assertIn("event: login_required", out)
        with open(self.state) as f:
            self.assertEqual(json.load(f)["access_token"], "", "dead tokens forgotten")

    def test_refresh_command(self):
        self.logged_in()
        with open(self.state) as f:
            saved = json.load(f)
        argv = [ARGS.kgiot, "refresh", "--base", self.base, "--ca", self.ca, "--appid", APPID,
                "--appkey", SECRET, "--refresh-token", saved["refresh_token"],
                "--openid", saved["openid"]]
        rc, out, err = run(*argv)
        self.assertEqual(rc, 0, out + err)
        r = json.loads(out)
        self.assertEqual(r["error_code"], 0)
        self.assertEqual(r["access_token"], "***")
        bad = argv[:]
        bad[bad.index("--appkey") + 1] = "wrong-key"
        rc, out, err = run(*bad)
        self.assertEqual(rc, 1)
        self.assertIn("KG_ERR_API 3003", err)

    def test_qr_and_qr_status_commands(self):
        rc, out, err = self.kgiot("qr")
        self.assertEqual(rc, 0, out + err)
        qr = json.loads(out)
        self.assertTrue(qr["qr_url"].startswith("https://"))
        rc, out, err = self.kgiot("qr-status", "--qr-id", qr["qr_id"])
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(json.loads(out)["state"], "waiting")


class Broker(Base):
    broker = True

    def test_broker_login_never_sends_the_secret(self):
        self.mock.config(confirm_after_polls=2)
        self.assert_logged_in()
        s = self.mock.stats()
        self.assertEqual(s["broker_rejected"], 0)

    def test_broker_rejects_a_device_that_sends_the_secret(self):
        rc, events, out, err = self.login(mode=["--secret", SECRET])
        self.assertEqual(rc, 1)
        self.assertIn("KG_ERR_API 1002", err)
        self.assertEqual(self.mock.stats()["broker_rejected"], 1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kgiot", required=True)
    ap.add_argument("--work", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
