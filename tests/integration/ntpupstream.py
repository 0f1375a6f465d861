#!/usr/bin/python3
"""A deliberately simple NTP server for the integration tests' upstreams.

It answers client requests (mode 3, versions 1-4; a version 1 mode 0
request too, RFC 1059 had no modes) with server replies whose clock is
the host's CLOCK_REALTIME shifted by --offset seconds. That makes it the
"wrong" upstream a selection algorithm has to vote out, or with --leap 3
an unsynchronised one, or with --kod a server that only sends
Kiss-o'-Death packets (RFC 5905 section 7.4), or with --mac a server
whose replies carry a SHA1 MAC (RFC 5905 section 7.3) under a key of its
choosing, right or wrong.

  ntpupstream.py [--port P] [--offset S] [--stratum N] [--leap N]
                 [--refid ID] [--kod CODE] [--mac ID:HEX] [--pidfile F]
                 [--count-file F] [--duration S] ADDRESS

Exits cleanly on SIGTERM/SIGINT, and by itself after --duration seconds.
"""
import argparse
import hashlib
import ipaddress
import os
import signal
import socket
import struct
import sys
import time

NTP_UNIX = 2208988800
PRECISION = -20                     # about 1 us
ROOT_DELAY = 0.000122               # small, as for a stratum 1 on a local wire
ROOT_DISPERSION = 0.000244

#    0                   1                   2                   3
#    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
#   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#   |LI | VN  |Mode |    Stratum     |     Poll      |  Precision   |
#   |                         Root Delay                            |
#   |                         Root Dispersion                       |
#   |                          Reference ID                         |
#   |                     Reference Timestamp (64)                  |
#   |                      Origin Timestamp (64)                    |
#   |                      Receive Timestamp (64)                   |
#   |                      Transmit Timestamp (64)                  |
#   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
HEADER = struct.Struct("!BBbbIII QQQQ")
assert HEADER.size == 48

stop = False


def on_signal(signum, frame):
    global stop
    stop = True


def ntp_now(offset_ns):
    """CLOCK_REALTIME + offset as a 64-bit NTP timestamp."""
    ns = time.clock_gettime_ns(time.CLOCK_REALTIME) + offset_ns
    sec, rem = divmod(ns, 1000000000)
    return ((sec + NTP_UNIX) & 0xFFFFFFFF) << 32 | (rem << 32) // 1000000000


def short(seconds):
    """Seconds as NTP short format (16.16)."""
    return min(0xFFFFFFFF, int(round(seconds * 65536)))


def refid_value(text):
    """A refid given as 4 ASCII characters, a dotted IPv4 address or 0xHEX."""
    if text.lower().startswith("0x"):
        return int(text, 16) & 0xFFFFFFFF
    try:
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        pass
    raw = text.encode("ascii")
    if not 1 <= len(raw) <= 4:
        raise argparse.ArgumentTypeError("refid %r: 1-4 ASCII characters, an IPv4 address or 0xHEX" % text)
    return int.from_bytes(raw.ljust(4, b"\0"), "big")


def reply_for(req, a, offset_ns, rx):
    """The reply to one request, or None when it is not a client request."""
    if len(req) < 48:
        return None
    li_vn_mode = req[0]
    version = (li_vn_mode >> 3) & 7
    mode = li_vn_mode & 7
    if not 1 <= version <= 4:
        return None
    if not (mode == 3 or (version == 1 and mode == 0)):
        return None
    poll = struct.unpack("!b", req[2:3])[0]
    xmt = struct.unpack("!Q", req[40:48])[0]
    if a.kod:
        leap, stratum, refid = 3, 0, a.kod_value
    else:
        leap, stratum, refid = a.leap, a.stratum, a.refid_value
    ref = rx
    tx = ntp_now(offset_ns)
    return HEADER.pack((leap << 6) | (version << 3) | 4, stratum, poll, PRECISION,
                       short(ROOT_DELAY), short(ROOT_DISPERSION), refid,
                       ref, xmt, rx, tx)


