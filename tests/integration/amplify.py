#!/usr/bin/python3
"""Amplification audit: send every kind of request the appliance knows, and
random ones, and compare each reply with the request it answers.

Runs inside the lt-client namespace:

  amplify.py IFACE APPLIANCE_MAC --ctl "LINETIMECTL -s SOCKET"
             [--random N] [--frames N] [--seed S] [--signing] [--time-limit S]
  -> JSON on stdout

Three phases, each with the appliance's counters read before and after
(linetimectl over the admin socket: a Unix socket path, so it is reachable
from inside the namespace):

  known   NTP modes 0-7 x versions 0-7 x tails (none, extension fields,
          MACs of 20 and 24 bytes, crypto-NAK, MS-SNTP 68/72/120, malformed),
          short packets of every mode, ARP requests, ICMP and ICMPv6 echo,
          neighbour solicitations (multicast, unicast, without a source
          link-layer option, DAD), over IPv4 and IPv6;
  random  N UDP datagrams to port 123 with random payloads (sizes 0-1400,
          biased to around 48), valid IP and UDP headers and checksums;
  frames  N random frames: random bytes after an Ethernet header, and
          valid IPv4/IPv6 headers carrying random protocols and payloads.

Every frame has a source address and port (or ICMP id/seq, or ARP sender)
of its own, so a reply names the request it answers. The sizes compared:
the UDP payload for UDP, the ICMP/ICMPv6 message for ICMP and ND, the frame
for ARP. Replies are captured on a raw AF_PACKET socket with a large buffer
(scapy's sniffer drops frames at these rates).

For the known and random phases the expected counter deltas are computed
from the payloads with the classification rules documented in
dataplane/pktproc.h and README ("Replies"): an oracle the test compares
with serverstats. Sends are paced and everything is bounded: at most
--random + --frames + about 2500 frames, and --time-limit seconds (90).
"""
import argparse
import json
import random
import socket
import struct
import subprocess
import sys
import threading
import time

from scapy.all import (ARP, ICMP, IP, Ether, ICMPv6EchoRequest, ICMPv6ND_NS,
                       ICMPv6NDOptSrcLLAddr, IPv6, Raw, get_if_hwaddr)

A4, A6 = "198.18.0.1", "2001:2::1"
NTP_PORT = 123
ETH_P_ALL = 0x0003


# --- the oracle: what the dataplane does with a well-formed UDP datagram to port 123

def tail_ok(t):
    """pktproc.c ntp_tail_ok: extension fields (RFC 7822), optionally ended
    by a MAC, crypto-NAK or MS-SNTP authenticator."""
    while t:
        n = len(t)
        if n in (4, 20, 24, 68, 72):
            return True
        if n < 16:
            return False
        flen = t[2] << 8 | t[3]
        if flen < 16 or flen & 3 or flen > n:
            return False
        t = t[flen:]
    return True


def is_mssntp(q):
    return (len(q) == 68 and q[0] & 0x3F == (3 << 3 | 3) and any(q[48:52])
            and not any(q[52:68]))


def ntp_verdict(q, signing, denied=False):
    """The one counter a datagram to port 123 lands in: under the lab's
    policy (no access rules, no rate limit), or denied=True: from a client
    an access rule denies, with kod_deny on."""
    n = len(q)
    if n >= 1 and q[0] & 7 == 6:
        return "drop_ntp_mode_control"
    if n >= 1 and q[0] & 7 == 7:
        return "drop_ntp_mode_private"
    if n < 48:
        return "drop_ntp_short"
    version, mode = (q[0] >> 3) & 7, q[0] & 7
    if version == 0 or version > 4:
        return "drop_ntp_version"
    if mode in (1, 2, 4):
        # A datagram too large for a ring message (LT_MSG_PAYLOAD_MAX) is
        # not punted; worker.c counts it under drop_punt_full today.
        return "punted" if n <= 1024 else "drop_punt_full"
    if mode in (0, 5):
        return "drop_ntp_mode_other"
    if n == 120 and version == 3:
        return "drop_mssntp_extended"
    if not tail_ok(q[48:]):
        return "drop_ntp_ext"
    if is_mssntp(q):
        # Signed time is never refused with a KoD: a denied request is dropped.
        return "drop_acl_deny" if denied else "mssntp_punted" if signing else "drop_mssntp_off"
    if denied:
        return "kod_deny_sent"
    # ntp_mac.c ntp_mac_find: a remainder of 20 or 24 bytes after the
    # extension fields is a MAC. The lab has no keyfile, so every MAC names
    # a key it lacks: a crypto-NAK (crypto_nak is on by default).
    return "crypto_nak_unknown_key" if mac_offset(q) else "ntp_replies"


