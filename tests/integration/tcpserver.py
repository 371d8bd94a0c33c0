#!/usr/bin/python3
"""tcpserver.py PORT ADDR... - a demo service for the integration lab.

Listens on PORT on every given address (e.g. 127.0.0.1 ::1), accepts each
connection, writes one greeting line and closes it.  That is all a bgpsd tcp
check needs.  Ends on SIGTERM/SIGINT.  Binds only the addresses given, so in
loopback mode nothing listens beyond the loopback interface.
"""
import selectors
import signal
import socket
import sys


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: tcpserver.py PORT ADDR...\n")
        return 2
    port = int(sys.argv[1])
    sel = selectors.DefaultSelector()
    for addr in sys.argv[2:]:
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
    print("listening", port, " ".join(sys.argv[2:]), flush=True)
    while True:
        for key, _ in sel.select():
            try:
                conn, _ = key.fileobj.accept()
            except OSError:
                continue
            try:
                conn.sendall(b"bgpsd demo service\r\n")
            except OSError:
                pass
            conn.close()


if __name__ == "__main__":
    sys.exit(main())
