#!/usr/bin/python3
"""The device in qemu: FreeRTOS + lwIP + mbedTLS logging in over a tap.

Outside (as ctest runs it): checks that it can work at all (root,
/dev/net/tun, iproute2) and FAILS LOUDLY when it cannot -- it never skips --,
creates the network namespace kgrtos-<pid>, runs itself again inside it and
always deletes the namespace afterwards (the helpers of tests/lwip/test_lwip.py).

Inside: kgtap0 with 192.0.2.1/24 on the kernel side, the mock platform
there (TLS with the board's test certificate for "localhost", broker mode,
port 4433), and qemu-system-arm -M mps2-an385 with -nic tap on kgtap0: the
image (tests/qemu/rtos_login.c) is 192.0.2.2 and logs in.

--run plain       the login, a call, a forced refresh, a reboot that resumes
                  from flash, a call; the mock must have issued one QR code,
                  exchanged one code and refreshed once.
--run disrupted   the same while the mock closes every connection after 3
                  replies and, once the device has polled twice, the test takes
                  the link away for 5 s: qemu's link down (the driver sees the
                  PHY go down) and the tap down. The login must still complete,
                  with TLS resumptions and the link changes reported.
Prints the device's console and its FIGURE lines.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lwip"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import test_lwip as netns  # noqa: E402  (namespace and tap helpers)
from mockctl import Mock  # noqa: E402

netns.NS_PREFIX = "kgrtos-"
SERVER_IP = "192.0.2.1"
PORT = 4433
QEMU_TIMEOUT = 150
OUTAGE_S = 5


def check(ok, text):
    return netns.check(ok, text)


def outer(args):
    ip = netns.find_ip()
    problems = netns.cannot_run(ip)
    if problems:
        netns.loud_fail("cannot create the network namespace and tap device it needs:\n" +
                        "\n".join(problems) + "\nCI runs it as root with /dev/net/tun.")
        return False
    netns.reap_stale(ip)
    ns = netns.NS_PREFIX + str(os.getpid())
    if netns.run([ip, "netns", "add", ns]).returncode != 0:
        netns.loud_fail("cannot create the network namespace %s" % ns)
        return False
    try:
        argv = ["timeout", "-k", "5", str(QEMU_TIMEOUT + 60), ip, "netns", "exec", ns,
                sys.executable, os.path.abspath(__file__), "--inner",
                "--outer-netns", str(os.stat("/proc/self/ns/net").st_ino)] + args.passthrough
        rc = subprocess.call(argv)
    finally:
        ok_del = netns.delete_ns(ip, ns)
        print("namespace %s: %s" % (ns, "none left behind" if ok_del else "NOT DELETED"))
    return rc == 0 and ok_del


class Device:
    """qemu with the image; its console echoed and kept."""

    def __init__(self, args, monitor):
        argv = [args.qemu, "-M", "mps2-an385", "-display", "none", "-serial", "null",
                "-monitor", "unix:%s,server,nowait" % monitor,
                "-semihosting-config", "enable=on,target=native", "-kernel", args.image,
                "-nic", "tap,ifname=%s,script=no,downscript=no" % netns.TAP]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, text=True, errors="replace")
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.monitor = monitor

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            print("device| " + line, end="", flush=True)

    def wait(self):
        try:
            rc = self.proc.wait(timeout=QEMU_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            print("FAIL the device did not finish within %d s" % QEMU_TIMEOUT)
        self.reader.join(timeout=5)
        return rc

    def hmp(self, command):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.monitor)
            s.sendall((command + "\n").encode())
            time.sleep(0.2)

    def figures(self):
        out = {}
        for line in self.lines:
            if line.startswith("FIGURE "):
                parts = line.split()
                out[parts[1]] = int(parts[2])
        return out


def outage(device, mock, ip, log):
    """Once the device has polled twice, take the link away for OUTAGE_S."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and device.proc.poll() is None:
        polls = mock.stats().get("by_path", {}).get("/oauth/v2/light_qr_stat", 0)
        if polls >= 2:
            device.hmp("set_link lan9118.0 off")
            netns.must([ip, "link", "set", netns.TAP, "down"])
            log.append("link down after %d polls" % polls)
            time.sleep(OUTAGE_S)
            netns.must([ip, "link", "set", netns.TAP, "up"])
            device.hmp("set_link lan9118.0 on")
            log.append("link up after %d s" % OUTAGE_S)
            return
        time.sleep(0.2)


