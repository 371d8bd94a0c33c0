#!/usr/bin/env python3
# tests/announce/rec.py - an ExaBGP API process for test_announce_drain.sh:
# appends every line ExaBGP writes to it to FILE, each prefixed by the
# wall-clock time it was read, flushed at once; records its own SIGTERM
# too (when ExaBGP signals its processes). Reads until EOF, so ExaBGP
# never blocks on it; writes nothing to stdout.
import signal
import sys
import time

out = open(sys.argv[1], "a", buffering=1)


def on_term(signo, frame):
    out.write("%.6f SIGTERM\n" % time.time())
    out.flush()
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
out.write("%.6f START\n" % time.time())
for line in sys.stdin:
    out.write("%.6f %s\n" % (time.time(), line.rstrip("\n")))
out.write("%.6f EOF\n" % time.time())
