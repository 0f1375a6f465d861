#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Routed upstreams: linetimed's servers are not on-link but behind a router,
# reached through the port's configured gateways.
#
#   appliance 198.18.0.1      lt-client (router)           lt-up
#   2001:2::1 (lt-dp0) ---- lt-cl0 198.18.0.2      lt-rt0 ---- lt-up0 198.19.1.1
#                                  2001:2::2       .254 ::254        2001:2:0:1::1
#                                                                    chronyd .11 .12 ::13
#
# The lab's config with gateway = [ "198.18.0.2", "2001:2::2" ] and three
# servers in lt-up, the IPv6 one preferred. Checks:
#  - linetimed synchronises (stratum 2) to them: the dataplane resolved the
#    gateway by ARP and ND and sent the requests there (the router forwarded
#    them both ways);
#  - all three reachable and used; the dataplane's inject counters;
#  - the IPv6 server's delay is sane and, as sys_peer, its refid in replies
#    is the first 4 octets of the MD5 of its address (RFC 5905 7.3);
#  - a client behind the router (lt-up) gets stratum 2 and the host's time,
#    over IPv4 and IPv6: replies go back to the router's MAC.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upstreams.sh"

UPNS=lt-up                              # the servers' namespace, behind lt-client
RT_IF=lt-rt0                            # lt-client's side of the second link
UP_LINK=lt-up0                          # lt-up's side
S1=198.19.1.11
S2=198.19.1.12
S6=2001:2:0:1::13

# The namespace this test adds goes after the servers in it have stopped
# (upstreams.sh's cleanup) and with the lab.
eval "t91_prev_cleanup() $(declare -f cleanup | sed 1d)"
# shellcheck disable=SC2317
cleanup() { t91_prev_cleanup; ip netns del "$UPNS" 2>/dev/null; }

CONF=$TMPD/linetime.conf
sed 's|^      # No gateway: every lab client is on-link\.$|      gateway = [ "198.18.0.2", "2001:2::2" ];|' \
	"$ROOT/board/lab/linetime.conf" >"$CONF"
