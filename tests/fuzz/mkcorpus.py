#!/usr/bin/env python3
"""Write the seed corpora of the fuzz harnesses (tests/fuzz/corpus/HARNESS/).

    tests/fuzz/mkcorpus.py [HARNESS...]     (from the top of the tree)

Seeds are real inputs: frames of the reference captures in
tests/data/captures (requests re-addressed to the harness's MAC), the lab
and example configurations, admin requests as docs/ADMIN-PROTOCOL.md shows
them, signd exchanges shaped as the unit tests shape them, upstream replies
from the captures, and the chrony.conf fixtures. A few frames the captures
lack (ARP, ND, ICMP, NTP modes 6 and 7) are built here with their checksums.
Each corpus is rewritten whole; regression inputs (regress-*) are kept.
No third-party module: pcap and packets are plain struct work.
"""
import glob
import hashlib
import os
import shutil
import struct
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(TOP, "tests", "fuzz", "corpus")
CAPS = os.path.join(TOP, "tests", "data", "captures")

OUR_MAC = bytes.fromhex("021122334455")
PEER_MAC = bytes.fromhex("525400abcdef")
OUR4 = bytes([198, 18, 0, 1])
PEER4 = bytes([198, 18, 0, 2])
OUR6 = bytes.fromhex("20010002000000000000000000000001")
PEER6 = bytes.fromhex("20010002000000000000000000000002")


def pcap_frames(name):
    """Frames of a classic little- or big-endian pcap file."""
    with open(os.path.join(CAPS, name), "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ttl=64, frag=0x4000, options=b""):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 4 * ihl + len(payload), 0, frag, ttl,
                      proto, 0, src, dst) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(u)) + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim) + src + dst + payload


def l4_6(src, dst, nh, seg, csum_off):
    c = csum(src + dst + struct.pack("!IxxxB", len(seg), nh) + seg)
    return seg[:csum_off] + struct.pack("!H", c) + seg[csum_off + 2:]


def ntp(mode=3, version=4, tail=b"", tx=0xEEAC95C8818A0800):
    return struct.pack("!BBbbIII", version << 3 | mode, 0, 6, -20, 0, 0, 0) + \
        b"\0" * 24 + struct.pack("!Q", tx) + tail


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset(harness):
    d = os.path.join(OUT, harness)
    if os.path.isdir(d):
        for f in os.listdir(d):
            if not f.startswith("regress-"):
                os.remove(os.path.join(d, f))


# --- pktproc: two context bytes, then a frame ----------------------------

