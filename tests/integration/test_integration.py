"""The kgiot CLI and the kg_auth library against the mock platform over TLS.

Run by ctest: test_integration.py --kgiot PATH --itest PATH --work DIR
Starts two mock servers on loopback (one with a certificate for localhost,
one whose certificate names another host), then drives the real binaries.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockctl import Mock, make_certs  # noqa: E402

APPID, SECRET, CODE = "kgtest", "kgsecret", "code-ok-1"
ARGS = None


def run(*argv, timeout=30):
    p = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        work = ARGS.work
        os.makedirs(work, exist_ok=True)
        cls.ca = make_certs(work)
        cls.other_ca = os.path.join(work, "other_ca.pem")
        code = ["--code", CODE]
        cls.mock = Mock(work, "mock", cls.ca, APPID, SECRET, code)
        cls.wrong = Mock(work, "wrongname", cls.ca, APPID, SECRET, code, cert="wrongname")
        cls.base = "https://localhost:%d" % cls.mock.port

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()
        cls.wrong.stop()

    def setUp(self):
        self.mock.reset()

    def cli(self, command, *extra, base=None, ca=None, secret=SECRET, code=CODE):
        argv = [ARGS.kgiot, command, "--base", base or self.base, "--ca", ca or self.ca,
                "--appid", APPID]
        if secret is not None:
            argv += ["--secret", secret]
        if command == "token" and code is not None:
            argv += ["--code", code]
        return run(*(argv + list(extra)))

    def cli_ok(self, command, *extra, **kw):
        rc, out, err = self.cli(command, *extra, **kw)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.count("\n"), 1, "one JSON object on one line")
        return json.loads(out)

    def cli_fails(self, expected_stderr, command="token", **kw):
        rc, out, err = self.cli(command, **kw)
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(out, "", "nothing on stdout on failure")
        self.assertEqual(err.count("\n"), 1, "one line on stderr: " + err)
        self.assertIn(expected_stderr, err)
        return err


class CliSuccess(Base):
    def check_user_reply(self, r, show=False):
        self.assertEqual(set(r), {"access_token", "expires_in", "refresh_token", "openid", "unionid",
                                  "scope", "orig_acnt_type", "error_code", "error_msg"})
        self.assertIsInstance(r["expires_in"], int)
        self.assertEqual(r["expires_in"], 7200)
        self.assertEqual(r["orig_acnt_type"], 2)
        self.assertEqual(r["error_code"], 0)
        self.assertEqual(r["error_msg"], "成功 ok")
        self.assertEqual(r["scope"], "user_info,song_play")
        self.assertTrue(r["openid"])
        if show:
            self.assertTrue(r["access_token"].startswith("AT_"))
            self.assertNotEqual(r["refresh_token"], "***")
        else:
            self.assertEqual(r["access_token"], "***")
            self.assertEqual(r["refresh_token"], "***")

    def test_token_redacts_by_default(self):
        self.check_user_reply(self.cli_ok("token"))

    def test_token_show_secrets(self):
        self.check_user_reply(self.cli_ok("token", "--show-secrets"), show=True)

    def test_app_token(self):
        r = self.cli_ok("app-token", "--show-secrets")
        self.assertEqual(set(r), {"access_token", "expires_in", "refresh_token", "error_code",
                                  "error_msg"})
        self.assertEqual(r["expires_in"], 7200)
        self.assertEqual(r["error_code"], 0)
        self.assertTrue(r["access_token"].startswith("AT_"))
        last = self.mock.stats()["last_request"]
        self.assertEqual(last["body"], {"appid": APPID, "secret": SECRET,
                                        "grant_type": "client_credential"})

    def test_request_is_what_the_platform_documents(self):
        self.cli_ok("token")
        last = self.mock.stats()["last_request"]
        self.assertEqual(last["method"], "POST")
        self.assertEqual(last["path"], "/oauth/v2/access_token")
        self.assertEqual(last["headers"]["content-type"], "application/json")
        self.assertEqual(last["body"], {"appid": APPID, "secret": SECRET, "code": CODE,
                                        "grant_type": "authorization_code"})

    def test_test_environment_prefix(self):
        self.check_user_reply(self.cli_ok("token", base=self.base + "/test"))
        self.assertEqual(self.mock.stats()["last_request"]["path"], "/test/oauth/v2/access_token")

    def test_reply_shapes_decode_the_same(self):
        shapes = [dict(encoding="chunked"), dict(encoding="chunked", chunk_size=1),
                  dict(encoding="chunked", chunk_size=7, chunk_ext=True, trailers=True),
                  dict(numbers="string"), dict(escape=True), dict(extra_fields=True),
                  dict(encoding="chunked", numbers="string", escape=True, extra_fields=True),
                  dict(close=True)]
        for shape in shapes:
            with self.subTest(**shape):
                self.mock.reset()
                self.mock.config(**shape)
                self.check_user_reply(self.cli_ok("token"))


class CliErrors(Base):
    def test_wrong_secret(self):
        self.cli_fails("KG_ERR_API 3003", secret="not-the-secret")

    def test_unknown_code(self):
        self.cli_fails("KG_ERR_API 1003", code="no-such-code")

    def test_unknown_path_has_platform_error(self):
        self.cli_fails("KG_ERR_API 1002", base=self.base + "/nope")

    def test_untrusted_ca(self):
        self.cli_fails("KG_ERR_TLS_UNTRUSTED", ca=self.other_ca)

    def test_wrong_hostname(self):
        self.cli_fails("KG_ERR_TLS_NAME_MISMATCH", base="https://localhost:%d" % self.wrong.port)

    def test_server_closes_mid_body(self):
        self.mock.config(close_mid_body=True)
        self.cli_fails("KG_ERR_CLOSED")

    def test_http_error_status(self):
        self.mock.config(status=503)
        err = self.cli_fails("KG_ERR_")
        self.assertTrue("503" in err or "KG_ERR_API" in err, err)

    def test_connection_refused(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        self.cli_fails("KG_ERR_CONNECT", base="https://localhost:%d" % port)

    def test_plain_http_refused(self):
        self.cli_fails("KG_ERR_URL", base="http://localhost:%d" % self.mock.port)

    def test_usage(self):
        rc, out, err = run(ARGS.kgiot, "token", "--base", self.base)
        self.assertEqual(rc, 2)
        self.assertTrue(err.startswith("kgiot: token: missing --ca"), err)


class Library(Base):
    def itest(self):
        rc, out, err = run(ARGS.itest, "two-calls", self.base, self.ca, APPID, SECRET, CODE)
        self.assertEqual(rc, 0, out + err)
        return json.loads(out)

    def test_keep_alive_one_connection_two_requests(self):
        r = self.itest()
        self.assertEqual((r["app"], r["user"]), ("KG_OK", "KG_OK"))
        self.assertEqual((r["connects"], r["requests"]), (1, 2))
        s = self.mock.stats()
        self.assertEqual(s["connections"], 1)
        self.assertEqual(s["requests"], 2)
        self.assertEqual(s["tls_handshakes_full"], 1)

    def test_server_close_reconnects_with_resumption(self):
        self.mock.config(close=True)
        r = self.itest()
        self.assertEqual((r["connects"], r["full"], r["resumed"]), (2, 1, 1))
        s = self.mock.stats()
        self.assertEqual((s["connections"], s["requests"]), (2, 2))
        self.assertEqual((s["tls_handshakes_full"], s["tls_handshakes_resumed"]), (1, 1))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kgiot", required=True)
    ap.add_argument("--itest", required=True)
    ap.add_argument("--work", required=True)
    ARGS, rest = ap.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
