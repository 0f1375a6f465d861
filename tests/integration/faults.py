#!/usr/bin/python3
"""Load and misbehaving peers for the fault-injection test (t95_faults.sh).
Standard library only; every loop is bounded in count and in time.

  faults.py mssntp SERVER [--rid N] [--count C] [--interval S] [--timeout S]
      MS-SNTP requests (68 bytes, v3, key id = RID, zero MAC); counts the
      68-byte replies that carry our key id and echo our transmit time. The
      MAC is not checked: the tests' signer is fakesignd.py, not Samba.
  faults.py flood SERVER COUNT [--rate PPS] [--mssntp] [--seconds S]
      COUNT datagrams to port 123, paced at PPS: server-mode (mode 4)
      packets, which the dataplane punts to control, or with --mssntp
      signing requests (punted too, and signed if control and the signer
      keep up). Nothing is expected back.
  faults.py admin-abuse SOCKET [--good N]
      Holds bad admin clients open - one that pipelines thousands of
      requests and never reads, one that sent half a request, one that
      sends nothing, one that trickles a byte at a time - and meanwhile
      times N ordinary requests, each on a connection of its own.
  faults.py reload-storm SOCKET PID CONF ALT [--reloads N] [--hups N] [--seconds S]
      N "reload" requests over the admin socket (a connection each, so the
      per-client rate limit does not apply) and N SIGHUPs to PID,
      interleaved, while the config file CONF is switched between its own
      text and ALT's (by rename, so a reload never sees half a file).
All print one JSON object.
"""
import argparse
import json
import os
import signal
import socket
import struct
import sys
import time

NTP_UNIX = 2208988800


def now_ntp():
    t = time.time()
    return struct.pack("!II", int(t) + NTP_UNIX, int((t % 1) * 2**32))


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def cmd_mssntp(a):
    s = socket.socket(family(a.server), socket.SOCK_DGRAM)
    s.settimeout(a.timeout)
    res = {"sent": 0, "signed": 0, "bad": 0, "lost": 0, "max_len": 0}
    end = time.monotonic() + 30
    for _ in range(min(a.count, 1000)):
        if time.monotonic() > end:
            break
        xmt = now_ntp()
        req = bytes([0x1B]) + bytes(39) + xmt + struct.pack("<I", a.rid) + bytes(16)
        s.sendto(req, (a.server, 123))
        res["sent"] += 1
        deadline = time.monotonic() + a.timeout
        got = False
        while time.monotonic() < deadline:
            try:
                s.settimeout(max(deadline - time.monotonic(), 0.001))
                data = s.recv(2048)
            except socket.timeout:
                break
            res["max_len"] = max(res["max_len"], len(data))
            if data[24:32] != xmt:
                continue  # a late answer to an earlier request
            ok = len(data) == 68 and data[48:52] == struct.pack("<I", a.rid) and data[0] & 7 == 4
            res["signed" if ok else "bad"] += 1
            got = True
            break
        if not got:
            res["lost"] += 1
        if a.interval:
            time.sleep(a.interval)
    print(json.dumps(res))
    return 0


def cmd_flood(a):
    s = socket.socket(family(a.server), socket.SOCK_DGRAM)
    rate = max(a.rate, 1.0)
    n = min(a.count, 200000)
    start = time.monotonic()
    sent = 0
    for i in range(n):
        if time.monotonic() - start > a.seconds:
            break
        if a.mssntp:
            pkt = bytes([0x1B]) + bytes(39) + now_ntp() + struct.pack("<I", 1000 + i % 64) + bytes(16)
        else:
            pkt = bytes([0x24, 2]) + bytes(38) + now_ntp()
        try:
            s.sendto(pkt, (a.server, 123))
            sent += 1
        except OSError:
            pass
        # Pace by the clock, not by sleeping per packet.
        ahead = (i + 1) / rate - (time.monotonic() - start)
        if ahead > 0.002:
            time.sleep(ahead)
    print(json.dumps({"sent": sent, "seconds": round(time.monotonic() - start, 3)}))
    return 0


def admin_connect(path, timeout=3.0):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(timeout)
    c.connect(path)
    return c


def admin_one(path, cmd, timeout=3.0):
    """One request on a connection of its own: (ok, seconds, error)."""
    t0 = time.monotonic()
    try:
        c = admin_connect(path, timeout)
        c.sendall(json.dumps({"v": 1, "cmd": cmd}).encode() + b"\n")
        buf = b""
        while b"\n" not in buf:
            chunk = c.recv(65536)
            if not chunk:
                break
            buf += chunk
        c.close()
        r = json.loads(buf.split(b"\n", 1)[0]) if buf else {}
        return bool(r.get("ok")), time.monotonic() - t0, r.get("error", "" if buf else "closed")
    except (OSError, ValueError) as e:
        return False, time.monotonic() - t0, str(e)


