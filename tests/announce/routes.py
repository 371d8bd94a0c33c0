#!/usr/bin/env python3
# tests/announce/routes.py - what a receiving ExaBGP saw of one prefix, from
# the file rec.py wrote (JSON encoder): one line per event, in order,
#
#   TIME announce C1 C2 ... | L1 L2 ...   (standard | large communities)
#   TIME withdraw
#   TIME session down
#
# Lines that do not parse (rec.py's own marks, ExaBGP's odd ones) are
# skipped. Usage: routes.py FILE PREFIX
import json
import sys

path, prefix = sys.argv[1], sys.argv[2]
for raw in open(path, errors="replace"):
    ts, _, text = raw.rstrip("\n").partition(" ")
    try:
        msg = json.loads(text)
    except ValueError:
        continue
    if msg.get("type") == "state" and msg.get("neighbor", {}).get("state") == "down":
        print(ts, "session down")
        continue
    if msg.get("type") != "update":
        continue
    upd = msg.get("neighbor", {}).get("message", {}).get("update", {})
    attr = upd.get("attribute", {})
    for fam in upd.get("announce", {}).values():
        for nlris in fam.values():
            for n in nlris:
                if n.get("nlri") == prefix:
                    std = " ".join("%d:%d" % tuple(c)
                                   for c in attr.get("community", []))
                    large = " ".join("%d:%d:%d" % tuple(c)
                                     for c in attr.get("large-community", []))
                    print(ts, "announce", std, "|", large)
    for nlris in upd.get("withdraw", {}).values():
        for n in nlris:
            if n.get("nlri") == prefix:
                print(ts, "withdraw")