def mac_offset(q):
    """Where a MAC starts (RFC 7822 7.5), or 0."""
    off = 48
    while off < len(q):
        left = len(q) - off
        if left in (20, 24):
            return off
        if left < 16:
            return 0
        flen = q[off + 2] << 8 | q[off + 3]
        if flen < 16 or flen & 3 or flen > left:
            return 0
        off += flen
    return 0


# --- frames and the keys that tie a reply to its request

def ip4(s):
    return socket.inet_aton(s)


def ip6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype):
    return dst + src + struct.pack("!H", etype)


def ipv4_hdr(src, dst, proto, plen, ident=0):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + plen, ident, 0, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def ipv6_hdr(src, dst, nh, plen, hlim=64):
    return struct.pack("!IHBB16s16s", 6 << 28, plen, nh, hlim, src, dst)


def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xFFFF
    return ipv4_hdr(src, dst, 17, len(u)) + u[:6] + struct.pack("!H", c) + u[8:]


def l4_6(src, dst, nh, body, csum_off, hlim=64):
    c = csum(src + dst + struct.pack("!IxxxB", len(body), nh) + body)
    if nh == 17 and c == 0:
        c = 0xFFFF
    body = body[:csum_off] + struct.pack("!H", c) + body[csum_off + 2:]
    return ipv6_hdr(src, dst, nh, len(body), hlim) + body


