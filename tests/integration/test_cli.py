"""The kgiot tool's behaviour on a newcomer's mistakes and on ordinary
failures, as one table: arguments -> exit code -> the first words of stderr
-> what the state file holds afterwards.

Each row runs against a fresh mock platform state and a state file set up as
the row says ("none", "valid": a completed login, or a path prepared by the
row's setup). The expectation on the state file is "same" (byte for byte
what it was), "none" (no file), "valid" (a login's tokens) or a callable.

Run by ctest: test_cli.py --kgiot PATH --work DIR
"""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockctl import Mock, make_certs, run_tests  # noqa: E402

APPID, SECRET = "kgtest", "kgsecret"
ARGS = None

# Placeholders the rows use, filled in per run.
BASE, CA, STATE, WORK = "{base}", "{ca}", "{state}", "{work}"
COMMON = ["--base", BASE, "--ca", CA, "--appid", APPID]
QUIET_DARK = "\n" + "\u2588" * 8  # a QR line that starts in a quiet zone drawn as blocks

# (name, argv after "kgiot", exit code, first words of stderr ("" none),
#  state before, state after[, extras: env, stdin, wrap, stdout_has, stdout_lacks, knobs])
ROWS = [
    # Issue 12 item 1: each of these used to crash (exit 139) in kg_session_free.
    ("login without secret or broker", ["login"] + COMMON + ["--state", STATE],
     2, "kgiot: login: give --secret", "none", "none"),
    ("login with secret and broker",
     ["login"] + COMMON + ["--secret", SECRET, "--broker", "--state", STATE],
     2, "kgiot: login: --secret and --broker exclude each other", "none", "none"),
    ("call without secret or broker", ["call", "/x"] + COMMON + ["--state", STATE],
     2, "kgiot: call: give --secret", "valid", "same"),
    ("empty appid", ["login", "--base", BASE, "--ca", CA, "--appid", "", "--secret", SECRET,
                     "--state", STATE],
     2, "kgiot: login: --appid is empty", "none", "none"),
    ("unparsable ca", ["login", "--base", BASE, "--ca", WORK + "/junk.pem", "--appid", APPID,
                       "--secret", SECRET, "--state", STATE],
     1, "kgiot: --ca " + WORK + "/junk.pem: KG_ERR_TLS_CA", "none", "none"),
    ("http base", ["login", "--base", "http://localhost:1", "--ca", CA, "--appid", APPID,
                   "--secret", SECRET, "--state", STATE],
     1, "kgiot: --base http://localhost:1: KG_ERR_URL", "none", "none"),

    # Item 3: a state that cannot be saved is refused before a QR code is shown.
    ("login, state in a missing directory",
     ["login"] + COMMON + ["--secret", SECRET, "--state", WORK + "/no-dir/s.json"],
     1, "kgiot: --state " + WORK + "/no-dir/s.json: KG_ERR_STORE (cannot save here): No such file",
     "none", "none", {"stdout_lacks": "qr_ready"}),
    ("login, state under a regular file",
     ["login"] + COMMON + ["--secret", SECRET, "--state", WORK + "/junk.pem/s.json"],
     1, "kgiot: --state " + WORK + "/junk.pem/s.json: KG_ERR_STORE (cannot save here): Not a dir",
     "none", "none", {"stdout_lacks": "qr_ready"}),
    ("call, state on a read-only file system",
     ["call", "/api/v2/user/echo"] + COMMON + ["--secret", SECRET, "--state", STATE],
     1, "kgiot: --state " + STATE + ": KG_ERR_STORE (cannot save here): Read-only file system",
     "valid", "same", {"wrap": "readonly"}),

    # Item 2: a valid saved login is replaced only by a completed login.
    ("guest call keeps the saved login",
     ["call", "/api/v2/guest/echo"] + COMMON + ["--secret", SECRET, "--state", STATE, "--guest"],
     0, "", "valid", "same login"),
    ("a cancelled re-login keeps the saved login",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20"],
     1, "kgiot: KG_ERR_LOGIN_DENIED", "valid", "same login", {"knobs": {"cancel": True}}),
    ("a re-login that times out keeps the saved login",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20",
                           "--timeout-ms", "300"],
     1, "kgiot: KG_ERR_TIMEOUT", "valid", "same login", {"knobs": {"confirm_after_polls": 1000}}),
    ("a state saved for another appid is refused and kept",
     ["call", "/api/v2/user/echo", "--base", BASE, "--ca", CA, "--appid", "other-app",
      "--secret", SECRET, "--state", STATE],
     1, "kgiot: --state " + STATE + ": KG_ERR_STORE_FOREIGN", "valid", "same"),
    ("a state saved for another host is refused and kept",
     ["call", "/api/v2/user/echo", "--base", BASE + "/test", "--ca", CA, "--appid", APPID,
      "--secret", SECRET, "--state", STATE],
     1, "kgiot: --state " + STATE + ": KG_ERR_STORE_FOREIGN", "valid", "same"),

    # Item 4: what retrying cannot mend ends the login at once; the rest is
    # retried, each retry an event, and the final error names the last cause.
    ("login against an untrusted server ends at once",
     ["login", "--base", BASE, "--ca", "/etc/ssl/certs/ca-certificates.crt", "--appid", APPID,
      "--secret", SECRET, "--state", STATE],
     1, "kgiot: KG_ERR_TLS_UNTRUSTED", "valid", "same", {"max_s": 5}),
    ("login against a closed port names the cause",
     ["login", "--base", "https://localhost:1", "--ca", CA, "--appid", APPID, "--secret", SECRET,
      "--state", STATE, "--timeout-ms", "2500"],
     1, "kgiot: KG_ERR_TIMEOUT", "valid", "same",
     {"stderr_has": "; last: KG_ERR_CONNECT", "stdout_has": "event: retry KG_ERR_CONNECT in "}),

    # Item 10: the QR code for a light background on request or from
    # COLORFGBG (a dark one draws its quiet zone as full blocks).
    ("QR for a dark background by default",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20"],
     0, "", "none", "valid", {"knobs": {"confirm_after_polls": 1}, "stdout_has": QUIET_DARK,
                              "env": {"COLORFGBG": "15;0"}}),
    ("QR for a light background from COLORFGBG",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20"],
     0, "", "none", "valid", {"knobs": {"confirm_after_polls": 1}, "stdout_lacks": QUIET_DARK,
                              "env": {"COLORFGBG": "0;15"}}),
    ("QR for a light background with --light",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20", "--light"],
     0, "", "none", "valid", {"knobs": {"confirm_after_polls": 1}, "stdout_lacks": QUIET_DARK}),

    # Item 5: usage errors name the argument; help goes to stdout.
    ("no command", [], 2, "kgiot: give a command", "none", "none"),
    ("unknown command", ["logon"], 2, "kgiot: unknown command logon", "none", "none"),
    ("help", ["--help"], 0, "", "none", "none", {"stdout_has": "usage: kgiot COMMAND"}),
    ("command help", ["login", "--help"], 0, "", "none", "none",
     {"stdout_has": "--timeout-ms N"}),
    ("unknown option", ["login"] + COMMON + ["--secret", SECRET, "--bogus"],
     2, "kgiot: login: unknown option --bogus", "none", "none"),
    ("option of another command", ["qr-status"] + COMMON + ["--qr-id", "q", "--body", "{}"],
     2, "kgiot: qr-status: not an option --body", "none", "none"),
    ("missing ca", ["login", "--base", BASE, "--appid", APPID, "--secret", SECRET],
     2, "kgiot: login: missing --ca", "none", "none"),
    ("missing value", ["login"] + COMMON + ["--secret"],
     2, "kgiot: login: --secret needs a value", "none", "none"),
    ("negative number", ["login"] + COMMON + ["--secret", SECRET, "--poll-ms", "-1"],
     2, "kgiot: login: --poll-ms: not a number", "none", "none"),
    ("not a number", ["login"] + COMMON + ["--secret", SECRET, "--timeout-ms", "5s"],
     2, "kgiot: login: --timeout-ms: not a number", "none", "none"),
    ("too big a number", ["login"] + COMMON + ["--secret", SECRET, "--poll-ms", "4294967296"],
     2, "kgiot: login: --poll-ms: not a number", "none", "none"),
    ("empty secret", ["app-token"] + COMMON + ["--secret", ""],
     2, "kgiot: app-token: --secret is empty", "none", "none"),
    ("call without path", ["call"] + COMMON + ["--secret", SECRET],
     2, "kgiot: call: missing PATH", "none", "none"),
    ("token without code", ["token"] + COMMON + ["--secret", SECRET],
     2, "kgiot: token: missing --code", "none", "none"),

    # Item 6: CA errors name the file and the reason; any size is read.
    ("missing ca file", ["login", "--base", BASE, "--ca", WORK + "/no-such.pem", "--appid",
                         APPID, "--secret", SECRET, "--state", STATE],
     1, "kgiot: --ca " + WORK + "/no-such.pem: No such file or directory", "none", "none"),
    ("empty ca file", ["app-token", "--base", BASE, "--ca", WORK + "/empty.pem", "--appid", APPID,
                       "--secret", SECRET],
     1, "kgiot: --ca " + WORK + "/empty.pem: KG_ERR_TLS_CA (the file is empty)", "none", "none"),
    ("ca is a directory", ["app-token", "--base", BASE, "--ca", WORK, "--appid", APPID,
                           "--secret", SECRET],
     1, "kgiot: --ca " + WORK + ": Is a directory", "none", "none"),
    ("system ca bundle (220 KB) is read, and does not trust the mock",
     ["app-token", "--base", BASE, "--ca", "/etc/ssl/certs/ca-certificates.crt", "--appid", APPID,
      "--secret", SECRET],
     1, "kgiot: KG_ERR_TLS_UNTRUSTED", "none", "none"),

    # Item 7: the platform's message, one stderr line, qr_url.
    ("call error carries the platform's message",
     ["call", "/api/v2/nope"] + COMMON + ["--secret", SECRET, "--state", STATE],
     1, "kgiot: KG_ERR_API 1002 unknown path", "valid", "same"),
    ("login failure is one stderr line",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20"],
     1, "kgiot: KG_ERR_LOGIN_DENIED", "none", lambda self, now: self.assertEqual(json.loads(now)["access_token"], ""),
     {"knobs": {"cancel": True}}),
    ("qr prints qr_url", ["qr"] + COMMON + ["--secret", SECRET],
     0, "", "none", "none", {"stdout_has": '"qr_url":"https://'}),

    # Issue 11 item 6: secrets from a file, standard input or the environment.
    ("secret from a file", ["app-token"] + COMMON + ["--secret-file", WORK + "/secret.txt"],
     0, "", "none", "none", {"stdout_has": '"access_token":"***"'}),
    ("secret from stdin", ["app-token"] + COMMON + ["--secret-file", "-"],
     0, "", "none", "none", {"stdin": SECRET + "\n", "stdout_has": '"access_token":"***"'}),
    ("secret from the environment", ["app-token"] + COMMON,
     0, "", "none", "none", {"env": {"KGIOT_SECRET": SECRET},
                             "stdout_has": '"access_token":"***"'}),
    ("code from the environment", ["token"] + COMMON + ["--secret", SECRET],
     0, "", "none", "none", {"env": {"KGIOT_CODE": "code-ok-1"}, "stdout_has": '"openid"'}),
    ("missing secret file", ["app-token"] + COMMON + ["--secret-file", WORK + "/nope"],
     2, "kgiot: app-token: --secret-file " + WORK + "/nope: No such file", "none", "none"),
    ("broker ignores KGIOT_SECRET", ["qr"] + COMMON + ["--broker"],
     1, "kgiot: KG_ERR_", "none", "none", {"env": {"KGIOT_SECRET": SECRET}}),
    # Issue 11 item 4: the state's temporary file is the tool's own, never a
    # stale or planted one (the old code reused "<state>.tmp").
    ("a planted .tmp symlink is not followed",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20"],
     0, "", lambda self: self.plant(symlink=True), lambda self, now: self.check_own(now),
     {"knobs": {"confirm_after_polls": 1}}),
    ("a stale world-readable .tmp does not make the state readable",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20"],
     0, "", lambda self: self.plant(symlink=False), lambda self, now: self.check_own(now),
     {"knobs": {"confirm_after_polls": 1}}),
    # ... and a reply without openid is printed, not passed to printf as NULL.
    ("login reply without openid",
     ["login"] + COMMON + ["--secret", SECRET, "--state", STATE, "--poll-ms", "20"],
     0, "", "none", "valid", {"knobs": {"omit_openid": True, "confirm_after_polls": 1},
                              "stdout_has": "logged_in openid=(none)"}),
]


