#!/usr/bin/python3
"""Send malformed and hostile frames at the appliance and report what came back.

Runs inside the lt-client namespace. Every frame is tagged with the drop
counter it must land in ("kernel:..." for frames the lab's kernel absorbs); the caller compares the dataplane's counters before
and after. Each hostile UDP frame uses a source port in 40000-40999 and each
ICMP one an id of 0xbeef, so any answer to them is recognised.

  hostile.py IFACE APPLIANCE_MAC [REPEAT]   -> JSON on stdout
"""
import json
import random
import sys
import time

from scapy.all import (ARP, ICMP, IP, UDP, AsyncSniffer, Ether, ICMPv6EchoRequest,
                       ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr, IPv6, IPv6ExtHdrHopByHop, Raw,
                       TCP, get_if_hwaddr, sendp)

A4, C4 = "198.18.0.1", "198.18.0.2"
A6, C6 = "2001:2::1", "2001:2::2"


def ntp(version=4, mode=3, extra=b""):
    return bytes([(version << 3) | mode]) + bytes(39) + random.randbytes(8) + extra


def main():
    iface, amac = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    cmac = get_if_hwaddr(iface)
    e = Ether(src=cmac, dst=amac)
    sport = iter(range(40000, 41000))

    def u4(payload, sp=None, **kw):
        return e / IP(src=C4, dst=A4, **kw) / UDP(sport=sp or next(sport), dport=123) / payload

    def u6(payload, sp=None, **kw):
        return e / IPv6(src=C6, dst=A6, **kw) / UDP(sport=sp or next(sport), dport=123) / payload

    def raw_fix(pkt, mutate):
        b = bytearray(bytes(pkt))
        mutate(b)
        return bytes(b)

    cases = [
        ("drop_runt", bytes(e)[:12] + b"\x08"),
        ("drop_ethertype", e / Raw(b"\x88\xb5" + bytes(60))),
        ("drop_ethertype", Ether(src=cmac, dst=amac, type=0x88b5) / Raw(bytes(50))),
        ("drop_not_our_mac", Ether(src=cmac, dst="02:00:00:00:00:99") / IP(src=C4, dst=A4) / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_not_our_ip", e / IP(src=C4, dst="198.18.0.77") / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_ip_version", raw_fix(u4(ntp()), lambda b: b.__setitem__(14, 0x65))),
        ("drop_ipv4_ihl", raw_fix(u4(ntp()), lambda b: b.__setitem__(14, 0x44))),
        ("drop_ipv4_options", e / IP(src=C4, dst=A4, options=b"\x01\x01\x01\x00") / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_ipv4_len", u4(ntp(), len=400)),
        ("drop_ipv4_csum", u4(ntp(), chksum=0x1234)),
        # DPDK 22.11's af_packet PMD joins a PACKET_FANOUT group with
        # PACKET_FANOUT_FLAG_DEFRAG, so the lab's kernel holds lone IPv4
        # fragments for reassembly and the dataplane never sees them. They
        # must still get no reply; drop_ipv4_fragment itself is proven by the
        # pktproc golden table (and on PCI ports, where no kernel is involved).
        ("kernel:ipv4_fragment", u4(ntp(), flags="MF")),
        ("kernel:ipv4_fragment", u4(ntp(), frag=10)),
        ("drop_bad_src", e / IP(src="224.0.0.5", dst=A4) / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_bad_src", e / IP(src="127.0.0.1", dst=A4) / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_bad_src", e / IP(src="255.255.255.255", dst=A4) / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_l4_proto", e / IP(src=C4, dst=A4) / TCP(sport=next(sport), dport=123)),
        ("drop_udp_len", e / IP(src=C4, dst=A4) / UDP(sport=next(sport), dport=123, len=200) / ntp()),
        ("drop_udp_csum", e / IP(src=C4, dst=A4) / UDP(sport=next(sport), dport=123, chksum=0x4321) / ntp()),
        ("drop_udp_port", e / IP(src=C4, dst=A4) / UDP(sport=next(sport), dport=124) / ntp()),
        ("drop_udp_src_port", e / IP(src=C4, dst=A4) / UDP(sport=0, dport=123) / ntp()),
        ("drop_ntp_short", u4(ntp()[:47])),
        ("drop_ntp_short", u4(b"")),
        ("drop_ntp_version", u4(ntp(version=0))),
        ("drop_ntp_version", u4(ntp(version=7))),
        ("drop_ntp_mode_control", u4(ntp(version=2, mode=6)[:12])),
        ("drop_ntp_mode_control", u4(ntp(version=2, mode=6))),
        ("drop_ntp_mode_private", u4(bytes([0x17, 0x00, 0x03, 0x2a]) + bytes(44))),  # monlist-style
        ("drop_ntp_mode_other", u4(ntp(mode=5))),
        ("drop_ntp_mode_other", u4(ntp(mode=0))),
        ("drop_ntp_ext", u4(ntp(extra=bytes(8)))),
        ("drop_ntp_ext", u4(ntp(extra=b"\x01\x04\x00\x40" + bytes(12)))),  # field longer than packet
        ("drop_arp_bad", e / ARP(op=1, hwlen=7, psrc=C4, pdst=A4)),
        ("drop_arp_other", Ether(src=cmac, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=cmac, psrc=C4, pdst="198.18.0.99")),
        ("drop_icmp_bad", e / IP(src=C4, dst=A4) / ICMP(type=8, id=0xBEEF, chksum=0x1111) / Raw(bytes(16))),
        ("drop_icmp_type", e / IP(src=C4, dst=A4) / ICMP(type=13, id=0xBEEF) / Raw(bytes(12))),
        ("drop_ipv6_len", u6(ntp(), plen=300)),
        ("drop_ipv6_ext", e / IPv6(src=C6, dst=A6) / IPv6ExtHdrHopByHop() / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_udp_csum", raw_fix(u6(ntp()), lambda b: b.__setitem__(slice(60, 62), b"\x00\x00"))),
        ("drop_bad_src", e / IPv6(src="ff02::1", dst=A6) / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_not_our_ip", e / IPv6(src=C6, dst="2001:2::99") / UDP(sport=next(sport), dport=123) / ntp()),
        ("drop_ntp_mode_private", u6(bytes([0x17]) + bytes(47))),
        ("drop_icmp_bad", e / IPv6(src=C6, dst=A6) / ICMPv6EchoRequest(id=0xBEEF, cksum=0x2222)),
        ("drop_nd_bad", Ether(src=cmac, dst="33:33:ff:00:00:01") / IPv6(src=C6, dst="ff02::1:ff00:1", hlim=64) / ICMPv6ND_NS(tgt=A6) / ICMPv6NDOptSrcLLAddr(lladdr=cmac)),
        # An NS for someone else's address: to a solicited-node group that is
        # not ours it is drop_not_our_ip; unicast to us it is drop_nd_other.
        ("drop_nd_other", e / IPv6(src=C6, dst=A6, hlim=255) / ICMPv6ND_NS(tgt="2001:2::99") / ICMPv6NDOptSrcLLAddr(lladdr=cmac)),
        ("drop_not_our_ip", Ether(src=cmac, dst="33:33:ff:00:00:99") / IPv6(src=C6, dst="ff02::1:ff00:99", hlim=255) / ICMPv6ND_NS(tgt="2001:2::99") / ICMPv6NDOptSrcLLAddr(lladdr=cmac)),
        # Not a drop: a server-mode packet goes up the punt ring to control.
        ("punted", u4(ntp(mode=4))),
    ]

    sniff = AsyncSniffer(iface=iface, store=True,
                         lfilter=lambda p: p.haslayer(Ether) and p[Ether].src == amac)
    sniff.start()
    time.sleep(0.5)
    expect = {}
    frames = []
    for name, pkt in cases:
        expect[name] = expect.get(name, 0) + repeat
        # Raw bytes: scapy must not re-dissect (or "fix") a broken frame.
        frames.extend([Raw(bytes(pkt))] * repeat)
    sendp(frames, iface=iface, verbose=False)

    # Random mutations of valid requests: anything may happen except a
    # crash or a reply longer than the request.
    rnd = random.Random(1234)
    fuzz = []
    for i in range(2000):
        # Ports outside the hostile range: a mutation may leave a valid request.
        base = bytearray(bytes(u4(ntp(), sp=50000 + i) if i % 2 else u6(ntp(), sp=50000 + i)))
        for _ in range(rnd.randint(1, 4)):
            pos = rnd.randrange(14, len(base))
            base[pos] ^= 1 << rnd.randrange(8)
        if rnd.random() < 0.2:
            base = base[:rnd.randrange(14, len(base))]
        fuzz.append(Raw(bytes(base)))
    sendp(fuzz, iface=iface, verbose=False)
    time.sleep(1.0)
    sniff.stop()

    hostile_replies = 0
    oversized = 0
    for p in sniff.results or []:
        if p.haslayer(UDP) and p[UDP].sport == 123 and 40000 <= p[UDP].dport < 41000:
            hostile_replies += 1
        if (p.haslayer(ICMP) and p[ICMP].id == 0xBEEF) or (p.haslayer(ICMPv6EchoRequest) and p[ICMPv6EchoRequest].id == 0xBEEF):
            hostile_replies += 1
        if p.haslayer(UDP) and p[UDP].sport == 123 and len(p[UDP].payload) > 48:
            oversized += 1
    print(json.dumps({"expect": expect, "sent": len(frames), "fuzz_sent": len(fuzz),
                      "hostile_replies": hostile_replies, "oversized_replies": oversized,
                      "captured_from_appliance": len(sniff.results or [])}))


if __name__ == "__main__":
    main()
