#!/usr/bin/python3
"""A bounded NTP flooder for the abuse tests: one source, fixed count, fixed
pace, then a short wait for stragglers. Counts what came back.

  flood.py SRC DST COUNT INTERVAL [--ext]   -> JSON on stdout

Stops after COUNT requests or 30 s, whichever comes first. With --ext each
request carries a 24-byte MAC tail (72 bytes of NTP), so any reply longer
than 48 bytes would be amplification.
"""
import json
import os
import socket
import struct
import sys
import threading
import time


def main():
    src, dst, count, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    ext = "--ext" in sys.argv
    count = min(count, 100000)
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(0.2)
    res = {"sent": 0, "replies": 0, "kod_rate": 0, "kod_deny": 0, "kod_other": 0,
           "max_len": 0, "bad_origin": 0}
    sent_xmt = set()
    done = threading.Event()

    def rx():
        while not done.is_set():
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                continue
            res["max_len"] = max(res["max_len"], len(data))
            if len(data) < 48:
                continue
            org = data[24:32]
            if org not in sent_xmt:
                res["bad_origin"] += 1
                continue
            if data[1] == 0:
                code = data[12:16]
                key = {b"RATE": "kod_rate", b"DENY": "kod_deny"}.get(code, "kod_other")
                res[key] += 1
            else:
                res["replies"] += 1

    t = threading.Thread(target=rx)
    t.start()
    start = time.monotonic()
    tail = bytes(4) + os.urandom(20) if ext else b""
    for i in range(count):
        if time.monotonic() - start > 30:
            break
        xmt = os.urandom(8)
        sent_xmt.add(xmt)
        pkt = bytes([0x23]) + bytes(39) + xmt + tail
        s.sendto(pkt, (dst, 123))
        res["sent"] += 1
        if interval:
            time.sleep(interval)
    res["duration"] = time.monotonic() - start
    time.sleep(0.5)
    done.set()
    t.join()
    print(json.dumps(res))


if __name__ == "__main__":
    main()