def pktproc():
    h = "pktproc"
    reset(h)
    n = 0
    # Every client request of the captures, to our MAC, in a few contexts.
    # Captured on a veth with checksum offload: the harness fixes the checksums (0x80).
    ctxs = [(0x80, 0x00), (0xBF, 0x03), (0x87, 0x31), (0x9D, 0xC2)]
    for cap in ("clients-vs-chronyd.pcap", "mssntp-chronyd-samba.pcap"):
        for i, fr in enumerate(pcap_frames(cap)):
            if len(fr) < 14 + 20:
                continue
            et = struct.unpack("!H", fr[12:14])[0]
            dst_is_server = (et == 0x0800 and fr[30:34] == OUR4) or \
                (et == 0x86DD and fr[38:54] == OUR6)
            if not dst_is_server:
                continue
            flags, opts = ctxs[n % len(ctxs)]
            write(h, "%s-%02d" % (cap.split("-")[0], i + 1),
                  bytes([flags, opts]) + OUR_MAC + fr[6:])
            n += 1

    def frame(name, fr, flags=0x20, opts=0):
        write(h, name, bytes([flags, opts]) + fr)

    bcast = b"\xff" * 6
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, PEER4, b"\0" * 6, OUR4)
    frame("arp-request", eth(bcast, PEER_MAC, 0x0806, arp))
    arp_probe = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PEER_MAC, b"\0" * 4, b"\0" * 6, OUR4)
    frame("arp-probe", eth(bcast, PEER_MAC, 0x0806, arp_probe))
    arp_reply = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, PEER_MAC, PEER4, OUR_MAC, OUR4)
    frame("arp-reply", eth(OUR_MAC, PEER_MAC, 0x0806, arp_reply))

    echo = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"linetime ping"
    echo = echo[:2] + struct.pack("!H", csum(echo)) + echo[4:]
    frame("icmp-echo", eth(OUR_MAC, PEER_MAC, 0x0800, ipv4(PEER4, OUR4, 1, echo)))

    echo6 = struct.pack("!BBHHH", 128, 0, 0, 0x1234, 1) + b"linetime ping6"
    frame("icmp6-echo", eth(OUR_MAC, PEER_MAC, 0x86DD,
                            ipv6(PEER6, OUR6, 58, l4_6(PEER6, OUR6, 58, echo6, 2))))

    sn = bytes.fromhex("ff0200000000000000000001ff000001")
    sn_mac = bytes.fromhex("3333ff000001")
    ns = struct.pack("!BBHI16s", 135, 0, 0, 0, OUR6) + struct.pack("!BB6s", 1, 1, PEER_MAC)
    frame("nd-solicit", eth(sn_mac, PEER_MAC, 0x86DD,
                            ipv6(PEER6, sn, 58, l4_6(PEER6, sn, 58, ns, 2), hlim=255)))
    unspec = b"\0" * 16
    dad = struct.pack("!BBHI16s", 135, 0, 0, 0, OUR6)
    frame("nd-dad", eth(sn_mac, PEER_MAC, 0x86DD,
                        ipv6(unspec, sn, 58, l4_6(unspec, sn, 58, dad, 2), hlim=255)))
    na = struct.pack("!BBHI16s", 136, 0, 0, 0x60000000, PEER6) + struct.pack("!BB6s", 2, 1, PEER_MAC)
    frame("nd-advert", eth(OUR_MAC, PEER_MAC, 0x86DD,
                           ipv6(PEER6, OUR6, 58, l4_6(PEER6, OUR6, 58, na, 2), hlim=255)))

    def ntp4(name, payload, flags=0x00, opts=0):
        frame(name, eth(OUR_MAC, PEER_MAC, 0x0800,
                        ipv4(PEER4, OUR4, 17, udp4(PEER4, OUR4, 40123, 123, payload))), flags, opts)

    ntp4("ntp-mode6", struct.pack("!BBHHHHH", 0x16, 2, 1, 0, 0, 0, 0))
    ntp4("ntp-mode7", struct.pack("!BBBB", 0x17, 0, 3, 42) + b"\0" * 4)
    ntp4("ntp-server-reply", ntp(mode=4))
    ntp4("ntp-v3-mac20", ntp(version=3, tail=struct.pack("!I", 7) + bytes(range(16))))
    ntp4("ntp-extfield", ntp(tail=struct.pack("!HH", 0x0104, 16) + b"\0" * 12 +
                             struct.pack("!I", 9) + bytes(16)), flags=0x80)
    ntp4("ntp-ratelimited", ntp(), flags=0x0F, opts=0x03)
    mssntp = ntp(version=3, tail=struct.pack("<I", 1103) + b"\0" * 16)
    ntp4("mssntp-on", mssntp, flags=0x14)
    frame("ipv4-options", eth(OUR_MAC, PEER_MAC, 0x0800,
                              ipv4(PEER4, OUR4, 17, udp4(PEER4, OUR4, 40123, 123, ntp()),
                                   options=b"\x01\x01\x01\x00")))
    frame("ipv4-fragment", eth(OUR_MAC, PEER_MAC, 0x0800,
                               ipv4(PEER4, OUR4, 17, udp4(PEER4, OUR4, 40123, 123, ntp()),
                                    frag=0x2000)))


# --- config: linetime.conf text -------------------------------------------

def config_dict():
    """tests/fuzz/config.dict: every setting name and choice config.c knows."""
    import re
    with open(os.path.join(TOP, "platform", "config.c")) as f:
        src = f.read()
    names = {"allow", "deny", "all", "true", "false"}
    for m in re.finditer(r"static const char \*const \w+_names\[\] = \{(.*?)\};", src, re.S):
        names.update(re.findall(r'"([a-z_0-9]+)"', m.group(1)))
    for m in re.finditer(r"static const struct choice \w+\[\] = \{(.*?)\};", src, re.S):
        names.update(re.findall(r'\{ "([a-z_]+)"', m.group(1)))
    syntax = [("eq", " = "), ("colon", ": "), ("semi", ";"), ("lbrace", "{"), ("rbrace", "}"),
              ("lbrack", "["), ("rbrack", "]"), ("lparen", "("), ("rparen", ")"), ("comma", ","),
              ("quote", '\\"'), ("comment", "# "), ("ccomment", "/* */"), ("cppcomment", "// "),
              ("hex", "0x"), ("long", "L"), ("float", "1.5e-3"), ("neg", "-1"),
              ("big", "4294971392"), ("ip4", '\\"198.18.0.1/24\\"'),
              ("ip6", '\\"2001:2::1/64\\"'), ("listen6", '\\"[::1]:9123\\"'),
              ("listen4", '\\"127.0.0.1:9123\\"'), ("path", '\\"/run/linetime/x\\"'),
              ("nl", "\\x0a")]
    lines = ["# linetime.conf keywords and libconfig syntax for fuzz_config (-dict=).",
             "# Written by tests/fuzz/mkcorpus.py config from platform/config.c."]
    lines += ['kw_%s="%s"' % (n, n) for n in sorted(names)]
    lines += ['syn_%s="%s"' % kv for kv in syntax]
    with open(os.path.join(TOP, "tests", "fuzz", "config.dict"), "w") as f:
        f.write("\n".join(lines) + "\n")


