#!/usr/bin/python3
"""A Windows-like MS-SNTP client, and a client for Samba's ntp_signd socket.

Standard library only. Windows domain members ask for signed time: a 68-byte
NTP v3 request whose bytes 48-51 hold the machine account's RID
(little-endian) and whose last 16 bytes are zero; the answer must be 68
bytes, the same key id, and MD5(NT hash of the machine password || the
48-byte reply). This tool checks exactly that on the wire.

  mssntp.py selftest
  mssntp.py nthash PASSWORD
  mssntp.py query SERVER --rid N --password P [--port 123] [--bind ADDR]
                  [--timeout S] [--count N] [--interval S] [--previous] [--json]
  mssntp.py load SERVER --rid N --password P --count N --window W
                  [--port 123] [--bind ADDR] [--timeout S] [--time-limit S] [--json]
  mssntp.py signd SOCKETPATH --rid N [--rid N ...] --password P [--count N]
                  [--pipeline N] [--window W] [--timeout S]
                  [--expect STATUS,...] [--json]

Exit codes (query, load, signd): 0 everything arrived and verified; 3 no
reply to at least one request (timeout); 4 a reply with a bad MAC or wrong
key id; 5 a reply that is not 68 bytes (e.g. an unsigned 48-byte reply);
6 signd: a SIGNING_FAILURE reply; 7 signd: Samba closed the connection
without replying; 8 signd: connect() failed (ENOENT, ECONNREFUSED, EACCES);
9 signd: --expect did not match; 1 anything else (selftest failure, bad
reply framing). When several apply the most serious wins: 4, 5, 9, 7, 6,
8, 3. With --expect, the exit code is 0 when the per-request statuses match
and 9 otherwise.
"""
import argparse
import errno
import hashlib
import json
import os
import select
import socket
import statistics
import struct
import sys
import threading
import time

NTP_UNIX = 2208988800
EXIT_OK, EXIT_ERR, EXIT_NOREPLY, EXIT_BADMAC, EXIT_BADLEN = 0, 1, 3, 4, 5
EXIT_FAILURE, EXIT_CLOSED, EXIT_CONNECT, EXIT_EXPECT = 6, 7, 8, 9
# Most serious first.
SEVERITY = [EXIT_BADMAC, EXIT_BADLEN, EXIT_EXPECT, EXIT_CLOSED, EXIT_FAILURE,
            EXIT_CONNECT, EXIT_NOREPLY, EXIT_ERR]

# ---------------------------------------------------------------- MD4 (RFC 1320)

_MASK = 0xFFFFFFFF


def _rotl(x, n):
    x &= _MASK
    return ((x << n) | (x >> (32 - n))) & _MASK


def md4(data):
    """MD4 digest of bytes (RFC 1320). hashlib's md4 is gone with OpenSSL 3."""
    data = bytes(data)
    msg = data + b"\x80" + b"\0" * ((55 - len(data)) % 64) + struct.pack("<Q", (len(data) * 8) & (2**64 - 1))
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        aa, bb, cc, dd = a, b, c, d
        # round 1: F(x,y,z) = xy | ~x z
        for i in (0, 4, 8, 12):
            a = _rotl(a + ((b & c) | (~b & d)) + x[i], 3)
            d = _rotl(d + ((a & b) | (~a & c)) + x[i + 1], 7)
            c = _rotl(c + ((d & a) | (~d & b)) + x[i + 2], 11)
            b = _rotl(b + ((c & d) | (~c & a)) + x[i + 3], 19)
        # round 2: G(x,y,z) = xy | xz | yz, constant 0x5A827999
        for i in (0, 1, 2, 3):
            a = _rotl(a + ((b & c) | (b & d) | (c & d)) + x[i] + 0x5A827999, 3)
            d = _rotl(d + ((a & b) | (a & c) | (b & c)) + x[i + 4] + 0x5A827999, 5)
            c = _rotl(c + ((d & a) | (d & b) | (a & b)) + x[i + 8] + 0x5A827999, 9)
            b = _rotl(b + ((c & d) | (c & a) | (d & a)) + x[i + 12] + 0x5A827999, 13)
        # round 3: H(x,y,z) = x ^ y ^ z, constant 0x6ED9EBA1
        for i in (0, 2, 1, 3):
            a = _rotl(a + (b ^ c ^ d) + x[i] + 0x6ED9EBA1, 3)
            d = _rotl(d + (a ^ b ^ c) + x[i + 8] + 0x6ED9EBA1, 9)
            c = _rotl(c + (d ^ a ^ b) + x[i + 4] + 0x6ED9EBA1, 11)
            b = _rotl(b + (c ^ d ^ a) + x[i + 12] + 0x6ED9EBA1, 15)
        a, b, c, d = (a + aa) & _MASK, (b + bb) & _MASK, (c + cc) & _MASK, (d + dd) & _MASK
    return struct.pack("<4I", a, b, c, d)


