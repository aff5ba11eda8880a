"""boards/host/example_min (the README's API example) against the mock
platform's broker front: it logs in by QR code (the mock confirms by itself)
and makes one authorised call. And the README shows that example's code.

Run by ctest: test_example.py --example PATH --work DIR
"""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockctl import Mock, make_certs, run_tests  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ARGS = None


def example_code():
    with open(os.path.join(ROOT, "boards", "host", "example_min.c")) as f:
        text = f.read()
    return re.search(r"/\* README-BEGIN \*/\n(.*?)/\* README-END \*/\n", text, re.S).group(1)


class Example(unittest.TestCase):
    def test_readme_shows_the_example(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        self.assertTrue("```c\n" + example_code() + "```\n" in readme,
                        "README's API example differs from boards/host/example_min.c")

    def test_docs_stand_on_their_own(self):
        """Issue 12 item 9: the repository's docs never send a newcomer outside
        it, pin what they clone, and hold the platform notes themselves."""
        docs = []
        for d, _, files in os.walk(ROOT):
            rel = os.path.relpath(d, ROOT)
            if rel.startswith("build") or rel.startswith(".git"):
                continue
            docs += [os.path.join(d, f) for f in files if f.endswith(".md")]
        for path in docs:
            with open(path) as f:
                text = f.read()
            rel = os.path.relpath(path, ROOT)
            if rel == "README.md" or rel.startswith("docs/"):  # (a board's build default may name the path)
                self.assertFalse("../shared" in text, path + " sends the reader to ../shared")
            self.assertFalse("shared notes" in text, path + " sends the reader to shared notes")
            for line in text.splitlines():
                if "git clone" in line and "jsmn" in line:
                    self.assertIn("--branch", line, path + ": pin jsmn")
        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        self.assertIn("](docs/PLATFORM.md)", readme)
        self.assertIn("build-demo/boards/host/kgiot", readme)
        with open(os.path.join(ROOT, "docs", "PLATFORM.md")) as f:
            platform = f.read()
        for needle in ("**assumed**", "openssl s_client", "/oauth/v2/light_qr_stat"):
            self.assertIn(needle, platform)

    def test_logs_in_and_calls(self):
        os.makedirs(ARGS.work, exist_ok=True)
        ca = make_certs(ARGS.work)
        mock = Mock(ARGS.work, "mock", ca, "demo-app", "demo-secret",
                    ["--broker", "--auto-confirm", "1"])
        try:
            p = subprocess.run([ARGS.example, "https://localhost:%d" % mock.port, ca, "demo-app"],
                               capture_output=True, text=True, timeout=60)
        finally:
            mock.stop()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("scan: https://", p.stdout)
        self.assertIn("logged in\n", p.stdout)
        self.assertRegex(p.stdout, r'reply: \{.*"echo"')


if __name__ == "__main__":
    run_tests(globals(), "--example", "--work")
