#!/usr/bin/python3
"""tcpserver.py [--http WEIGHTFILE] PORT ADDR... - a demo service for the
integration lab.

Listens on PORT on every given address (e.g. 127.0.0.1 ::1), accepts each
connection, writes one greeting line and closes it.  That is all a bgpsd tcp
check needs.  Ends on SIGTERM/SIGINT.  Binds only the addresses given, so in
loopback mode nothing listens beyond the loopback interface.

With --http it answers one HTTP request per connection instead: 200 and the
body "ok", plus "X-Bgpsd-Weight: N" when WEIGHTFILE holds N (read at each
request, so a test changes the weight by writing the file).
"""
import selectors
import signal
import socket
import sys

REQUEST_MAX = 8192      # bytes of a request head read before answering
REQUEST_TIMEOUT = 2.0   # seconds to wait for it


def http_answer(conn, weightfile):
    """Read the request head (bounded), then answer it."""
    conn.settimeout(REQUEST_TIMEOUT)
    head = b""
    while b"\r\n\r\n" not in head and len(head) < REQUEST_MAX:
        chunk = conn.recv(REQUEST_MAX - len(head))
        if not chunk:
            break
        head += chunk
    extra = ""
    try:
        with open(weightfile) as f:
            weight = f.read().strip()
        if weight:
            extra = "X-Bgpsd-Weight: %s\r\n" % weight
    except OSError:
        pass
    conn.sendall(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                  "Content-Length: 3\r\n%s\r\nok\n" % extra).encode())


def main():
    args = sys.argv[1:]
    weightfile = None
    if len(args) >= 2 and args[0] == "--http":
        weightfile = args[1]
        args = args[2:]
    if len(args) < 2:
        sys.stderr.write("usage: tcpserver.py [--http WEIGHTFILE] "
                         "PORT ADDR...\n")
        return 2
    port = int(args[0])
    sel = selectors.DefaultSelector()
    for addr in args[1:]:
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, port))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    # readiness marker for the harness (stdout goes to a log file)
    print("listening", port, " ".join(args[1:]), flush=True)
    while True:
        for key, _ in sel.select():
            try:
                conn, _ = key.fileobj.accept()
            except OSError:
                continue
            try:
                if weightfile is None:
                    conn.sendall(b"bgpsd demo service\r\n")
                else:
                    http_answer(conn, weightfile)
            except OSError:
                pass
            conn.close()


if __name__ == "__main__":
    sys.exit(main())
