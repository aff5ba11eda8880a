#!/usr/bin/env python3
"""tls_peer.py - loopback TLS peers for test_tls, and the driver that runs it.

usage: tls_peer.py CERT_DIR MAKE_CERTS TEST_BINARY

Makes the throwaway test PKI in CERT_DIR with MAKE_CERTS (tests/mock/make_certs.sh)
plus ca.der, starts the peers below on ephemeral 127.0.0.1 ports (one thread
each, standard library only), prints their ports, runs TEST_BINARY with them
in its environment and exits with its status.

  echo       server.pem. Reads one HTTP request and answers 200 with the body
             "reused=<0|1>\\nsni=<name>\\n<request line>\\nEND\\n" (reused is
             the server's own view of session resumption), then close_notify.
  echo12     as echo, but TLS 1.2 at most (3.6 would otherwise always use 1.3).
  wrongname  wrongname.pem (SAN wrong.example), otherwise as echo.
  notify     server.pem. Reads the request, sends close_notify, no reply.
  eof        server.pem. Reads the request, drops TCP without close_notify.
  silent     listens and never accepts: the kernel completes the TCP
             handshake, no TLS byte ever comes back.
  closed     a port nobody listens on.
"""
import os
import socket
import ssl
import subprocess
import sys
import threading


def listener():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


def read_request(tls):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def echo(tls):
    line = read_request(tls).split(b"\r\n", 1)[0]
    sni = getattr(tls, "kg_sni", None) or "-"
    body = b"reused=%d\nsni=%s\n%s\nEND\n" % (tls.session_reused, sni.encode(), line)
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    tls.sendall(head + body)
    tls.unwrap()


def notify(tls):
    read_request(tls)
    tls.unwrap()


def eof(tls):
    read_request(tls)
    tls.shutdown(socket.SHUT_RDWR)  # TCP FIN, no TLS alert


def handle(ctx, raw, behaviour):
    raw.settimeout(5)
    try:
        with ctx.wrap_socket(raw, server_side=True) as tls:
            behaviour(tls)
    except OSError:  # includes ssl.SSLError: clients that refuse us are expected
        pass
    finally:
        raw.close()


def serve(ctx, sock, behaviour):
    while True:
        raw, _ = sock.accept()
        threading.Thread(target=handle, args=(ctx, raw, behaviour), daemon=True).start()


def remember_sni(tls, name, _ctx):
    tls.kg_sni = name


def server_context(certs, name, max_version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = max_version
    ctx.load_cert_chain(os.path.join(certs, name + ".pem"), os.path.join(certs, name + ".key"))
    ctx.sni_callback = remember_sni
    return ctx


def start(certs, cert_name, behaviour, max_version=ssl.TLSVersion.MAXIMUM_SUPPORTED):
    sock = listener()
    ctx = server_context(certs, cert_name, max_version)
    threading.Thread(target=serve, args=(ctx, sock, behaviour), daemon=True).start()
    return sock.getsockname()[1]


def closed_port():
    sock = listener()
    port = sock.getsockname()[1]
    sock.close()
    return port


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    certs, make_certs, binary = sys.argv[1:]
    subprocess.run(["sh", make_certs, certs], check=True)
    with open(os.path.join(certs, "ca.pem")) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    with open(os.path.join(certs, "ca.der"), "wb") as f:
        f.write(der)

    silent = listener()  # kept open, never accepted
    env = dict(os.environ)
    env["KG_TLS_CERTS"] = certs
    ports = {
        "ECHO": start(certs, "server", echo),
        "ECHO12": start(certs, "server", echo, ssl.TLSVersion.TLSv1_2),
        "WRONGNAME": start(certs, "wrongname", echo),
        "NOTIFY": start(certs, "server", notify),
        "EOF": start(certs, "server", eof),
        "SILENT": silent.getsockname()[1],
        "CLOSED": closed_port(),
    }
    for name, port in ports.items():
        env["KG_TLS_PORT_" + name] = str(port)
        print("tls_peer: %s on 127.0.0.1:%d" % (name.lower(), port), flush=True)
    sys.exit(subprocess.run([binary], env=env, timeout=60).returncode)


if __name__ == "__main__":
    main()