def config():
    h = "config"
    reset(h)
    for name, path in (("lab", "board/lab/linetime.conf"),
                       ("example", "etc/linetime.conf.example")):
        with open(os.path.join(TOP, path), "rb") as f:
            write(h, name, f.read())
    # The configuration snippets of docs/CONFIG.md (not its error examples).
    with open(os.path.join(TOP, "docs", "CONFIG.md")) as f:
        blocks, cur = [], None
        for line in f:
            if line.startswith("```"):
                if cur is not None:
                    blocks.append("".join(cur))
                cur = None if cur is not None else []
            elif cur is not None:
                cur.append(line)
    n = 0
    for b in blocks:
        if " = " in b and not b.lstrip().startswith(("linetime.conf:", "/etc/")):
            n += 1
            write(h, "doc-%02d" % n, b.encode())
    # First lines are also tried as access rules and listen addresses.
    write(h, "rules", b"allow 198.18/16\ndeny all 2001:2::/48\n[2001:2::1]:9123\n127.0.0.1:9123\n")
    config_dict()


# --- admin: request and response lines -----------------------------------

def admin_lines():
    """Requests and responses as docs/ADMIN-PROTOCOL.md shows them."""
    import json
    import re
    with open(os.path.join(TOP, "docs", "ADMIN-PROTOCOL.md")) as f:
        doc = f.read()
    reqs = [l for l in doc.splitlines() if l.startswith('{"v":1,"cmd"')]
    # Every command heading, with the Args example of its section if any.
    for m in re.finditer(r"^### `([a-z_]+)` \((?:read|write)\)\n(.*?)(?=^##)", doc, re.S | re.M):
        cmd, body = m.group(1), m.group(2)
        args = re.search(r"Args: `(\{.*?\})`", body, re.S)
        req = {"v": 1, "cmd": cmd}
        if args:
            try:
                req["args"] = json.loads(args.group(1).replace("\n", " "))
            except ValueError:
                pass
        reqs.append(json.dumps(req, separators=(",", ":")))
    resps = [l for l in doc.splitlines() if l.startswith('{"v":1,"ok"')]
    for block in re.findall(r"```json\n(.*?)```", doc, re.S):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        resps.append(json.dumps({"v": 1, "ok": True, "data": data}, separators=(",", ":")))
    resps.append('{"v":1,"ok":false,"error":"unknown command \'foo\'"}')
    return list(dict.fromkeys(reqs)), list(dict.fromkeys(resps))


def admin_proto():
    h = "admin_proto"
    reset(h)
    reqs, resps = admin_lines()
    for i, r in enumerate(reqs):
        write(h, "req-%02d" % i, (r + "\n").encode())
    for i, r in enumerate(resps[:12]):
        write(h, "resp-%02d" % i, (r + "\n").encode())
    write(h, "req-unicode", '{"v":1,"cmd":"delete_source","args":{"address":"\u00e9t\u00e9.example"}}\n'.encode())


def admin_server():
    h = "admin_server"
    reset(h)
    reqs, _ = admin_lines()
    # A chunk byte, then a conversation: pipelined lines, a blank one, the
    # harness's own echo and lookup, a last line without its newline.
    conv = "\n".join(reqs[:6]) + "\n\n" + \
        '{"v":1,"cmd":"echo","args":{"a":[1,2.5,"x",null,true]}}\n' + \
        '{"v":1,"cmd":"lookup","args":{"address":"ntp1.example.net"}}\n' + \
        '{"v":1,"cmd":"version"}'
    write(h, "conversation", bytes([31]) + conv.encode())
    write(h, "one-by-one", bytes([0]) + b'{"v":1,"cmd":"help"}\r\n')
    write(h, "bad-lines", bytes([255]) + b'{"v":2,"cmd":"help"}\n[1]\n{"v":1,"cmd":"x","extra":1}\n'
          b'{"v":1,"cmd":"nosuch"}\n')
    write(h, "too-long", bytes([200]) + b'{"v":1,"cmd":"echo","args":{"s":"' + b"a" * 4100 + b'"}}\n'
          b'{"v":1,"cmd":"help"}\n')
    write(h, "admin-dict-words", bytes([7]) + b'{"v":1,"cmd":"add_server","args":{"address":"198.18.0.11",'
          b'"iburst":true,"minpoll":4}}\n')


