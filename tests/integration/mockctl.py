"""Start the mock platform (tests/mock/kg_mock.py) for a test and talk to
its control endpoints over TLS. Shared by the integration tests."""
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MOCK = os.path.join(HERE, "..", "mock", "kg_mock.py")
CERTS = os.path.join(HERE, "..", "mock", "make_certs.sh")


def make_certs(work):
    """Throwaway PKI in work; returns the trusted CA's path."""
    subprocess.run(["bash", CERTS, work], check=True, capture_output=True)
    return os.path.join(work, "ca.pem")


class Mock:
    """One mock server process and a TLS control channel to it."""

    def __init__(self, work, name, ca, appid, secret, extra=(), cert="server",
                 host="127.0.0.1", server_name="localhost", check_name=False, port=0):
        """check_name: verify the server's name on the control channel too
        (off by default because the wrong-name server is controlled as well)."""
        self.ca = ca
        self.host, self.server_name, self.check_name = host, server_name, check_name
        port_file = os.path.join(work, name + ".port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.log_path = os.path.join(work, name + ".log")
        self.log = open(self.log_path, "w")
        argv = [sys.executable, MOCK, "--host", host, "--port", str(port),
                "--cert", os.path.join(work, cert + ".pem"),
                "--key", os.path.join(work, cert + ".key"),
                "--port-file", port_file, "--appid", appid, "--secret", secret] + list(extra)
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("mock server did not start: see " + self.log_path)
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read().strip())

    def control(self, method, path, body=None):
        ctx = ssl.create_default_context(cafile=self.ca)
        ctx.check_hostname = self.check_name
        data = json.dumps(body).encode() if body is not None else b""
        request = ("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: %d\r\nConnection: close\r\n\r\n"
                   % (method, path, self.server_name, len(data))).encode() + data
        reply = b""
        with socket.create_connection((self.host, self.port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname=self.server_name) as s:
                s.sendall(request)
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    reply += chunk
        _, _, body_bytes = reply.partition(b"\r\n\r\n")
        return json.loads(body_bytes) if body_bytes.strip() else None

    def config(self, **knobs):
        self.control("POST", "/__mock/config", knobs)

    def reset(self):
        self.control("POST", "/__mock/reset", {})

    def stats(self):
        return self.control("GET", "/__mock/stats")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def log_tail(self, lines=30):
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])


def run_tests(module_globals, *options):
    """A test script's main: the required options (e.g. "--kgiot", "--work")
    become the module's ARGS; the rest goes to unittest."""
    import argparse
    import unittest
    p = argparse.ArgumentParser()
    for option in options:
        p.add_argument(option, required=True)
    args, rest = p.parse_known_args()
    module_globals["ARGS"] = args
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