def nt_hash(password):
    return md4(password.encode("utf-16-le"))


def mac(nthash, reply48):
    return hashlib.md5(nthash + reply48).digest()


MD4_VECTORS = [  # RFC 1320, appendix A.5
    (b"", "31d6cfe0d16ae931b73c59d7e0c089c0"),
    (b"a", "bde52cb31de33e46245e05fbdbd6fb24"),
    (b"abc", "a448017aaf21d8525fc10ae87aa6729d"),
    (b"message digest", "d9130a8164549fe818874806e1c7014b"),
    (b"abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"),
    (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "043f8582f241db351ce627e153e7f0e4"),
    (b"1234567890" * 8, "e33b4ddc9c38f2199c3e7b164fcc0536"),
]
NTHASH_VECTORS = [  # well known; MS-NLMP 4.2.2.1.2 for "Password"
    ("password", "8846f7eaee8fb117ad06bdd830b7586c"),
    ("Password", "a4f49c406510bdcab6824ee7c30fd852"),
    ("", "31d6cfe0d16ae931b73c59d7e0c089c0"),
]

# ---------------------------------------------------------------- NTP helpers


def to_ntp(t):
    return ((int(t) + NTP_UNIX) << 32 | int((t - int(t)) * 2**32)) & (2**64 - 1)


def from_ntp(v):
    return (v >> 32) - NTP_UNIX + (v & 0xFFFFFFFF) / 2**32


def key_id_bytes(rid, previous=False):
    return struct.pack("<I", (rid & 0x7FFFFFFF) | (0x80000000 if previous else 0))


# Windows w32time sends LI=3 (unsynchronised) until it has synchronised,
# version 3, mode 3: first byte 0xDB.
def ms_request(xmt, keyid, leap=3, poll=10):
    hdr = struct.pack("!BBbbIII", (leap << 6) | (3 << 3) | 3, 0, poll, -23, 0, 0, 0)
    return hdr + struct.pack("!QQQQ", 0, 0, 0, xmt) + keyid + b"\0" * 16


def parse_reply(data, nthash, keyid):
    """Fields of a reply; verified = 68 bytes, our key id, good MAC."""
    r = {"length": len(data)}
    if len(data) < 48:
        r["verified"] = False
        return r
    lvm, stratum, poll, prec, rdelay, rdisp, refid = struct.unpack("!BBbbIII", data[:16])
    ref, org, rx, tx = struct.unpack("!QQQQ", data[16:48])
    r.update({
        "leap": lvm >> 6, "version": (lvm >> 3) & 7, "mode": lvm & 7,
        "stratum": stratum, "poll": poll, "precision": prec,
        "root_delay": rdelay / 65536.0, "root_dispersion": rdisp / 65536.0,
        "refid": refid, "origin": org, "rx": rx, "tx": tx,
    })
    if len(data) == 68:
        r["key_id"] = struct.unpack("<I", data[48:52])[0]
        r["key_id_ok"] = data[48:52] == keyid
        r["mac_ok"] = data[52:68] == mac(nthash, data[:48])
    else:
        r["key_id"] = None
        r["key_id_ok"] = False
        r["mac_ok"] = False
    r["verified"] = len(data) == 68 and r["key_id_ok"] and r["mac_ok"]
    return r


def worst(codes):
    for c in SEVERITY:
        if c in codes:
            return c
    return EXIT_OK


def udp_socket(server, port, bind):
    info = socket.getaddrinfo(server, port, 0, socket.SOCK_DGRAM)[0]
    s = socket.socket(info[0], socket.SOCK_DGRAM)
    if bind:
        s.bind((bind, 0))
    s.connect(info[4])  # only the server's replies are delivered
    return s, info[4]