def check_run(args, device, rc, stats, log):
    fig = device.figures()
    ok = check(rc == 0, "device exit status %d (0: every check in the image passed)" % rc)
    by_path = stats.get("by_path", {})
    ok &= check(by_path.get("/oauth/v2/light_qr", 0) == 1,
                "one QR code issued: the reboot resumed without a new login")
    ok &= check(by_path.get("/oauth/v2/access_token", 0) == 1, "one code exchanged")
    ok &= check(by_path.get("/oauth/v2/refresh_token", 0) == 1, "one refresh")
    ok &= check(stats.get("broker_rejected", -1) == 0, "the mock refused nothing")
    print("     mock: TLS handshakes %s full, %s resumed; connections %s" % (
        stats.get("tls_handshakes_full"), stats.get("tls_handshakes_resumed"),
        stats.get("connections")))
    if args.run == "disrupted":
        ok &= check(len(log) == 2, "the outage happened: %s" % "; ".join(log))
        ok &= check(stats.get("tls_handshakes_resumed", 0) >= 1,
                    "reconnects resumed the TLS session")
        ok &= check(fig.get("eth_link_changes", 0) >= 3,
                    "the driver saw the link go down and come back (%s changes)"
                    % fig.get("eth_link_changes"))
    return ok


def inner(args):
    ip = netns.find_ip()
    os.makedirs(args.work, exist_ok=True)
    try:
        netns.setup_network(ip, args.outer_netns)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        netns.loud_fail("cannot set up the tap device in the namespace:\n%s" % e)
        return False
    for name in ("ca.pem", "server.pem", "server.key"):
        shutil.copy(os.path.join(args.certs, name), args.work)
    polls = "3" if args.run == "plain" else "12"
    mock = Mock(args.work, "mock", os.path.join(args.work, "ca.pem"), "kgtest", "kgsecret",
                ["--broker", "--confirm-after-polls", polls, "--idle-timeout", "20"],
                host=SERVER_IP, server_name="localhost", port=PORT)
    if args.run == "disrupted":
        mock.config(close_after=3)
    log = []
    t0 = time.monotonic()
    device = Device(args, os.path.join(args.work, "monitor.sock"))
    try:
        if args.run == "disrupted":
            outage(device, mock, ip, log)
        rc = device.wait()
        print("     device run: %.1f s wall" % (time.monotonic() - t0))
        return check_run(args, device, rc, mock.stats(), log)
    finally:
        if device.proc.poll() is None:
            device.proc.kill()
        mock.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", choices=("plain", "disrupted"), required=True)
    p.add_argument("--qemu", default="qemu-system-arm")
    p.add_argument("--image", required=True, help="rtos_login.elf")
    p.add_argument("--certs", required=True, help="the board build's test PKI (certs/)")
    p.add_argument("--work", required=True, help="a directory for logs")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--outer-netns", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    args.image, args.certs, args.work = (os.path.abspath(x) for x in
                                         (args.image, args.certs, args.work))
    args.passthrough = ["--run", args.run, "--qemu", args.qemu, "--image", args.image,
                        "--certs", args.certs, "--work", args.work]
    if args.inner:
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))
        return 0 if inner(args) else 1
    t0 = time.monotonic()
    ok = outer(args)
    print("rtos_login %s: %s in %.1f s" % (args.run, "PASS" if ok else "FAIL",
                                           time.monotonic() - t0), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