cat >>"$CONF" <<EOF
servers = (
  { address = "$S1"; iburst = true; minpoll = -1; maxpoll = 1; },
  { address = "$S2"; iburst = true; minpoll = -1; maxpoll = 1; },
  { address = "$S6"; iburst = true; minpoll = -1; maxpoll = 1; prefer = true; }
);
makestep = { threshold = 0.1; limit = 3; };
driftfile = "$TMPD/drift";
EOF
export LT_LAB_CONF=$CONF
SOCK=$(sed -n 's/^[[:space:]]*socket[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1)
if ! grep -q '^      gateway = \[ "198.18.0.2", "2001:2::2" \];$' "$CONF"; then
	fail "test config has the port's gateways (board/lab/linetime.conf changed?)"
	finish
fi

T_END=$((SECONDS + 80))                 # the whole test's bound

# diag: what linetimed, the dataplane and the router saw
diag() {
	echo "    linetimectl sources:"
	ctl -n sources 2>&1 | head -n 12 | sed 's/^/      /'
	echo "    dataplane counters (non-zero):"
	ctl --json serverstats 2>/dev/null | "$PY" -c 'import json,sys
for k, v in json.load(sys.stdin)["counters"].items():
    if v: print("      %s %s" % (k, v))' 2>&1
	echo "    lt-client neighbours on lt-cl0:"
	ip -n "$NS" neigh show dev lt-cl0 2>&1 | sed 's/^/      /'
	echo "    linetimed log:"
	tail -n 15 /run/linetime-lab/linetimed.log 2>/dev/null | sed 's/^/      /'
	echo "    linetime-dp log:"
	tail -n 8 /run/linetime-lab/linetime-dp.log 2>/dev/null | sed 's/^/      /'
}
# shellcheck disable=SC2317
ntpdig_up() { ip netns exec "$UPNS" ntpdig -j -t 1 "$1"; }

# router_up: lt-client gets a link to lt-up, which gets the servers'
# addresses. No forwarding yet: requests sent before the servers answer
# would wait in the router's ARP/ND queue and be answered all at once, the
# stale ones counting as bogus replies.
router_up() {
	# (A new namespace may inherit IPv4 forwarding from the host's.)
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 || return 1
	ip netns add "$UPNS" || return 1
	ip link add "$RT_IF" type veth peer name "$UP_LINK" || return 1
	ip link set "$RT_IF" netns "$NS" || return 1
	ip link set "$UP_LINK" netns "$UPNS" || return 1
	# No DAD on the new link: while its link-local address is tentative
	# (about 1 s) the router holds forwarded packets, it has no source for
	# its neighbour solicitations.
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$RT_IF.accept_dad=0" || return 1
	ip netns exec "$UPNS" sysctl -qw "net.ipv6.conf.$UP_LINK.accept_dad=0" || return 1
	ip -n "$NS" link set "$RT_IF" up || return 1
	ip -n "$UPNS" link set lo up || return 1
	ip -n "$UPNS" link set "$UP_LINK" up || return 1
	ip -n "$NS" addr add 198.19.1.254/24 dev "$RT_IF" || return 1
	ip -n "$NS" addr add 2001:2:0:1::254/64 dev "$RT_IF" nodad || return 1
	ip -n "$UPNS" addr add 198.19.1.1/24 dev "$UP_LINK" || return 1
	ip -n "$UPNS" addr add 2001:2:0:1::1/64 dev "$UP_LINK" nodad || return 1
	ip -n "$UPNS" route add default via 198.19.1.254 || return 1
	ip -n "$UPNS" -6 route add default via 2001:2:0:1::254 || return 1
	UP_NS=$UPNS UP_IF=$UP_LINK
	upstream_addr_add "$S1" && upstream_addr_add "$S2" && upstream_addr_add "$S6" || return 1
	# Checksums filled in on the way, as on a real wire (see lab.sh).
	ip netns exec "$NS" ethtool -K "$RT_IF" tx off >/dev/null 2>&1 || true
	ip netns exec "$UPNS" ethtool -K "$UP_LINK" tx off >/dev/null 2>&1 || true
}

# fwd_counts: lt-client's forwarded datagrams, "IPv4 IPv6"
fwd_counts() {
	ip netns exec "$NS" "$PY" -c '
v4 = open("/proc/net/snmp").read().split("\n")
h, v = [l.split() for l in v4 if l.startswith("Ip:")][:2]
f6 = [l.split() for l in open("/proc/net/snmp6") if l.startswith("Ip6OutForwDatagrams")]
print(v[h.index("ForwDatagrams")], f6[0][1])'
}

ip netns del "$UPNS" 2>/dev/null        # left by a run killed with KILL
lab_up
if ! router_up; then
	fail "router namespace $UPNS behind $NS"
	finish
fi
upstream_chronyd 1 "$S1" || fail "chronyd at $S1"
upstream_chronyd 2 "$S2" || fail "chronyd at $S2"
upstream_chronyd 3 "$S6" || fail "chronyd at $S6"
[ "$FAILS" -eq 0 ] || finish
if ! ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1; then
	fail "forwarding on in $NS"
	finish
fi

# --- a. synchronised through the gateway, to the preferred IPv6 server ---
SYNCED='j["stratum"] == 2 and j["synchronised"] is True and j["reference"] in ("'$S1'", "'$S2'", "'$S6'")'
if ! pcheck "synchronised: stratum 2, reference one of the three routed servers" 40 \
	"$TMPD/a.json" "$SYNCED" tracking; then
	diag
	finish
fi
"$PY" -c "import json; j=json.load(open('$TMPD/a.json')); print('  tracking: %s refid %s, offset %+.6f s, root delay %.6f s' % (j['reference'], j['refid'], j['system_time_offset'], j['root_delay']))" 2>/dev/null

# --- b. all three reachable and used, the IPv6 one the sys_peer ---
# "selectable": a truechimer too far (combinelimit) from the best to be
# combined, which varies with the delays on a loaded machine (see t90).
if pcheck "sources: all three reach > 0 and truechimers, $S6 the sys_peer" 15 \
	"$TMPD/b.json" 'len(j["sources"]) == 3
	and all(s["reach"] > 0 and s["state"] in ("sys_peer", "combined", "selectable") for s in j["sources"])
	and [s["address"] for s in j["sources"] if s["state"] == "sys_peer"] == ["'$S6'"]' sources; then
	"$PY" -c 'import json,sys
for s in json.load(open(sys.argv[1]))["sources"]:
    print("    %-14s %-9s reach %3o sent %d replies %d accepted %d bogus %d delay %.6f s offset %+.6f s"
          % (s["address"], s["state"], s["reach"], s["sent"], s["replies"], s["accepted"], s["bogus"], s["delay"], s["offset"]))' "$TMPD/b.json"
	check "no bogus replies (none stale, none duplicated on the way)" \
		py_assert 'all(s["bogus"] == 0 for s in j["sources"])' "$TMPD/b.json"
else
	diag
fi

# --- c. the dataplane sent them, after resolving the gateway ---
ctl --json serverstats >"$TMPD/c.json" 2>&1
"$PY" -c 'import json,sys
c = json.load(open(sys.argv[1]))["counters"]
print("  dataplane: " + ", ".join("%s %s" % (k, c[k]) for k in
      ("injected", "punted", "drop_inject_no_neigh", "drop_inject_bad", "arp_learned", "nd_learned", "arp_replies", "nd_adverts")))' \
	"$TMPD/c.json" 2>/dev/null || seen "$TMPD/c.json"
check "dataplane injected frames for linetimed" py_assert 'j["counters"]["injected"] > 0' "$TMPD/c.json"
check "at most 4 injects dropped waiting for the gateway's MAC" \
	py_assert 'j["counters"]["drop_inject_no_neigh"] <= 4' "$TMPD/c.json"
check "the gateway's MAC learned by ARP and ND (arp_learned, nd_learned > 0)" \
	py_assert 'j["counters"]["arp_learned"] > 0 and j["counters"]["nd_learned"] > 0' "$TMPD/c.json"
read -r fwd4 fwd6 < <(fwd_counts)
check "the router forwarded IPv4 ($fwd4) and IPv6 ($fwd6) datagrams" \
	test "${fwd4:-0}" -gt 0 -a "${fwd6:-0}" -gt 0
echo "  lt-client neighbours on lt-cl0: $(ip -n "$NS" neigh show dev lt-cl0 | tr '\n' ';')"

# --- d. the IPv6 server: sane delay; the refid clients see ---
check "$S6's delay is above 0 and under 10 ms" py_assert \
	'[0 < s["delay"] < 0.01 for s in j["sources"] if s["address"] == "'$S6'"] == [True]' "$TMPD/b.json"
refid_is_md5() {
	ctl --json sources >"$TMPD/d-sources.json" &&
		in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" --json -t 1 198.18.0.1 >"$TMPD/d-reply.json" &&
		ctl --json tracking >"$TMPD/d-tracking.json" &&
		"$PY" - "$S6" "$TMPD/d-sources.json" "$TMPD/d-reply.json" "$TMPD/d-tracking.json" <<-'EOF'
			import hashlib, ipaddress, json, sys
			addr = ipaddress.IPv6Address(sys.argv[1])
			src, rep, trk = (json.load(open(f)) for f in sys.argv[2:])
			want = int.from_bytes(hashlib.md5(addr.packed).digest()[:4], "big")
			peer = [s["address"] for s in src["sources"] if s["state"] == "sys_peer"]
			r = rep["replies"][0]
			print("sys_peer %s; md5(%s)[:4] = %08X; reply refid %08X stratum %d; tracking refid %s"
			      % (peer, addr, want, r["refid"], r["stratum"], trk["refid"]))
			sys.exit(0 if peer == [sys.argv[1]] and r["refid"] == want and r["stratum"] == 2
			         and trk["refid"].upper() == "%08X" % want else 1)
		EOF
}
d_rc=1
for _ in 1 2 3 4 5; do
	refid_is_md5 >"$TMPD/d.txt" 2>&1 && { d_rc=0; break; }
	sleep 0.5
done
check "reply refid = MD5 of the IPv6 sys_peer's address ($(tail -n 1 "$TMPD/d.txt"))" test "$d_rc" -eq 0

# --- e. a client behind the router ---
pcheck "ntpdig from $UPNS to 198.18.0.1: stratum 2, |offset| < 10 ms" 5 "$TMPD/e4.json" \
	'j["stratum"] == 2 and abs(j["offset"]) < 0.01' ntpdig_up 198.18.0.1 && seen "$TMPD/e4.json"
pcheck "ntpdig from $UPNS to 2001:2::1: stratum 2, |offset| < 10 ms" 5 "$TMPD/e6.json" \
	'j["stratum"] == 2 and abs(j["offset"]) < 0.01' ntpdig_up 2001:2::1 && seen "$TMPD/e6.json"

echo "  t91 took $SECONDS s"
finish
