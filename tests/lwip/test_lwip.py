#!/usr/bin/python3
"""The lwIP port over a real lwIP stack, in a private network namespace.

Outside (as ctest runs it): checks that it can work at all (root,
/dev/net/tun, iproute2) and FAILS LOUDLY when it cannot -- it never skips --,
creates the namespace kglwip-<pid>, runs itself again inside it, and always
deletes the namespace afterwards (also on a signal or a timeout; names left
by a run that was killed outright are deleted by the next run).

Inside the namespace, which has nothing but lo and the tap device made here
(no default route: there is nowhere else to send a packet to):
  kgtap0, kernel side 192.0.2.1/24   <- the mock platform (TLS, broker mode,
         and 2001:db8::1/64             confirms the QR at the 3rd poll)
  lwIP on the tap as 192.0.2.2/24    <- tests/lwip/lwip_login: port checks,
         and 2001:db8::2/64             kg_login and kg_call over lwIP sockets;
                                        then lwip_login_retry, the same with
                                        the port built without lwip_poll
(TEST-NET-1 and the IPv6 documentation prefix: neither is ever routed.)
The server certificate names kgtest.lwip (mbedTLS 2.28 matches host names,
not IP SANs); the port's hosts-table hook resolves it to 192.0.2.1.
After each client the mock's own counters are checked too (and reset).

Every step has a timeout. Prints the result and the wall time it took.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CERTS = os.path.join(HERE, "..", "mock", "make_certs.sh")
PYTHON = sys.executable
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from mockctl import Mock  # noqa: E402

NS_PREFIX = "kglwip-"
TAP = "kgtap0"
SERVER_IP = "192.0.2.1"  # TEST-NET-1 (RFC 5737): never routed anywhere
LWIP_IP = "192.0.2.2"
ABSENT_IP = "192.0.2.99"  # nobody: the connect-timeout check
SERVER_IP6 = "2001:db8::1"  # RFC 3849, documentation only
LWIP_IP6 = "2001:db8::2"
NAME = "kgtest.lwip"

INNER_TIMEOUT = 180  # the whole run inside the namespace, seconds
LOGIN_TIMEOUT = 75  # one lwip_login run (its own login deadline is 60 s)
STEP_TIMEOUT = 15  # any single ip/openssl command

# What one login (app token, QR, 3 polls, user token) and one call cost.
EXPECTED_PATHS = {
    "/api/v2/getToken": 1,
    "/oauth/v2/light_qr": 1,
    "/oauth/v2/light_qr_stat": 3,
    "/oauth/v2/access_token": 1,
    "/api/v2/user/echo": 1,
}


class Interrupted(Exception):
    pass


def _interrupted(signum, frame):
    raise Interrupted("signal %d" % signum)


def loud_fail(message):
    bar = "#" * 78
    print(bar)
    print("## lwip_login: FAILED -- this test never skips.")
    for line in message.splitlines():
        print("## " + line)
    print(bar, flush=True)


def find_ip():
    for path in ("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"):
        if os.access(path, os.X_OK):
            return path
    return shutil.which("ip")


def run(argv, timeout=STEP_TIMEOUT):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def must(argv, timeout=STEP_TIMEOUT):
    r = run(argv, timeout)
    if r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(argv), r.returncode, r.stderr.strip()))
    return r.stdout


# ---- outside the namespace -------------------------------------------------

def cannot_run(ip):
    """Why this machine cannot run the test; empty when it can."""
    problems = []
    if os.geteuid() != 0:
        problems.append("not root (euid %d): a network namespace and a tap device need root "
                        "(CAP_SYS_ADMIN, CAP_NET_ADMIN)" % os.geteuid())
    if not os.path.exists("/dev/net/tun"):
        problems.append("/dev/net/tun is missing: load the tun module, or give the container "
                        "the device (--device /dev/net/tun)")
    if not ip:
        problems.append("the ip command (iproute2) is missing: bash tests/setup.sh")
    if not shutil.which("timeout"):
        problems.append("coreutils' timeout is missing")
    return problems


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def reap_stale(ip):
    """Delete namespaces left by runs that were killed before their cleanup."""
    listing = run([ip, "netns", "list"]).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(re.escape(NS_PREFIX) + r"(\d+)", name)
        if m and not pid_alive(int(m.group(1))):
            print("note: deleting the stale namespace %s" % name)
            run([ip, "netns", "del", name])


def delete_ns(ip, ns):
    run([ip, "netns", "del", ns])
    left = [line.split()[0] for line in run([ip, "netns", "list"]).stdout.splitlines()
            if line.split()]
    return ns not in left


def run_inside(ip, ns, args):
    """This script again, inside ns, in its own process group, under timeout(1)."""
    argv = ["timeout", "-k", "5", str(INNER_TIMEOUT), ip, "netns", "exec", ns, PYTHON,
            os.path.abspath(__file__), "--inner", "--work", args.work,
            "--outer-netns", str(os.stat("/proc/self/ns/net").st_ino)]
    for b in args.bin:
        argv += ["--bin", b]
    proc = subprocess.Popen(argv, start_new_session=True)
    try:
        return proc.wait(timeout=INNER_TIMEOUT + 15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def outer(args):
    ip = find_ip()
    problems = cannot_run(ip)
    if problems:
        loud_fail("cannot create the network namespace and tap device it needs:\n" +
                  "\n".join(problems) + "\nCI runs it as root with /dev/net/tun.")
        return False
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _interrupted)
    reap_stale(ip)
    ns = NS_PREFIX + str(os.getpid())
    ok = False
    try:
        r = run([ip, "netns", "add", ns])
        if r.returncode != 0:
            loud_fail("cannot create the network namespace %s: %s" % (ns, r.stderr.strip()))
            return False
        rc = run_inside(ip, ns, args)
        ok = rc == 0
        if rc == 124:
            print("FAIL the run inside the namespace timed out after %d s" % INNER_TIMEOUT)
    except (Interrupted, subprocess.TimeoutExpired) as e:
        print("FAIL interrupted: %s" % e)
    finally:
        # A second signal must not cut the cleanup short.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        if not delete_ns(ip, ns):
            loud_fail("could not delete the network namespace %s" % ns)
            ok = False
        else:
            print("namespace %s: none left behind" % ns)
    return ok


# ---- inside the namespace --------------------------------------------------

def check(ok, text):
    print("%s %s" % ("ok  " if ok else "FAIL", text), flush=True)
    return ok


def setup_network(ip, outer_netns):
    """lo and the tap, nothing else; refuses to touch the host's own namespace."""
    if os.stat("/proc/self/ns/net").st_ino == outer_netns:
        raise RuntimeError("refusing to run: this is the host's network namespace")
    links = sorted(re.findall(r"^\d+: ([^:@]+)", must([ip, "-o", "link", "show"]), re.M))
    if links != ["lo"]:
        raise RuntimeError("the new namespace is not empty: %s" % links)
    must([ip, "link", "set", "lo", "up"])
    must([ip, "tuntap", "add", "dev", TAP, "mode", "tap"])
    must([ip, "addr", "add", SERVER_IP + "/24", "dev", TAP])
    # nodad: the address is usable at once (no duplicate detection wait).
    must([ip, "-6", "addr", "add", SERVER_IP6 + "/64", "dev", TAP, "nodad"])
    must([ip, "link", "set", TAP, "up"])
    routes = (must([ip, "-4", "route", "show"]) + must([ip, "-6", "route", "show"])).strip()
    print("     namespace routes: %s" % routes.replace("\n", "; "))
    if "default" in routes:
        raise RuntimeError("a default route in the test namespace: %s" % routes)


