#!/usr/bin/python3
"""Send NTP client requests and print every field of the replies.

Used by the lab scripts (is the appliance answering?) and the integration
tests (are the fields right?). Plain sockets, no NTP library, so it checks
exactly what is on the wire: the reply's origin must equal our transmit
timestamp, the mode must be 4 and the version ours.

  ntpquery.py [-v VERSION] [-c COUNT] [-i INTERVAL] [-t TIMEOUT] [-s SOURCE] [--json] [-q] SERVER [PORT]
"""
import argparse
import json
import os
import socket
import struct
import sys
import time

NTP_UNIX = 2208988800


def to_ntp(t):
    return (int(t) + NTP_UNIX) << 32 | int((t - int(t)) * 2**32)


def from_ntp(v):
    return (v >> 32) - NTP_UNIX + (v & 0xFFFFFFFF) / 2**32


def query(sock, addr, version, timeout):
    # A random transmit timestamp, as chrony does, would also do; a real one
    # lets us compute the offset.
    t1 = time.time()
    xmt = to_ntp(t1) ^ (int.from_bytes(os.urandom(2), "big") & 0xFFFF)
    req = struct.pack("!BBbbIII", (0 << 6) | (version << 3) | 3, 0, 6, -20, 0, 0, 0)
    req += struct.pack("!QQQQ", 0, 0, 0, xmt)
    sock.settimeout(timeout)
    sock.sendto(req, addr)
    t1 = time.time()
    while True:
        data, src = sock.recvfrom(2048)
        t4 = time.time()
        if len(data) < 48:
            continue
        li_vn_mode, stratum, poll, prec, rdelay, rdisp, refid = struct.unpack("!BBbbIII", data[:16])
        ref, org, rx, tx = struct.unpack("!QQQQ", data[16:48])
        if org != xmt:
            continue  # not the answer to this request
        t2, t3 = from_ntp(rx), from_ntp(tx)
        r = {
            "server": src[0],
            "length": len(data),
            "leap": li_vn_mode >> 6,
            "version": (li_vn_mode >> 3) & 7,
            "mode": li_vn_mode & 7,
            "stratum": stratum,
            "poll": poll,
            "precision": prec,
            "root_delay": rdelay / 65536.0,
            "root_dispersion": rdisp / 65536.0,
            "refid": refid,
            "refid_text": refid.to_bytes(4, "big").decode("ascii", "replace").strip("\0"),
            "reference": from_ntp(ref) if ref else 0,
            "origin_ok": org == xmt,
            "receive": t2,
            "transmit": t3,
            "offset": ((t2 - t1) + (t3 - t4)) / 2,
            "delay": (t4 - t1) - (t3 - t2),
            "server_time_ok": t2 <= t3,
        }
        return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("port", nargs="?", type=int, default=123)
    ap.add_argument("-v", "--version", type=int, default=4)
    ap.add_argument("-c", "--count", type=int, default=1)
    ap.add_argument("-t", "--timeout", type=float, default=1.0)
    ap.add_argument("-i", "--interval", type=float, default=0.0, help="seconds between requests")
    ap.add_argument("-s", "--source", help="local address to send from")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    info = socket.getaddrinfo(a.server, a.port, 0, socket.SOCK_DGRAM)[0]
    sock = socket.socket(info[0], socket.SOCK_DGRAM)
    if a.source:
        sock.bind((a.source, 0))
    out = []
    lost = 0
    for _ in range(max(1, min(a.count, 10000))):
        try:
            out.append(query(sock, info[4], a.version, a.timeout))
        except socket.timeout:
            lost += 1
        if a.interval:
            time.sleep(a.interval)
    if a.json:
        print(json.dumps({"replies": out, "lost": lost}, indent=1))
    elif not a.quiet:
        for r in out:
            print("%s v%d stratum %d leap %d refid %s precision %d offset %+.6f delay %.6f" %
                  (r["server"], r["version"], r["stratum"], r["leap"], r["refid_text"],
                   r["precision"], r["offset"], r["delay"]))
        if lost:
            print("lost %d" % lost)
    return 0 if out else 1


if __name__ == "__main__":
    sys.exit(main())