def admin_dict():
    """tests/fuzz/admin.dict: JSON and the protocol's words."""
    reqs, resps = admin_lines()
    import re
    words = set(re.findall(r'"([a-z_]+)"', " ".join(reqs + resps)))
    lines = ["# JSON and admin protocol words for fuzz_admin_proto and fuzz_admin_server (-dict=).",
             "# Written by tests/fuzz/mkcorpus.py admin_proto from docs/ADMIN-PROTOCOL.md."]
    lines += ['w_%s="\\"%s\\""' % (w, w) for w in sorted(words)]
    for k, v in [("lbrace", "{"), ("rbrace", "}"), ("lbrack", "["), ("rbrack", "]"),
                 ("colon", ":"), ("comma", ","), ("true", "true"), ("false", "false"),
                 ("null", "null"), ("nl", "\\x0a"), ("crlf", "\\x0d\\x0a"),
                 ("uesc", "\\\\u00e9"), ("surrogate", "\\\\ud83d\\\\ude00"),
                 ("nulesc", "\\\\u0000"), ("utf8", "\\xc3\\xa9"), ("utf8_4", "\\xf0\\x9f\\x98\\x80"),
                 ("v1", '\\"v\\":1'), ("float", "1e400"), ("neg", "-0"),
                 ("big", "9223372036854775808")]:
        lines.append('s_%s="%s"' % (k, v))
    for name in ("admin_proto", "admin_server"):
        with open(os.path.join(TOP, "tests", "fuzz", name + ".dict"), "w") as f:
            f.write("\n".join(lines) + "\n")


# --- signd: reply frames, and scripts for the fake Samba ------------------

def signd():
    h = "signd"
    reset(h)
    # Samba's signed replies from the MS-SNTP capture, framed as ntp_signd
    # sends them (the signed 68 bytes are the NTP payload it returned).
    n = 0
    for i, fr in enumerate(pcap_frames("mssntp-chronyd-samba.pcap")):
        et = struct.unpack("!H", fr[12:14])[0]
        l4 = 14 + (20 if et == 0x0800 else 40)
        payload = fr[l4 + 8:]
        if len(payload) != 68 or payload[0] & 7 != 4:
            continue
        frame = struct.pack("!IIII", 80, 0, 3, n) + payload
        write(h, "success-%02d" % (i + 1), frame)
        n += 1
    write(h, "failure", struct.pack("!IIII", 12, 0, 4, 7))
    write(h, "failure-trailing", struct.pack("!IIII", 20, 0, 4, 7) + b"\xee" * 8)
    write(h, "two-frames", struct.pack("!IIII", 12, 0, 4, 0) + struct.pack("!IIII", 80, 0, 3, 1) +
          bytes(68))
    # Scripts: (step, argument) pairs; see fuzz_signd.c for the steps.
    SUBMIT, SIGN, REFUSE, RAW, FLIP, SPLIT, HANGUP, TIME, POLL = range(9)
    scripts = {
        "script-sign": [SUBMIT, 1, SIGN, 9],
        "script-pipeline": [SUBMIT, 1, SUBMIT, 2, SUBMIT, 3, SIGN, 1, REFUSE, 0, SPLIT, 40],
        "script-refuse-trailing": [SUBMIT, 5, REFUSE, 12, SUBMIT, 6, SIGN, 2],
        "script-hangup": [SUBMIT, 1, SUBMIT, 2, POLL, 0, HANGUP, 0, POLL, 0, SIGN, 3, TIME, 30,
                          SUBMIT, 4, SIGN, 4],
        "script-timeout": [SUBMIT, 1, TIME, 101, POLL, 0, TIME, 30, SUBMIT, 2, SIGN, 5],
        "script-flip": [SUBMIT, 1, SUBMIT, 2, FLIP, 3, 20, SIGN, 6],
        "script-malformed": [SUBMIT, 0xC1, SUBMIT, 0x12, SIGN, 1],
        "script-raw": [SUBMIT, 1, RAW, 16] + list(struct.pack("!IIII", 12, 0, 4, 0)),
    }
    for name, steps in scripts.items():
        write(h, name, bytes(steps))


# --- ntpclient: upstream replies, and scripts for the sync world ----------