# ---------------------------------------------------------------- query


def cmd_query(a):
    nthash = nt_hash(a.password)
    keyid = key_id_bytes(a.rid, a.previous)
    sock, addr = udp_socket(a.server, a.port, a.bind)
    results, codes, stray = [], set(), 0
    for n in range(max(1, min(a.count, 100000))):
        if n and a.interval:
            time.sleep(a.interval)
        t1 = time.time()
        xmt = to_ntp(t1)
        sock.send(ms_request(xmt, keyid, leap=a.leap))
        deadline = time.monotonic() + a.timeout
        res = {"seq": n, "reply": False}
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            try:
                data = sock.recv(2048)
            except socket.timeout:
                break
            except ConnectionRefusedError:  # ICMP port unreachable
                res["icmp_unreachable"] = True
                continue
            t4 = time.time()
            if len(data) < 48 or data[24:32] != struct.pack("!Q", xmt):
                stray += 1
                continue
            r = parse_reply(data, nthash, keyid)
            t2, t3 = from_ntp(r["rx"]), from_ntp(r["tx"])
            r.update({
                "reply": True, "seq": n, "origin_ok": True,
                "offset": ((t2 - t1) + (t3 - t4)) / 2,
                "delay": (t4 - t1) - (t3 - t2),
            })
            res = r
            break
        if not res["reply"]:
            codes.add(EXIT_NOREPLY)
        elif res["length"] != 68:
            codes.add(EXIT_BADLEN)
        elif not res["verified"]:
            codes.add(EXIT_BADMAC)
        results.append(res)
    rc = worst(codes)
    got = [r for r in results if r["reply"]]
    out = {
        "server": addr[0], "port": addr[1], "rid": a.rid, "previous": a.previous,
        "sent": len(results), "replies": len(got), "lost": len(results) - len(got),
        "verified": sum(1 for r in got if r["verified"]),
        "bad_mac": sum(1 for r in got if r["length"] == 68 and not r["verified"]),
        "bad_length": sum(1 for r in got if r["length"] != 68),
        "stray": stray, "exit": rc, "results": results,
    }
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        for r in results:
            if not r["reply"]:
                print("#%d no reply" % r["seq"])
                continue
            print("#%d %d bytes key_id %s mac %s mode %d v%d stratum %d leap %d origin ok "
                  "offset %+.6f delay %.6f" % (
                      r["seq"], r["length"],
                      "-" if r.get("key_id") is None else "%d%s" % (r["key_id"], "" if r["key_id_ok"] else " (WRONG)"),
                      "ok" if r.get("mac_ok") else "BAD", r["mode"], r["version"],
                      r["stratum"], r["leap"], r["offset"], r["delay"]))
        print("sent %d replies %d verified %d exit %d" % (out["sent"], out["replies"], out["verified"], rc))
    return rc


# ---------------------------------------------------------------- load


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * (len(sorted_vals) - 1)))))
    return sorted_vals[k]