def run_client(binary, mock, port6):
    argv = [binary, "--tap", TAP, "--lwip-ip", LWIP_IP, "--gateway", SERVER_IP,
            "--server-name", NAME, "--server-ip", SERVER_IP, "--absent-ip", ABSENT_IP,
            "--lwip-ip6", LWIP_IP6, "--server-ip6", SERVER_IP6, "--port6", str(port6),
            "--port", str(mock.port), "--ca", mock.ca]
    proc = subprocess.Popen(argv)
    try:
        rc = proc.wait(timeout=LOGIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return check(False, "%s did not finish within %d s"
                     % (os.path.basename(binary), LOGIN_TIMEOUT))
    return check(rc == 0, "%s exit status %d" % (os.path.basename(binary), rc))


def check_stats(mock):
    stats = mock.control("GET", "/__mock/stats")
    mock.control("POST", "/__mock/reset", {})
    ok = True
    by_path = stats.get("by_path", {})
    for path, n in EXPECTED_PATHS.items():
        ok &= check(by_path.get(path, 0) == n,
                    "mock saw %s %d time(s) (%d expected)" % (path, by_path.get(path, 0), n))
    ok &= check(stats.get("broker_rejected", -1) == 0, "mock refused nothing from the device")
    ok &= check(stats.get("tls_handshakes_full", 0) >= 1,
                "mock TLS handshakes: %s full, %s resumed"
                % (stats.get("tls_handshakes_full"), stats.get("tls_handshakes_resumed")))
    return ok


def inner(args):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _interrupted)
    ip = find_ip()
    os.makedirs(args.work, exist_ok=True)
    try:
        setup_network(ip, args.outer_netns)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        loud_fail("cannot set up the tap device in the namespace:\n%s" % e)
        return False
    must(["sh", CERTS, args.work, NAME], timeout=60)
    mock = Mock(args.work, "mock", os.path.join(args.work, "ca.pem"), "kgtest", "kgsecret",
                ["--broker", "--confirm-after-polls", "3", "--idle-timeout", "10"], cert=NAME,
                host=SERVER_IP, server_name=NAME, check_name=True)
    # A plain IPv6 listener for the port's IPv6 check: the kernel completes
    # the handshake from the backlog, nothing needs to accept.
    listener6 = socket.create_server((SERVER_IP6, 0), family=socket.AF_INET6)
    ok = False
    try:
        passed = True
        for binary in args.bin:
            print("---- %s" % os.path.basename(binary), flush=True)
            passed &= run_client(binary, mock, listener6.getsockname()[1])
            passed &= check_stats(mock)
        ok = passed
    finally:
        listener6.close()
        mock.stop()
        if not ok:
            print("---- mock log (last lines)\n" + mock.log_tail())
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", required=True, action="append",
                   help="an lwip_login executable (repeatable: each runs in turn)")
    p.add_argument("--work", required=True, help="a directory for certificates and logs")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--outer-netns", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    args.bin = [os.path.abspath(b) for b in args.bin]
    args.work = os.path.abspath(args.work)
    if args.inner:
        try:
            return 0 if inner(args) else 1
        except (RuntimeError, OSError, Interrupted, subprocess.TimeoutExpired) as e:
            check(False, str(e))
            return 1
    t0 = time.monotonic()
    ok = outer(args)
    print("lwip_login: %s in %.2f s" % ("PASS" if ok else "FAIL", time.monotonic() - t0),
          flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