def ntpclient():
    h = "ntpclient"
    reset(h)
    # Replies of a real server (chronyd 4.3) from the captures: each is also
    # a reply to its own origin for ntpclient_check().
    for cap in ("clients-vs-chronyd.pcap", "mssntp-chronyd-samba.pcap"):
        for i, fr in enumerate(pcap_frames(cap)):
            et = struct.unpack("!H", fr[12:14])[0]
            l4 = 14 + (20 if et == 0x0800 else 40)
            payload = fr[l4 + 8:]
            if len(payload) >= 48 and payload[0] & 7 == 4 and i % 4 == 1:
                write(h, "%s-reply-%02d" % (cap.split("-")[0], i + 1), payload[:48])
    # Scripts: see fuzz_ntpclient.c. TICK a: (a+1) * 10 ms (x1000 with bit 2);
    # STAMP; RAW a bytes (bit 2: origin patched in, bit 5: next request);
    # GOOD a=offset: then delay, root delay (2), root dispersion (2), tx-rx (2).
    TICK, STAMP, RAW, GOOD = 0, 1, 2, 3
    def good(offset, ms=True, stratum=1):
        op = GOOD | (4 if ms else 0) | 16 | ((stratum - 1) << 6)
        return [op, offset & 0xFF, 10, 0, 0x10, 0, 0x10, 0, 0x40]
    sync = [TICK, 20]
    for k in range(16):
        sync += [STAMP, 0] + good(3 + k % 3) + [TICK, 50]
    write(h, "script-sync", bytes(sync))
    step = [TICK, 20]
    for k in range(12):
        step += [STAMP, 0] + good(2, ms=False) + [TICK, 99]
    write(h, "script-step", bytes(step))
    kod = [TICK, 20, STAMP, 0, RAW | 4 | 32, 48] + list(struct.pack("!BBbbIII", 0x24, 0, 6, -20, 0, 0,
                                                                      0x52415445)) + [0] * 36
    kod += [TICK | 4, 5, STAMP, 0, RAW | 4 | 32, 48] + list(struct.pack("!BBbbIII", 0x24, 0, 6, -20, 0, 0,
                                                                         0x44454E59)) + [0] * 36
    write(h, "script-kod", bytes(kod))
    falseticker = [TICK, 20]
    for k in range(18):
        falseticker += [STAMP, 0] + good(100 if k % 3 == 2 else 1, stratum=1 + k % 3) + [TICK, 30]
    write(h, "script-falseticker", bytes(falseticker))


# --- import_chrony: chrony.conf files --------------------------------------

def import_chrony():
    h = "import_chrony"
    reset(h)
    for conf in sorted(glob.glob(os.path.join(TOP, "tests", "data", "chrony", "*", "chrony.conf"))):
        with open(conf, "rb") as f:
            write(h, os.path.basename(os.path.dirname(conf)), f.read())
    # The harness's tree beside the main file (see fuzz_import_chrony.c).
    write(h, "follow", b"include extra.conf\nconfdir conf.d\nsourcedir sources.d\n"
          b"server 192.0.2.1 iburst\n")
    # Directive and option names the converter knows, for the dictionary.
    import re
    with open(os.path.join(TOP, "tools", "import_chrony", "import.c")) as f:
        src = f.read()
    words = set(re.findall(r'\{ "([a-z0-9]+)",', src))
    lines = ["# chrony.conf directives and options for fuzz_import_chrony (-dict=).",
             "# Written by tests/fuzz/mkcorpus.py import_chrony from tools/import_chrony/import.c."]
    lines += ['w_%s="%s "' % (w, w) for w in sorted(words)]
    lines += ['s_nl="\\x0a"', 's_ip4=" 192.0.2.1"', 's_ip6=" 2001:db8::1"', 's_net=" 192.0.2.0/24"',
              's_path=" /var/lib/chrony/drift"', 's_comment="# "', 's_all=" all"']
    with open(os.path.join(TOP, "tests", "fuzz", "import_chrony.dict"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    targets = {
        "import_chrony": import_chrony,
        "ntpclient": ntpclient,
        "signd": signd,
        "pktproc": pktproc,
        "config": config,
        "admin_proto": lambda: (admin_proto(), admin_dict()),
        "admin_server": admin_server,
    }
    names = sys.argv[1:] or list(targets)
    for name in names:
        targets[name]()
        d = os.path.join(OUT, name)
        files = os.listdir(d)
        size = sum(os.path.getsize(os.path.join(d, f)) for f in files)
        print("%-14s %3d seeds, %6d bytes" % (name, len(files), size))


if __name__ == "__main__":
    main()