def cmd_load(a):
    nthash = nt_hash(a.password)
    keyid = key_id_bytes(a.rid)
    sock, addr = udp_socket(a.server, a.port, a.bind)
    sock.setblocking(False)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    except OSError:
        pass
    count = max(1, min(a.count, 10_000_000))
    window = max(1, min(a.window, 65536))
    outstanding = {}  # xmt bytes -> send time (perf_counter)
    expiry = []  # (deadline, xmt) in send order, so deadlines are monotonic
    lat, sent, verified, bad_mac, bad_len, lost, stray, send_err = [], 0, 0, 0, 0, 0, 0, 0
    seq = 0
    hdr = ms_request(0, keyid)[:40]
    tail = keyid + b"\0" * 16
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    t_start = time.perf_counter()
    t_end = t_start + a.time_limit
    exp_i = 0
    while True:
        now = time.perf_counter()
        if now >= t_end:
            break
        # expire
        while exp_i < len(expiry) and expiry[exp_i][0] <= now:
            x = expiry[exp_i][1]
            exp_i += 1
            if outstanding.pop(x, None) is not None:
                lost += 1
        if exp_i > 4096:
            del expiry[:exp_i]
            exp_i = 0
        if sent >= count and not outstanding:
            break
        # fill the window
        while sent < count and len(outstanding) < window:
            # unique transmit timestamp: host clock, low 16 bits of the
            # fraction (15 us) replaced by a sequence number
            xmt = (to_ntp(time.time()) & ~0xFFFF) | (seq & 0xFFFF)
            seq += 1
            xb = struct.pack("!Q", xmt)
            if xb in outstanding:
                continue
            try:
                sock.send(hdr + xb + tail)
            except BlockingIOError:
                break
            except OSError:
                send_err += 1
                break
            t = time.perf_counter()
            outstanding[xb] = t
            expiry.append((t + a.timeout, xb))
            sent += 1
        wait = min(t_end, expiry[exp_i][0] if exp_i < len(expiry) else t_end) - time.perf_counter()
        if poller.poll(max(0, wait) * 1000):
            while True:
                try:
                    data = sock.recv(2048)
                except (BlockingIOError, InterruptedError):
                    break
                except ConnectionRefusedError:
                    continue
                t4 = time.perf_counter()
                if len(data) < 48:
                    stray += 1
                    continue
                t1 = outstanding.pop(data[24:32], None)
                if t1 is None:
                    stray += 1
                    continue
                lat.append((t4 - t1) * 1000.0)
                if len(data) != 68:
                    bad_len += 1
                elif data[48:52] == keyid and data[52:68] == mac(nthash, data[:48]):
                    verified += 1
                else:
                    bad_mac += 1
    elapsed = time.perf_counter() - t_start
    unanswered = len(outstanding)
    lost += unanswered
    lat.sort()
    replies = len(lat)
    codes = set()
    if bad_mac:
        codes.add(EXIT_BADMAC)
    if bad_len:
        codes.add(EXIT_BADLEN)
    if lost or sent < count:
        codes.add(EXIT_NOREPLY)
    rc = worst(codes)
    out = {
        "server": addr[0], "port": addr[1], "rid": a.rid, "window": window,
        "requested": count, "sent": sent, "replies": replies, "verified": verified,
        "bad_mac": bad_mac, "bad_length": bad_len, "lost": lost, "stray": stray,
        "send_errors": send_err, "elapsed_s": round(elapsed, 4),
        "time_limit_hit": sent < count,
        "replies_per_s": round(replies / elapsed, 1) if elapsed > 0 else 0.0,
        "verified_per_s": round(verified / elapsed, 1) if elapsed > 0 else 0.0,
        "latency_ms": {p: (round(pct(lat, q), 4) if lat else None)
                       for p, q in (("p50", 50), ("p90", 90), ("p99", 99))},
        "exit": rc,
    }
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        l = out["latency_ms"]
        print("sent %d replies %d verified %d lost %d bad_mac %d bad_length %d in %.2f s: "
              "%.0f replies/s; latency ms p50 %s p90 %s p99 %s; exit %d" % (
                  sent, replies, verified, lost, bad_mac, bad_len, elapsed,
                  out["replies_per_s"], l["p50"], l["p90"], l["p99"], rc))
    return rc


# ---------------------------------------------------------------- signd

SIGN_TO_CLIENT, SIGNING_SUCCESS, SIGNING_FAILURE = 0, 3, 4


def fake_reply48(seq):
    """A plausible server-mode NTP reply for Samba to sign."""
    now = to_ntp(time.time())
    hdr = struct.pack("!BBbbIII", (0 << 6) | (3 << 3) | 4, 2, 10, -23, 0x100, 0x200,
                      0x7F000001)
    return hdr + struct.pack("!QQQQ", now - (1 << 32), (now ^ seq) & (2**64 - 1), now, now + 1)


def signd_frame(packet_id, keyid, reply48, version=0, op=SIGN_TO_CLIENT):
    body = struct.pack(">IIHH", version, op, packet_id & 0xFFFF, 0) + keyid + reply48
    return struct.pack(">I", len(body)) + body


class Closed(Exception):
    pass


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise Closed()
        buf += chunk
    return buf


def read_signed(s):
    (length,) = struct.unpack(">I", recv_exact(s, 4))
    if length > 4096:
        raise ValueError("absurd frame length %d" % length)
    return recv_exact(s, length)


