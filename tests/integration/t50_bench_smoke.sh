#!/bin/bash
# Smoke benchmark (seconds, no thresholds), so `make bench` cannot rot:
# linetime-gen on a DPDK af_packet port at one end of a veth, linetime-dp
# at the other end in a namespace of its own, IPv4 then IPv6 (which also
# exercises ARP/ND both ways); the generator's JSON must parse, with
# replies and no invalid ones. Then pktbench, and a pcap from the generator.
#
# Names of its own (namespace lt-bsmoke, veth ltbs-g0/ltbs-s0, region
# /dev/shm/lt-bsmoke.region, /run/lt-bsmoke, DPDK prefixes lt-bsmoke-*), so
# it runs beside the lab and `make bench` without touching either.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The daemons come from LT_BIN_DIR (the ASan/UBSan builds under run.sh's
# LT_SAN=1: this test asserts no figure, only that replies come and are
# valid, so a slower sanitised dataplane still proves the path). The
# generator and pktbench always run optimised from build/: they measure,
# and are not what is under test.
BIN=${LT_BIN_DIR:-$ROOT/build}
TOOLS=$ROOT/build
PY=/usr/bin/python3
NS=lt-bsmoke
VG=ltbs-g0
VS=ltbs-s0
RUN=/run/lt-bsmoke
REGION=/dev/shm/lt-bsmoke.region
TMPD=$(mktemp -d /tmp/lt-bsmoke.XXXXXX)
PIDS=""
FAILS=0
CHECKS=0

cleanup() {
	local p
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	ip netns del "$NS" 2>/dev/null
	ip link del "$VG" 2>/dev/null
	rm -f "$REGION" "$REGION.lock"
	rm -rf "$RUN" "$TMPD" /var/run/dpdk/lt-bsmoke-dp /var/run/dpdk/lt-bsmoke-gen
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { CHECKS=$((CHECKS + 1)); echo "  ok: $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "  FAIL: $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
finish() {
	echo "  $((CHECKS - FAILS)) of $CHECKS checks passed"
	[ "$FAILS" -eq 0 ]
	exit $?
}
py_assert() {
	"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); s=j['steps'][-1]; sys.exit(0 if ($1) else 1)" "$2"
}

for b in "$TOOLS/linetime-gen" "$TOOLS/pktbench" "$BIN/linetime-dp" "$BIN/linetimed"; do
	[ -x "$b" ] || { fail "$b is built"; finish; }
done

# --- the network ----------------------------------------------------------
ip netns del "$NS" 2>/dev/null
ip link del "$VG" 2>/dev/null
mkdir -p "$RUN"
ip netns add "$NS" && ip link add "$VG" type veth peer name "$VS" && ip link set "$VS" netns "$NS" ||
	{ fail "namespace and veth"; finish; }
sysctl -qw "net.ipv6.conf.$VG.disable_ipv6=1"
ethtool -K "$VG" gro off tx off >/dev/null 2>&1
ip link set "$VG" up
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$VS.disable_ipv6=1"
ip netns exec "$NS" ethtool -K "$VS" gro off tx off >/dev/null 2>&1
ip netns exec "$NS" ip link set "$VS" up

# --- linetime ---------------------------------------------------------------
cat >"$TMPD/lt.conf" <<EOF
local = { stratum = 10; };
region = "$REGION";
pidfile_dir = "$RUN";
admin = { socket = "$RUN/admin.sock"; group = ""; };
log = { level = "info"; };
dataplane = {
  main_lcore = 0;
  lcores = [ 1 ];
  eal = [ "--no-pci", "--no-huge", "-m", "256", "--file-prefix", "lt-bsmoke-dp" ];
  idle_sleep_us = 20;
  ports = ( { name = "smoke0"; device = "net_af_packet0,iface=$VS";
              addresses = [ "198.19.0.1/16", "2001:2:0:b::1/64" ]; } );
};
EOF
rm -f "$REGION"
"$BIN/linetimed" -c "$TMPD/lt.conf" >"$TMPD/linetimed.log" 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 50); do [ -S "$RUN/admin.sock" ] && break; sleep 0.1; done
ip netns exec "$NS" "$BIN/linetime-dp" -c "$TMPD/lt.conf" >"$TMPD/dp.log" 2>&1 &
DP=$!
PIDS="$PIDS $DP"
for _ in $(seq 100); do grep -q "serving on" "$TMPD/dp.log" && break; kill -0 $DP 2>/dev/null || break; sleep 0.1; done
check "linetime-dp serves the veth" grep -q "serving on" "$TMPD/dp.log"

# --- the generator ----------------------------------------------------------
gen() {
	local out=$1
	shift
	timeout -s INT -k 5 60 "$TOOLS/linetime-gen" --port "net_af_packet0,iface=$VG" "$@" --json --quiet \
		-- -l 0 --no-huge -m 256 --no-pci --file-prefix lt-bsmoke-gen --log-level '*:warning' \
		>"$out" 2>"$out.err"
}

gen "$TMPD/g4.json" --dst-ip 198.19.0.1 --src-ip-range 198.19.2.0+64 --rate 5k --duration 2 \
	--warmup 0.3 --expect-stratum 10
check "IPv4: generator exits 0" [ $? -eq 0 ]
check "IPv4: JSON parses, one step" py_assert 'len(j["steps"]) == 1' "$TMPD/g4.json"
check "IPv4: replies received" py_assert 's["replied"] > 0' "$TMPD/g4.json"
check "IPv4: no invalid reply" py_assert 's["invalid"] == 0' "$TMPD/g4.json"
check "IPv4: latency and offset reported" py_assert 's["latency_us"]["p50"] > 0 and s["offset_us"]["n"] == s["replied"]' "$TMPD/g4.json"

gen "$TMPD/g6.json" --dst-ip 2001:2:0:b::1 --src-ip-range 2001:2:0:b::100+16 --steps 2k,4k --duration 1 \
	--expect-stratum 10
check "IPv6 (ND resolved): generator exits 0" [ $? -eq 0 ]
check "IPv6: JSON parses, two steps" py_assert 'len(j["steps"]) == 2' "$TMPD/g6.json"
check "IPv6: replies received, none invalid" py_assert 's["replied"] > 0 and s["invalid"] == 0' "$TMPD/g6.json"
if ! py_assert 's["replied"] > 0' "$TMPD/g4.json"; then
	echo "  generator stderr:"; grep -v '^EAL\|^TELEMETRY' "$TMPD/g4.json.err" | tail -5
	echo "  linetime-dp log:"; tail -5 "$TMPD/dp.log"
fi

# --- pktbench and the pcap writer ------------------------------------------
"$TOOLS/pktbench" -n 20 --quiet >"$TMPD/pb.txt" 2>&1
check "pktbench runs, every request answered" grep -q "^frames=5120 replies=5120 " "$TMPD/pb.txt"
"$TOOLS/pktbench" -n 20 --quiet --policy --ipv6 >"$TMPD/pb6.txt" 2>&1
check "pktbench --policy --ipv6 runs" grep -q "^frames=5120 replies=5120 " "$TMPD/pb6.txt"
"$TOOLS/linetime-gen" --dst-ip 198.19.0.1 --dst-mac 02:00:00:00:b0:01 --count 100 --quiet \
	--pcap-out "$TMPD/req.pcap"
check "pcap of 100 requests written" [ "$(stat -c %s "$TMPD/req.pcap" 2>/dev/null)" = $((24 + 100 * (16 + 90))) ]

finish