def udp6(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return l4_6(src, dst, 17, u, 6)


def parse(frame):
    """(key, size, ntp_mode) of a frame as a request or a reply, from the
    bytes alone. key None: nothing a reply could be matched by."""
    if len(frame) < 14:
        return None, 0, None
    et = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if et == 0x0806 and len(p) >= 28:
        op = struct.unpack("!H", p[6:8])[0]
        # Request: key by its sender; reply: by its target (the requester).
        who = p[14:18] if op == 1 else p[24:28]
        return ("arp", bytes(who)), len(frame), None
    if et == 0x0800 and len(p) >= 20 and p[0] >> 4 == 4:
        ihl = (p[0] & 15) * 4
        total = struct.unpack("!H", p[2:4])[0]
        proto, src, dst = p[9], p[12:16], p[16:20]
        l4 = p[ihl:total]
        if proto == 17 and len(l4) >= 8:
            sport, dport, ulen = struct.unpack("!HHH", l4[:6])
            pay = l4[8:ulen] if 8 <= ulen <= len(l4) else b""
            mode = pay[0] & 7 if pay and NTP_PORT in (sport, dport) else None
            if dport == NTP_PORT and sport != NTP_PORT:
                return ("udp4", bytes(src), sport), max(ulen - 8, 0), mode
            return ("udp4", bytes(dst), dport), max(ulen - 8, 0), mode
        if proto == 1 and len(l4) >= 8 and l4[0] in (0, 8):
            ident, seq = struct.unpack("!HH", l4[4:8])
            who = src if l4[0] == 8 else dst
            return ("icmp4", bytes(who), ident, seq), len(l4), None
        return None, 0, None
    if et == 0x86DD and len(p) >= 40 and p[0] >> 4 == 6:
        plen, nh = struct.unpack("!HB", p[4:7])
        src, dst = p[8:24], p[24:40]
        l4 = p[40:40 + plen]
        if nh == 17 and len(l4) >= 8:
            sport, dport, ulen = struct.unpack("!HHH", l4[:6])
            pay = l4[8:ulen] if 8 <= ulen <= len(l4) else b""
            mode = pay[0] & 7 if pay and NTP_PORT in (sport, dport) else None
            if dport == NTP_PORT and sport != NTP_PORT:
                return ("udp6", bytes(src), sport), max(ulen - 8, 0), mode
            return ("udp6", bytes(dst), dport), max(ulen - 8, 0), mode
        if nh == 58 and len(l4) >= 8:
            t = l4[0]
            if t in (128, 129):
                ident, seq = struct.unpack("!HH", l4[4:8])
                return ("icmp6", bytes(src if t == 128 else dst), ident, seq), len(l4), None
            if t in (135, 136) and len(l4) >= 24:
                target = bytes(l4[8:24])
                if t == 135:
                    return ("nd", bytes(src), target), len(l4), None
                # A DAD probe (from ::) is answered to all-nodes.
                peer = bytes(16) if dst == ip6("ff02::1") else bytes(dst)
                return ("nd", peer, target), len(l4), None
        return None, 0, None
    return None, 0, None


class Capture:
    """Every frame the appliance sends, on a raw socket with a big buffer."""

    def __init__(self, iface, amac):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        try:
            self.s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)  # SO_RCVBUFFORCE
        except OSError:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
        self.s.bind((iface, ETH_P_ALL))
        self.s.settimeout(0.1)
        self.amac = amac
        self.frames = []
        self.last = time.monotonic()
        self.done = threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.done.is_set():
            try:
                f, addr = self.s.recvfrom(65535)
            except socket.timeout:
                continue
            # addr[2]: PACKET_OUTGOING (4) is our own transmission.
            if addr[2] != 4 and f[6:12] == self.amac:
                self.frames.append(f)
                self.last = time.monotonic()

    def take(self):
        out, self.frames = self.frames, []
        return out

    def quiet(self, idle=0.7, limit=5.0):
        """Wait until nothing has arrived for idle s (at most limit s)."""
        end = time.monotonic() + limit
        while time.monotonic() < end and time.monotonic() - self.last < idle:
            time.sleep(0.05)

    def stop(self):
        self.done.set()
        self.t.join()
        self.s.close()


def counters(ctl):
    out = subprocess.run(ctl + ["--json", "serverstats"], capture_output=True, timeout=20, check=True)
    j = json.loads(out.stdout)
    c = dict(j["counters"])
    c["_punt_udp"] = j.get("control", {}).get("punt_udp", 0)
    return c


def signd_counts(ctl):
    out = subprocess.run(ctl + ["--json", "signd"], capture_output=True, timeout=20)
    if out.returncode != 0:
        return {}
    j = json.loads(out.stdout)
    return {"signed": j.get("signed", 0), "sent": j.get("sent", 0), "submitted": j.get("submitted", 0)}


class Phase:
    def __init__(self, name):
        self.name = name
        self.frames = []        # (frame, kind)
        self.expect = {}

    def add(self, frame, kind, counter=None):
        self.frames.append((frame, kind))
        if counter:
            self.expect[counter] = self.expect.get(counter, 0) + 1