def cmd_admin_abuse(a):
    out = {}
    bad = []
    # 1. Pipelines requests and never reads: the server stops reading it
    # above its output high-water mark, and drops it once unread output
    # passes the response limit or it makes no progress for the idle time.
    hog = admin_connect(a.socket)
    hog.setblocking(False)
    req = b'{"v":1,"cmd":"serverstats"}\n' * 200
    written = 0
    end = time.monotonic() + 3
    while time.monotonic() < end and written < 4 << 20:
        try:
            written += hog.send(req)
        except BlockingIOError:
            break  # the server stopped reading: its input and ours are full
        except OSError:
            break
    out["hog_bytes_written"] = written
    bad.append(hog)
    # 2. Half a request, then silence.
    half = admin_connect(a.socket)
    half.sendall(b'{"v":1,"cmd":"sta')
    bad.append(half)
    # 3. Connected, never a byte.
    bad.append(admin_connect(a.socket))
    # 4. A byte at a time, while the good requests run.
    slow = admin_connect(a.socket)
    bad.append(slow)
    slow_msg = b'{"v":1,"cmd":"version"}\n'
    lat = []
    fails = []
    for i in range(min(a.good, 200)):
        if i < len(slow_msg):
            try:
                slow.send(slow_msg[i:i + 1])
            except OSError:
                pass
        ok, dt, err = admin_one(a.socket, "status" if i % 2 else "serverstats")
        lat.append(dt)
        if not ok:
            fails.append(err)
        time.sleep(0.02)
    out["good"] = len(lat)
    out["good_failed"] = len(fails)
    out["good_errors"] = sorted(set(fails))[:5]
    out["good_max_s"] = round(max(lat), 4) if lat else None
    out["good_median_s"] = round(sorted(lat)[len(lat) // 2], 4) if lat else None
    # The trickled request must have been answered, whole, in the end.
    slow.settimeout(2)
    try:
        r = slow.recv(4096)
        out["slow_answered"] = b'"ok":true' in r.replace(b" ", b"")
    except OSError:
        out["slow_answered"] = False
    # Has the server given up on the hog yet? (It may keep it until idle.)
    try:
        hog.setblocking(True)
        hog.settimeout(0.2)
        data = hog.recv(1 << 20)
        out["hog_got_bytes"] = len(data)
    except OSError as e:
        out["hog_got_bytes"] = str(e)
    for c in bad:
        c.close()
    time.sleep(0.2)
    ok, dt, err = admin_one(a.socket, "status")
    out["after_ok"] = ok
    print(json.dumps(out))
    return 0


def cmd_reload_storm(a):
    own = open(a.conf).read()
    alt = open(a.alt).read()
    tmp = a.conf + ".storm"

    def switch(text):
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, a.conf)

    res = {"reloads": 0, "reload_ok": 0, "reload_errors": [], "hups": 0, "switches": 0,
           "max_reload_s": 0.0}
    start = time.monotonic()
    n = max(a.reloads, a.hups)
    for i in range(min(n, 5000)):
        if time.monotonic() - start > a.seconds:
            break
        if i % 10 == 0:
            switch(alt if (i // 10) % 2 else own)
            res["switches"] += 1
        if i < a.hups:
            os.kill(a.pid, signal.SIGHUP)
            res["hups"] += 1
        if i < a.reloads:
            ok, dt, err = admin_one(a.socket, "reload", timeout=5)
            res["reloads"] += 1
            res["reload_ok"] += ok
            res["max_reload_s"] = max(res["max_reload_s"], round(dt, 4))
            if not ok and len(res["reload_errors"]) < 5:
                res["reload_errors"].append(err)
    switch(own)
    res["seconds"] = round(time.monotonic() - start, 3)
    print(json.dumps(res))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("mssntp")
    p.add_argument("server")
    p.add_argument("--rid", type=int, default=1102)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.0)
    p.add_argument("--timeout", type=float, default=1.0)
    p = sub.add_parser("flood")
    p.add_argument("server")
    p.add_argument("count", type=int)
    p.add_argument("--rate", type=float, default=5000)
    p.add_argument("--mssntp", action="store_true")
    p.add_argument("--seconds", type=float, default=10)
    p = sub.add_parser("admin-abuse")
    p.add_argument("socket")
    p.add_argument("--good", type=int, default=40)
    p = sub.add_parser("reload-storm")
    p.add_argument("socket")
    p.add_argument("pid", type=int)
    p.add_argument("conf")
    p.add_argument("alt")
    p.add_argument("--reloads", type=int, default=300)
    p.add_argument("--hups", type=int, default=300)
    p.add_argument("--seconds", type=float, default=8)
    a = ap.parse_args()
    return {"mssntp": cmd_mssntp, "flood": cmd_flood, "admin-abuse": cmd_admin_abuse,
            "reload-storm": cmd_reload_storm}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