def check_signed(body, packet_id, keyid, reply48, nthash):
    """Status of one signed_reply: ok, badmac, failure, badframe."""
    if len(body) < 12:
        return "badframe", {}
    version, op, pid = struct.unpack(">III", body[:12])
    info = {"version": version, "op": op, "packet_id": pid, "length": len(body)}
    if pid != packet_id & 0xFFFF:
        return "badframe", info
    if op == SIGNING_FAILURE:
        return "failure", info
    if op != SIGNING_SUCCESS or len(body) != 12 + 68:
        return "badframe", info
    pkt = body[12:]
    info["reply_unchanged"] = pkt[:48] == reply48
    info["key_id_ok"] = pkt[48:52] == keyid
    info["mac_ok"] = pkt[52:68] == mac(nthash, pkt[:48])
    ok = info["reply_unchanged"] and info["key_id_ok"] and info["mac_ok"]
    return ("ok" if ok else "badmac"), info


STATUS_EXIT = {"ok": EXIT_OK, "badmac": EXIT_BADMAC, "failure": EXIT_FAILURE,
               "closed": EXIT_CLOSED, "timeout": EXIT_NOREPLY, "badframe": EXIT_ERR}


def cmd_signd(a):
    nthash = nt_hash(a.password)
    rids = a.rid
    out = {"socket": a.socket, "rids": rids, "requests": []}
    statuses = []
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(a.timeout)
    t0 = time.perf_counter()
    try:
        s.connect(a.socket)
    except OSError as e:
        name = errno.errorcode.get(e.errno, "timeout" if isinstance(e, socket.timeout) else str(e))
        statuses.append(name)
        out["connect_error"] = name
    out["connect_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    lat = []
    pid = 0
    if not statuses:
        for n in range(max(1, min(a.count, 1_000_000))):
            rid = rids[n % len(rids)]
            keyid = key_id_bytes(rid, a.previous)
            pid = (pid + 1) & 0xFFFF
            r48 = fake_reply48(n)
            t1 = time.perf_counter()
            try:
                s.sendall(signd_frame(pid, keyid, r48, a.sversion, a.op))
                body = read_signed(s)
                st, info = check_signed(body, pid, keyid, r48, nthash)
            except Closed:
                st, info = "closed", {}
            except socket.timeout:
                st, info = "timeout", {}
            except (BrokenPipeError, ConnectionResetError):
                st, info = "closed", {}
            dt = (time.perf_counter() - t1) * 1000
            if st in ("ok", "badmac", "failure"):
                lat.append(dt)
            info.update({"seq": n, "rid": rid, "status": st, "ms": round(dt, 4)})
            out["requests"].append(info)
            statuses.append(st)
            if st in ("closed", "timeout", "badframe"):
                break
        if a.pipeline and statuses and statuses[-1] not in ("closed", "timeout", "badframe"):
            out["pipeline"] = signd_pipeline(s, a, nthash)
    s.close()
    lat.sort()
    out["statuses"] = statuses
    out["latency_ms"] = {"p50": round(statistics.median(lat), 4) if lat else None,
                         "max": round(lat[-1], 4) if lat else None}
    codes = set()
    for st in statuses:
        codes.add(STATUS_EXIT.get(st, EXIT_CONNECT))
    p = out.get("pipeline")
    if p:
        if p["bad"]:
            codes.add(EXIT_BADMAC)
        if p["status"] != "ok":
            codes.add(STATUS_EXIT.get(p["status"], EXIT_ERR))
    rc = worst(codes)
    if a.expect is not None:
        want = [x for x in a.expect.split(",") if x]
        out["expect"] = want
        rc = EXIT_OK if want == statuses else EXIT_EXPECT
    out["exit"] = rc
    if a.json:
        print(json.dumps(out, indent=1))
    else:
        if len(statuses) <= 12:
            shown = ",".join(statuses)
        else:
            shown = ", ".join("%s x%d" % (k, statuses.count(k)) for k in sorted(set(statuses)))
        print("statuses %s; latency ms p50 %s" % (shown, out["latency_ms"]["p50"]))
        if p:
            print("pipelined %d requests (window %d): %d ok, %d bad, %s; %.0f requests/s, "
                  "latency ms p50 %s" % (p["requests"], p["window"], p["ok"], p["bad"], p["status"],
                                         p["requests_per_s"], p["latency_ms_p50"]))
        if a.expect is not None and rc:
            print("expected %s" % a.expect)
        print("exit %d" % rc)
    return rc


def signd_pipeline(s, a, nthash):
    """Up to --window requests in flight on the one connection."""
    n = a.pipeline
    window = max(1, min(a.window, 256))  # 256 x 80 bytes stays in the socket buffer
    keyid = key_id_bytes(a.rid[0])
    pending = {}
    order = []
    sent = done = ok = bad = 0
    status = "ok"
    lat = []
    t0 = time.perf_counter()
    try:
        while done < n:
            while sent < n and sent - done < window:
                pid = (0x8000 + sent) & 0xFFFF
                r48 = fake_reply48(sent)
                s.sendall(signd_frame(pid, keyid, r48))
                pending[pid] = (r48, time.perf_counter())
                order.append(pid)
                sent += 1
            body = read_signed(s)
            t = time.perf_counter()
            expected = order[done]  # Samba answers in order
            r48, t1 = pending.pop(expected)
            st, _ = check_signed(body, expected, keyid, r48, nthash)
            lat.append((t - t1) * 1000)
            done += 1
            if st == "ok":
                ok += 1
            else:
                bad += 1
    except Closed:
        status = "closed"
    except socket.timeout:
        status = "timeout"
    except (BrokenPipeError, ConnectionResetError):
        status = "closed"
    el = time.perf_counter() - t0
    return {"requests": n, "window": window, "answered": done, "ok": ok, "bad": bad,
            "status": status, "elapsed_s": round(el, 4),
            "requests_per_s": round(done / el, 1) if el > 0 else 0.0,
            "latency_ms_p50": round(statistics.median(lat), 4) if lat else None}


# ---------------------------------------------------------------- selftest


class FakeServer(threading.Thread):
    """A loopback MS-SNTP responder for the selftest: 'good' signs with the
    right key, 'badmac' with a wrong one, 'unsigned' answers 48 bytes."""

    def __init__(self, family, addr, nthash, kind):
        super().__init__(daemon=True)
        self.s = socket.socket(family, socket.SOCK_DGRAM)
        self.s.bind((addr, 0))
        self.s.settimeout(0.2)
        self.port = self.s.getsockname()[1]
        self.nthash, self.kind, self.stop = nthash, kind, False

    def run(self):
        while not self.stop:
            try:
                data, src = self.s.recvfrom(2048)
            except socket.timeout:
                continue
            if len(data) != 68:
                continue
            now = to_ntp(time.time())
            hdr = struct.pack("!BBbbIII", (3 << 3) | 4, 2, data[2], -20, 0, 0, 0x7F000001)
            r48 = hdr + struct.pack("!QQQQ", now, struct.unpack("!Q", data[40:48])[0], now, now)
            if self.kind == "unsigned":
                self.s.sendto(r48, src)
                continue
            key = self.nthash if self.kind == "good" else b"\x01" * 16
            self.s.sendto(r48 + data[48:52] + mac(key, r48), src)


def cmd_selftest(a):
    fails = 0

    def check(desc, cond):
        nonlocal fails
        print("  %s: %s" % ("ok" if cond else "FAIL", desc))
        if not cond:
            fails += 1

    for msg, want in MD4_VECTORS:
        check("MD4(%r)" % (msg[:20],), md4(msg).hex() == want)
    for pw, want in NTHASH_VECTORS:
        check("NT hash(%r)" % pw, nt_hash(pw).hex() == want)
    check("MD4 of 1 MB (multi-block)", len(md4(b"x" * (1 << 20))) == 16)
    check("key id little-endian, previous bit", key_id_bytes(1102, True) == bytes([0x4E, 0x04, 0, 0x80]))
    req = ms_request(to_ntp(time.time()), key_id_bytes(1102))
    check("request is 68 bytes, v3 mode 3, zero MAC", len(req) == 68 and req[0] == 0xDB and req[52:] == b"\0" * 16)

    # the query and load paths against loopback responders, IPv4 and IPv6
    pw = "win10"
    h = nt_hash(pw)
    fams = [(socket.AF_INET, "127.0.0.1")]
    if socket.has_ipv6:
        try:
            socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))
            fams.append((socket.AF_INET6, "::1"))
        except OSError:
            print("  (no ::1; IPv6 part skipped)")
    me = os.path.abspath(__file__)
    import subprocess
    for fam, addr in fams:
        for kind, want in (("good", EXIT_OK), ("badmac", EXIT_BADMAC), ("unsigned", EXIT_BADLEN)):
            srv = FakeServer(fam, addr, h, kind)
            srv.start()
            rc = subprocess.run([sys.executable, me, "query", addr, "--port", str(srv.port), "--rid", "1102",
                                 "--password", pw, "--count", "2", "--timeout", "1", "--json"],
                                stdout=subprocess.PIPE).returncode
            check("query %s %s -> exit %d (got %d)" % (addr, kind, want, rc), rc == want)
            if kind == "good":
                p = subprocess.run([sys.executable, me, "load", addr, "--port", str(srv.port), "--rid", "1102",
                                    "--password", pw, "--count", "2000", "--window", "32", "--json"],
                                   stdout=subprocess.PIPE)
                j = json.loads(p.stdout)
                check("load %s: %d/2000 verified, %.0f/s, p50 %s ms" % (
                    addr, j["verified"], j["replies_per_s"], j["latency_ms"]["p50"]),
                    p.returncode == 0 and j["verified"] == 2000)
            srv.stop = True
            srv.join()
        # nothing listening: a closed port
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((addr, 0))
        port = s.getsockname()[1]
        rc = subprocess.run([sys.executable, me, "query", addr, "--port", str(port), "--rid", "1102",
                             "--password", pw, "--timeout", "0.3", "--json"], stdout=subprocess.PIPE).returncode
        s.close()
        check("query %s, no server -> exit 3 (got %d)" % (addr, rc), rc == EXIT_NOREPLY)
    print("selftest: %s" % ("FAILED (%d)" % fails if fails else "ok"))
    return EXIT_ERR if fails else EXIT_OK


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("selftest", help="MD4/NT-hash vectors and a loopback run of query/load")
    p.set_defaults(fn=cmd_selftest)

    p = sub.add_parser("nthash", help="print the NT hash of a password")
    p.add_argument("password")
    p.set_defaults(fn=lambda a: print(nt_hash(a.password).hex()) or 0)

    def common(p):
        p.add_argument("server")
        p.add_argument("--rid", type=int, required=True, help="machine account RID (key id)")
        p.add_argument("--password", required=True, help="machine account password")
        p.add_argument("--port", type=int, default=123)
        p.add_argument("--bind", help="local address to send from")
        p.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for each reply")
        p.add_argument("--json", action="store_true")

    p = sub.add_parser("query", help="signed time requests, one at a time")
    common(p)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--interval", type=float, default=0.0)
    p.add_argument("--previous", action="store_true", help="set the key id's 'previous password' bit")
    p.add_argument("--leap", type=int, default=3, choices=range(4), help="LI of the request (Windows: 3)")
    p.set_defaults(fn=cmd_query)

    p = sub.add_parser("load", help="keep up to --window signed requests outstanding")
    common(p)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--window", type=int, required=True)
    p.add_argument("--time-limit", type=float, default=60.0, help="overall seconds (default 60)")
    p.set_defaults(fn=cmd_load)

    p = sub.add_parser("signd", help="talk to Samba's ntp_signd socket directly")
    p.add_argument("socket")
    p.add_argument("--rid", type=int, action="append", required=True,
                   help="RID to sign for; repeat to cycle through several on one connection")
    p.add_argument("--password", required=True, help="password to verify successful MACs with")
    p.add_argument("--count", type=int, default=1, help="sequential requests (default 1)")
    p.add_argument("--pipeline", type=int, default=0,
                   help="then N pipelined requests for the first RID, to measure requests/s")
    p.add_argument("--window", type=int, default=64, help="pipelined requests in flight (<=256)")
    p.add_argument("--timeout", type=float, default=5.0)
    p.add_argument("--previous", action="store_true")
    p.add_argument("--op", type=int, default=SIGN_TO_CLIENT, help=argparse.SUPPRESS)
    p.add_argument("--sversion", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--expect", help="comma-separated statuses, one per request, e.g. failure,ok or "
                   "closed or ECONNREFUSED; exit 0 iff they match")
    p.add_argument("--json", action="store_true")
    p.set_defaults(fn=cmd_signd)

    a = ap.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