def build_known(cmac, amac, c4, c6, signing, denied, rnd, name="known"):
    ph = Phase(name)
    e4 = eth(amac, cmac, 0x0800)
    e6 = eth(amac, cmac, 0x86DD)
    ports = iter(range(1024, 65000))

    def ntp_req(first, tail, xmt=None):
        return bytes([first]) + bytes(39) + (xmt or rnd.randbytes(8)) + tail

    def ef(length, ftype=0x0104):
        return struct.pack("!HH", ftype, length) + rnd.randbytes(length - 4)

    keyid = lambda: struct.pack("<I", rnd.randrange(1, 1 << 31))
    tails = [
        ("bare", b""),
        ("mac20", keyid() + rnd.randbytes(16)),
        ("mac24", keyid() + rnd.randbytes(20)),
        ("crypto_nak", bytes(4)),
        ("ef16", ef(16)),
        ("ef16_ef28", ef(16) + ef(28)),
        ("ef16_mac20", ef(16) + keyid() + rnd.randbytes(16)),
        ("ef16_mac24", ef(16) + keyid() + rnd.randbytes(20)),
        ("ef1000", ef(1000)),
        ("mssntp68", keyid() + bytes(16)),
        ("mssntp72", keyid() + bytes(20)),
        ("mssntp120", keyid() + bytes(68)),
        ("bad_tail8", rnd.randbytes(8)),
        ("bad_ef_len", b"\x01\x04\x00\x40" + bytes(12)),
    ]
    for fam in (4, 6):
        for version in range(8):
            for mode in range(8):
                for tname, tail in tails:
                    for leap in ((0,) if tname != "bare" else (0, 3)):
                        q = ntp_req(leap << 6 | version << 3 | mode, tail)
                        kind = "ntp_v%d_mode%d_%s" % (version, mode, tname)
                        f = (e4 + udp4(c4, ip4(A4), next(ports), NTP_PORT, q) if fam == 4 else
                             e6 + udp6(c6, ip6(A6), next(ports), NTP_PORT, q))
                        ph.add(f, kind, ntp_verdict(q, signing, denied))
        # Short packets of every mode, v4 and v3 (ntpq/ntpdc requests are 12/8 bytes).
        for mode in range(8):
            for n in (0, 1, 2, 4, 8, 12, 16, 24, 32, 40, 47):
                q = (bytes([3 << 3 | mode]) + rnd.randbytes(47))[:n]
                f = (e4 + udp4(c4, ip4(A4), next(ports), NTP_PORT, q) if fam == 4 else
                     e6 + udp6(c6, ip6(A6), next(ports), NTP_PORT, q))
                ph.add(f, "short_mode%d" % mode, ntp_verdict(q, signing, denied))
        # A monlist request (mode 7, implementation 3, request 42): the classic amplifier.
        q = bytes([0x17, 0x00, 0x03, 0x2A]) + bytes(4)
        f = (e4 + udp4(c4, ip4(A4), next(ports), NTP_PORT, q) if fam == 4 else
             e6 + udp6(c6, ip6(A6), next(ports), NTP_PORT, q))
        ph.add(f, "monlist", ntp_verdict(q, signing, denied))
        # ntpq's READVAR (mode 6, opcode 2), 12 bytes.
        q = bytes([0x16, 0x02, 0x00, 0x01]) + bytes(8)
        f = (e4 + udp4(c4, ip4(A4), next(ports), NTP_PORT, q) if fam == 4 else
             e6 + udp6(c6, ip6(A6), next(ports), NTP_PORT, q))
        ph.add(f, "readvar", ntp_verdict(q, signing, denied))

    # ICMP and ICMPv6 echo, small to large.
    for i, n in enumerate((0, 8, 56, 200, 1000, 1400)):
        data = rnd.randbytes(n)
        ph.add(bytes(Ether(src=cmac, dst=amac) / IP(src=socket.inet_ntoa(c4), dst=A4) /
                     ICMP(type=8, id=0x5A00 + i, seq=i) / Raw(data)), "icmp_echo", "icmp_echo_replies")
        ph.add(bytes(Ether(src=cmac, dst=amac) / IPv6(src=socket.inet_ntop(socket.AF_INET6, c6), dst=A6) /
                     ICMPv6EchoRequest(id=0x5A00 + i, seq=i, data=data)), "icmp6_echo", "icmp_echo_replies")
    # ARP: each from a sender address of its own (broadcast and unicast,
    # and one with trailing padding to the Ethernet minimum).
    for i in range(8):
        spa = "198.18.0.%d" % (200 + i)
        a = Ether(src=cmac, dst="ff:ff:ff:ff:ff:ff" if i % 2 else mac_str(amac)) / \
            ARP(op=1, hwsrc=mac_str(cmac), psrc=spa, pdst=A4)
        raw = bytes(a) + (bytes(18) if i == 7 else b"")
        ph.add(raw, "arp_request", "arp_replies")
    # Neighbour solicitations for our address, each from an address of its own.
    cm = mac_str(cmac)
    for i in range(4):
        src = "2001:2::%x" % (0x300 + i)
        ph.add(bytes(Ether(src=cmac, dst="33:33:ff:00:00:01") /
                     IPv6(src=src, dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt=A6) /
                     ICMPv6NDOptSrcLLAddr(lladdr=cm)), "nd_ns_multicast", "nd_adverts")
        src = "2001:2::%x" % (0x310 + i)
        ph.add(bytes(Ether(src=cmac, dst=amac) / IPv6(src=src, dst=A6, hlim=255) /
                     ICMPv6ND_NS(tgt=A6) / ICMPv6NDOptSrcLLAddr(lladdr=cm)), "nd_ns_unicast", "nd_adverts")
    # Without a source link-layer option: legal (RFC 4861 7.2.2 says SHOULD).
    ph.add(bytes(Ether(src=cmac, dst=amac) / IPv6(src="2001:2::320", dst=A6, hlim=255) /
                 ICMPv6ND_NS(tgt=A6)), "nd_ns_unicast_no_slla", "nd_adverts")
    ph.add(bytes(Ether(src=cmac, dst="33:33:ff:00:00:01") /
                 IPv6(src="2001:2::321", dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt=A6)),
           "nd_ns_multicast_no_slla", "nd_adverts")
    # Duplicate address detection for our address: answered to all-nodes.
    ph.add(bytes(Ether(src=cmac, dst="33:33:ff:00:00:01") /
                 IPv6(src="::", dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt=A6)),
           "nd_ns_dad", "nd_adverts")
    return ph