def mac_arg(text):
    """--mac ID:HEX -> (id, secret): sign replies with SHA1 under key ID."""
    try:
        kid, hexkey = text.split(":", 1)
        kid, secret = int(kid), bytes.fromhex(hexkey)
    except ValueError:
        raise argparse.ArgumentTypeError("--mac %r: want ID:HEXSECRET" % text)
    if not 1 <= kid <= 0xffffffff or not secret:
        raise argparse.ArgumentTypeError("--mac %r: key ID 1..4294967295 and a secret" % text)
    return kid, secret


def sign(rep, mac):
    """RFC 5905 7.3: the reply followed by key ID and SHA1(secret || reply)."""
    kid, secret = mac
    return rep + struct.pack("!I", kid) + hashlib.sha1(secret + rep).digest()


def write_atomic(path, text):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="test NTP server with a configurable error")
    ap.add_argument("address", help="address to bind (IPv4 or IPv6)")
    ap.add_argument("--port", type=int, default=123)
    ap.add_argument("--offset", type=float, default=0.0, help="seconds added to the host clock")
    ap.add_argument("--stratum", type=int, default=1, choices=range(1, 17), metavar="1..16")
    ap.add_argument("--leap", type=int, default=0, choices=range(4), metavar="0..3")
    ap.add_argument("--refid", default="WRNG", help="4 ASCII characters, an IPv4 address or 0xHEX")
    ap.add_argument("--kod", metavar="CODE", help="answer every request with this KoD (RATE, DENY, RSTR, ...)")
    ap.add_argument("--mac", type=mac_arg, metavar="ID:HEX",
                    help="end every reply with a SHA1 MAC under this key (whatever the request had)")
    ap.add_argument("--pidfile")
    ap.add_argument("--count-file", help="keep the number of requests answered here")
    ap.add_argument("--duration", type=float, default=900.0, help="exit after this many seconds")
    a = ap.parse_args()
    try:
        a.refid_value = refid_value(a.refid)
        if a.kod is not None:
            if not (1 <= len(a.kod) <= 4 and a.kod.isascii() and a.kod.isprintable()):
                raise argparse.ArgumentTypeError("--kod %r: 1-4 ASCII characters" % a.kod)
            a.kod_value = int.from_bytes(a.kod.encode("ascii").ljust(4, b"\0"), "big")
    except (argparse.ArgumentTypeError, UnicodeError) as e:
        ap.error(str(e))
    offset_ns = int(round(a.offset * 1e9))

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    family = socket.AF_INET6 if ":" in a.address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.bind((a.address, a.port))
    except OSError as e:
        print("ntpupstream: cannot bind %s port %d: %s" % (a.address, a.port, e.strerror), file=sys.stderr)
        return 1
    sock.settimeout(0.2)            # how often the stop flag and deadline are seen
    if a.pidfile:
        write_atomic(a.pidfile, "%d\n" % os.getpid())
    answered = 0
    if a.count_file:
        write_atomic(a.count_file, "0\n")
    print("ntpupstream: %s port %d offset %+.6f s stratum %d leap %d %s" %
          (a.address, a.port, a.offset, a.stratum, a.leap,
           "KoD " + a.kod if a.kod else "refid " + a.refid), file=sys.stderr, flush=True)

    deadline = time.monotonic() + a.duration
    try:
        while not stop and time.monotonic() < deadline:
            try:
                req, peer = sock.recvfrom(1024)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            rx = ntp_now(offset_ns)
            rep = reply_for(req, a, offset_ns, rx)
            if rep is None:
                continue
            if a.mac:
                rep = sign(rep, a.mac)
            try:
                sock.sendto(rep, peer)
            except OSError:
                continue
            answered += 1
            if a.count_file:
                write_atomic(a.count_file, "%d\n" % answered)
    finally:
        sock.close()
        if a.pidfile:
            try:
                os.unlink(a.pidfile)
            except OSError:
                pass
    print("ntpupstream: %s stopping, %d requests answered" % (a.address, answered),
          file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
