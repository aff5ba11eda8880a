"""Handshakes and bytes of one complete login with N polls: runs
`kgiot login` against the mock platform (loopback, TLS) and prints what the
server counted. Usage: /usr/bin/python3 tests/bench/login_cost.py KGIOT_BINARY [POLLS]"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from mockctl import Mock, make_certs  # noqa: E402


def main():
    kgiot, polls = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
    with tempfile.TemporaryDirectory() as work:
        ca = make_certs(work)
        mock = Mock(work, "mock", ca, "bench", "bench-secret")
        try:
            mock.config(confirm_after_polls=polls)
            p = subprocess.run([kgiot, "login", "--base", "https://localhost:%d" % mock.port,
                                "--ca", ca, "--appid", "bench", "--secret", "bench-secret",
                                "--state", os.path.join(work, "s.json"), "--poll-ms", "20"],
                               capture_output=True, text=True, timeout=60)
            if p.returncode != 0:
                sys.exit("login failed: " + p.stderr)
            s = mock.stats()
        finally:
            mock.stop()
    print("one login, %d polls: TLS handshakes full %d, resumed %d; TCP connections %d; "
          "requests %d; bytes sent %d, received %d (HTTP, above TLS)"
          % (s["by_path"]["/oauth/v2/light_qr_stat"], s["tls_handshakes_full"],
             s["tls_handshakes_resumed"], s["connections"], s["requests"], s["bytes_in"],
             s["bytes_out"]))


if __name__ == "__main__":
    main()