def build_random(cmac, amac, n, signing, rnd):
    """n datagrams to port 123, alternately IPv4 and IPv6, each from a source
    of its own (198.18.64.0/18, 2001:2::1:0/112)."""
    ph = Phase("random")
    e4 = eth(amac, cmac, 0x0800)
    e6 = eth(amac, cmac, 0x86DD)
    for i in range(n):
        r = rnd.random()
        if r < 0.35:
            size = 48
        elif r < 0.75:
            size = rnd.choice((20, 24, 4, 68, 72, 120, 16, 28, 32)) + 48 if rnd.random() < 0.6 \
                else rnd.randrange(40, 130)
        else:
            size = rnd.randrange(0, 1401)
        q = bytearray(rnd.randbytes(size))
        if q and rnd.random() < 0.5:
            # Often a plausible first byte, so more get past the version check.
            q[0] = rnd.randrange(4) << 6 | rnd.randrange(1, 5) << 3 | rnd.randrange(8)
        q = bytes(q)
        sport = 1024 + i // 2
        if i % 2 == 0:
            src = ip4("198.18.%d.%d" % (64 + (i // 2) // 250, (i // 2) % 250 + 1))
            f = e4 + udp4(src, ip4(A4), sport, NTP_PORT, q)
        else:
            src = ip6("2001:2::1:%x" % (i // 2))
            f = e6 + udp6(src, ip6(A6), sport, NTP_PORT, q)
        ph.add(f, "random_udp%d" % (4 if i % 2 == 0 else 6), ntp_verdict(q, signing))
    return ph


def build_frames(cmac, amac, n, rnd):
    """n random frames; no oracle for these, only the reply rule."""
    ph = Phase("frames")
    for i in range(n):
        r = rnd.random()
        dst = amac if rnd.random() < 0.9 else b"\xff" * 6
        s4 = ip4("198.19.%d.%d" % (i // 250, i % 250 + 1))
        s6 = ip6("2001:2::2:%x" % i)
        if r < 0.25:
            et = rnd.choice((0x0800, 0x86DD, 0x0806, rnd.randrange(0x10000)))
            f = eth(dst, cmac, et) + rnd.randbytes(rnd.randrange(0, 1500))
            kind = "random_bytes"
        elif r < 0.55:
            proto = rnd.choice((1, 6, 17, 17, rnd.randrange(256)))
            body = bytearray(rnd.randbytes(rnd.randrange(0, 600)))
            if proto == 1 and len(body) >= 8:
                body[0] = rnd.choice((8, 8, 0, 13, rnd.randrange(256)))
                body[1] = rnd.choice((0, 0, rnd.randrange(256)))
                body[2:4] = b"\0\0"
                body[2:4] = struct.pack("!H", csum(bytes(body)))
            if proto == 17 and len(body) >= 8:
                body[0:2] = struct.pack("!H", 1024 + i)
                body[2:4] = struct.pack("!H", rnd.choice((NTP_PORT, NTP_PORT, rnd.randrange(65536))))
                body[4:6] = struct.pack("!H", rnd.choice((len(body), rnd.randrange(65536))))
                body[6:8] = b"\0\0"
            f = eth(dst, cmac, 0x0800) + ipv4_hdr(s4, ip4(A4), proto, len(body), i & 0xFFFF) + bytes(body)
            kind = "random_ipv4"
        elif r < 0.85:
            nh = rnd.choice((58, 58, 17, 0, 43, 44, 60, rnd.randrange(256)))
            body = bytearray(rnd.randbytes(rnd.randrange(8, 600)))
            hlim = 64
            if nh == 58:
                body[0] = rnd.choice((128, 135, 136, 133, 134, rnd.randrange(256)))
                body[1] = rnd.choice((0, 0, rnd.randrange(256)))
                if body[0] == 135 and len(body) >= 24:
                    body[8:24] = ip6(A6)
                    hlim = 255
                f = eth(dst, cmac, 0x86DD) + l4_6(s6, ip6(A6), 58, bytes(body), 2, hlim)
            elif nh == 17:
                body[0:2] = struct.pack("!H", 1024 + i)
                body[2:4] = struct.pack("!H", NTP_PORT)
                body[4:6] = struct.pack("!H", len(body))
                f = eth(dst, cmac, 0x86DD) + l4_6(s6, ip6(A6), 17, bytes(body), 6)
            else:
                f = eth(dst, cmac, 0x86DD) + ipv6_hdr(s6, ip6(A6), nh, len(body)) + bytes(body)
            kind = "random_ipv6"
        else:
            body = bytearray(rnd.randbytes(28))
            body[0:6] = rnd.choice((bytes.fromhex("000108000604"), bytes(body[0:6])))
            body[6:8] = struct.pack("!H", rnd.choice((1, 2, rnd.randrange(65536))))
            body[8:14] = cmac
            body[14:18] = ip4("198.19.%d.%d" % (200 + i // 250, i % 250 + 1)) if rnd.random() < 0.5 \
                else bytes(body[14:18])
            body[24:28] = ip4(A4) if rnd.random() < 0.7 else bytes(body[24:28])
            f = eth(dst, cmac, 0x0806) + bytes(body)
            kind = "random_arp"
        ph.add(f, kind)
    return ph


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def run_phase(ph, sock, cap, ctl, signing, deadline):
    before = counters(ctl)
    sd0 = signd_counts(ctl) if signing else {}
    reqs = {}
    dup = 0
    for f, kind in ph.frames:
        key, size, mode = parse(f)
        if key is None:
            continue
        if key in reqs:
            dup += 1
            # Ambiguous: hold the reply to the smaller of the two.
            if size < reqs[key][0]:
                reqs[key] = (size, kind, mode)
        else:
            reqs[key] = (size, kind, mode)
    sent = 0
    for i, (f, _) in enumerate(ph.frames):
        if time.monotonic() > deadline:
            break
        sock.send(f)
        sent += 1
        if i % 64 == 63:
            time.sleep(0.004)  # pace: the lab's af_packet rings are 512 frames
    cap.quiet()
    replies = cap.take()
    after = counters(ctl)
    sd1 = signd_counts(ctl) if signing else {}

    res = {"sent": sent, "frames": len(ph.frames), "duplicate_keys": dup, "replies": len(replies),
           "matched": 0, "unmatched": 0, "larger": 0, "grown_nd_no_slla": 0, "equal": 0,
           "mode67_replies": 0, "ntp48_replies": 0, "signed68_replies": 0,
           "examples": [], "by_kind": {}, "expect": ph.expect}
    seen = set()
    for r in replies:
        key, size, mode = parse(r)
        if key is None or key not in reqs:
            res["unmatched"] += 1
            if len(res["examples"]) < 10:
                res["examples"].append({"unmatched": r[:80].hex()})
            continue
        res["matched"] += 1
        rsize, kind, rmode = reqs[key]
        bk = res["by_kind"].setdefault(kind, {"replies": 0, "max_reply": 0, "max_request": 0})
        bk["replies"] += 1
        bk["max_reply"] = max(bk["max_reply"], size)
        bk["max_request"] = max(bk["max_request"], rsize)
        if key in seen:
            res.setdefault("second_replies", 0)
            res["second_replies"] += 1
            if len(res["examples"]) < 10:
                res["examples"].append({"second_reply": kind, "key": repr(key)})
        seen.add(key)
        if rmode in (6, 7):
            res["mode67_replies"] += 1
        if key[0] in ("udp4", "udp6"):
            if size == 48:
                res["ntp48_replies"] += 1
            elif size == 68:
                res["signed68_replies"] += 1
        if size > rsize:
            # RFC 4861 7.2.4: an advert answering a multicast solicitation
            # carries our link-layer address (8 bytes) even when the
            # solicitation carried none. Counted apart, and bounded by the test.
            if kind.startswith("nd_ns") and "slla" in kind or kind == "nd_ns_dad":
                res["grown_nd_no_slla"] += 1
                bk["grown_by"] = size - rsize
            else:
                res["larger"] += 1
                if len(res["examples"]) < 10:
                    res["examples"].append({"kind": kind, "request": rsize, "reply": size})
        elif size == rsize:
            res["equal"] += 1
    # Kinds sent, for the record.
    sent_kinds = {}
    for _, kind in ph.frames[:sent]:
        sent_kinds[kind.split("_mode")[0] if kind.startswith("ntp_v") else kind] = \
            sent_kinds.get(kind.split("_mode")[0] if kind.startswith("ntp_v") else kind, 0) + 1
    res["sent_kinds"] = sent_kinds
    res["delta"] = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    if signing:
        res["signd_delta"] = {k: sd1.get(k, 0) - sd0.get(k, 0) for k in sd1}
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("amac")
    ap.add_argument("--ctl", required=True, help="linetimectl command line, e.g. 'linetimectl -s SOCK'")
    ap.add_argument("--random", type=int, default=3000)
    ap.add_argument("--frames", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--signing", action="store_true", help="ntpsigndsocket is set and a signer answers")
    ap.add_argument("--time-limit", type=float, default=90)
    ap.add_argument("--phases", default="known,random,frames")
    ap.add_argument("--deny-kod", action="store_true",
                    help="the client addresses are denied, with kod_deny on: run known as 'denied'")
    a = ap.parse_args()
    deadline = time.monotonic() + a.time_limit
    rnd = random.Random(a.seed)
    ctl = a.ctl.split()
    amac = bytes.fromhex(a.amac.replace(":", ""))
    cmac = bytes.fromhex(get_if_hwaddr(a.iface).replace(":", ""))
    # Sources the client kernel does not own: it stays silent about the
    # replies (no port unreachable, no RST), so the appliance sees only ours.
    c4, c6 = ip4("198.18.0.100"), ip6("2001:2::100")

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((a.iface, 0))
    cap = Capture(a.iface, amac)
    time.sleep(0.2)
    out = {"seed": a.seed}
    t0 = time.monotonic()
    builders = {
        "known": lambda: build_known(cmac, amac, c4, c6, a.signing, a.deny_kod, rnd,
                                     "denied" if a.deny_kod else "known"),
        "random": lambda: build_random(cmac, amac, min(a.random, 20000), a.signing, rnd),
        "frames": lambda: build_frames(cmac, amac, min(a.frames, 20000), rnd),
    }
    for name in a.phases.split(","):
        ph = builders[name]()
        out[ph.name] = run_phase(ph, sock, cap, ctl, a.signing, deadline)
    cap.stop()
    out["seconds"] = round(time.monotonic() - t0, 1)
    out["timed_out"] = time.monotonic() > deadline
    json.dump(out, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