def read(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


# Runs the tool with its state directory mounted read-only, in a mount
# namespace of its own (root only; the suite runs as root).
READONLY = ["unshare", "-m", "sh", "-c",
            'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"']


def run(argv, timeout=60, env=None, stdin=None):
    full_env = dict(os.environ)
    for k in ("KGIOT_SECRET", "KGIOT_APPKEY", "KGIOT_CODE", "KGIOT_REFRESH_TOKEN", "COLORFGBG"):
        full_env.pop(k, None)
    full_env.update(env or {})
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=full_env,
                       input=stdin if stdin is not None else "")
    return p.returncode, p.stdout, p.stderr


class Cli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = ARGS.work
        os.makedirs(cls.work, exist_ok=True)
        cls.ca = make_certs(cls.work)
        with open(os.path.join(cls.work, "junk.pem"), "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
        open(os.path.join(cls.work, "empty.pem"), "w").close()
        with open(os.path.join(cls.work, "secret.txt"), "w") as f:
            f.write(SECRET + "\n")
        cls.mock = Mock(cls.work, "mock", cls.ca, APPID, SECRET)
        cls.base = "https://localhost:%d" % cls.mock.port
        cls.state = os.path.join(cls.work, "state.json")
        cls.valid = cls.make_valid_state()

    @classmethod
    def tearDownClass(cls):
        cls.mock.stop()

    @classmethod
    def make_valid_state(cls):
        """The bytes of a state file after a completed login."""
        if os.path.exists(cls.state):
            os.unlink(cls.state)
        cls.mock.reset()
        cls.mock.config(confirm_after_polls=1)
        rc, out, err = run([ARGS.kgiot, "login"] + cls.fill(COMMON) +
                           ["--secret", SECRET, "--state", cls.state, "--poll-ms", "20"])
        assert rc == 0, out + err
        with open(cls.state, "rb") as f:
            return f.read()

    @classmethod
    def fill(cls, argv):
        return [a.replace(BASE, cls.base).replace(CA, cls.ca).replace(STATE, cls.state)
                .replace(WORK, cls.work) for a in argv]

    def prepare(self, before):
        if os.path.exists(self.state):
            os.unlink(self.state)
        if before == "valid":
            with open(self.state, "wb") as f:
                f.write(self.valid)
            os.chmod(self.state, 0o600)
        elif callable(before):
            before(self)

    def plant(self, symlink):
        """A victim file, and "<state>.tmp" as a symlink to it or a stale 0644 file."""
        victim, tmp = os.path.join(self.work, "victim"), self.state + ".tmp"
        for p in (victim, tmp):
            if os.path.lexists(p):
                os.unlink(p)
        with open(victim if symlink else tmp, "w") as f:
            f.write("victim")
        os.chmod(victim if symlink else tmp, 0o644)
        if symlink:
            os.symlink(victim, tmp)

    def check_own(self, now):
        self.assertTrue(json.loads(now)["access_token"])
        self.assertFalse(os.path.islink(self.state))
        self.assertEqual(os.stat(self.state).st_mode & 0o777, 0o600)
        victim = os.path.join(self.work, "victim")
        if os.path.exists(victim):
            self.assertEqual(read(victim), b"victim")
        leftovers = [f for f in os.listdir(self.work) if f.startswith("state.json.")]
        self.assertEqual(sorted(leftovers), ["state.json.tmp"], "no temporary file left")

    def check_state(self, name, after, before_bytes):
        exists = os.path.exists(self.state)
        now = read(self.state)
        if after == "same login":  # the user's tokens as they were (an app token may change)
            keys = ("access_token", "refresh_token", "openid", "expires_at", "binding")
            was, got = json.loads(before_bytes), json.loads(now)
            self.assertEqual([got[k] for k in keys], [was[k] for k in keys], name)
        elif after == "same":
            self.assertEqual(now, before_bytes, name + ": the state file changed")
        elif after == "none":
            self.assertFalse(exists, name + ": a state file was written")
        elif after == "valid":
            saved = json.loads(now)
            self.assertTrue(saved["access_token"] and saved["refresh_token"], name)
        else:
            after(self, now)

    def run_row(self, argv, extras):
        argv = [ARGS.kgiot] + self.fill(argv)
        if extras.get("wrap") == "readonly":
            argv = READONLY + [self.work] + argv
        return run(argv, env=extras.get("env"), stdin=extras.get("stdin"))

    def check_row(self, row):
        name, argv, code, stderr_start, before, after = row[:6]
        extras = row[6] if len(row) > 6 else {}
        self.mock.reset()
        if "knobs" in extras:
            self.mock.config(**extras["knobs"])
        self.prepare(before)
        before_bytes = read(self.state)
        t0 = time.monotonic()
        rc, out, err = self.run_row(argv, extras)
        self.assertLess(time.monotonic() - t0, extras.get("max_s", 60), name)
        if "stderr_has" in extras:
            self.assertIn(extras["stderr_has"], err, name)
        self.assertEqual(rc, code, "%s: exit %d\nstdout: %s\nstderr: %s" % (name, rc, out, err))
        if stderr_start:
            self.assertTrue(err.startswith(self.fill([stderr_start])[0]),
                            "%s: stderr %r" % (name, err))
            self.assertEqual(err.count("\n"), 1, "%s: one line on stderr: %r" % (name, err))
        else:
            self.assertEqual(err, "", name)
        if "stdout_has" in extras:
            self.assertIn(extras["stdout_has"], out, name)
        if "stdout_lacks" in extras:
            self.assertNotIn(extras["stdout_lacks"], out, name)
        self.check_state(name, after, before_bytes)

    def test_every_command_has_help(self):
        """kgiot CMD --help: stdout, exit 0, every option the command takes."""
        takes = {"login": ["--secret S", "--secret-file F", "--broker", "--state FILE",
                           "--poll-ms N", "--timeout-ms N", "--light"],
                 "call": ["--secret S", "--broker", "--body JSON", "--guest", "--state FILE"],
                 "app-token": ["--secret S"], "token": ["--code C", "--code-file F"],
                 "refresh": ["--appkey K", "--appkey-file F", "--refresh-token R",
                             "--refresh-token-file F", "--openid O"],
                 "qr": ["--secret S", "--broker"], "qr-status": ["--qr-id Q"]}
        for command, options in takes.items():
            rc, out, err = run([ARGS.kgiot, command, "--help"])
            self.assertEqual((rc, err), (0, ""), command)
            self.assertTrue(out.startswith("usage: kgiot " + command), command)
            for option in ["--base URL", "--ca FILE", "--appid A", "--show-secrets", "-v"] + options:
                self.assertIn("  " + option, out, command)

    def test_table(self):
        for row in ROWS:
            with self.subTest(row[0]):
                self.check_row(row)


if __name__ == "__main__":
    run_tests(globals(), "--kgiot", "--work")
