#!/bin/bash
# A real Samba AD DC in a temporary directory, and mssntp.py against its
# ntp_signd socket: a known RID signs and the MAC verifies; an unknown RID
# gets SIGNING_FAILURE and the connection stays usable; a disabled account
# (and a non-machine account) make Samba close the connection without a
# reply; a stopped Samba leaves a socket that refuses connections; a
# restarted one signs again. Prints the measured times. Needs root and the
# samba packages (scripts/deps.sh); touches no lab namespace or global
# Samba path, so it can run beside the other tests.
#
#   tests/integration/samba_selftest.sh     exit 0 iff every check passed
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
MS="$HERE/mssntp.py"
. "$HERE/samba.sh"

FAILS=0
CHECKS=0
SD=

cleanup() {
	if [ -n "$SD" ]; then
		samba_stop "$SD" >/dev/null 2>&1
		rm -rf "$SD"
	fi
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
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.2f", $1 - $2}'; }
# sd ARGS...: mssntp.py signd, output kept out of the way
sd() { "$PY" "$MS" signd "$@" >>"$SD/signd.out"; }
jget() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$2"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "samba_selftest: needs root" >&2
	exit 1
fi
check "mssntp.py selftest (MD4 RFC 1320 vectors, NT hash, loopback query/load)" \
	"$PY" "$MS" selftest >/dev/null

SD=$(mktemp -d /tmp/lt-samba.XXXXXX) || exit 1
t=$(now)
if ! samba_provision "$SD"; then
	fail "provision"
	finish
fi
T_PROV=$(since "$t")
ok "provisioned in $SD (${T_PROV} s)"

RID=$(samba_add_machine "$SD" WIN10) && ok "machine WIN10\$ has RID $RID" || fail "add WIN10"
RID2=$(samba_add_machine "$SD" Ws-Two) && ok "machine Ws-Two\$ has RID $RID2" || fail "add Ws-Two"
[ -n "$RID" ] && [ -n "$RID2" ] || finish
# --prepare-oldjoin's password is the lower-cased name: the stored NT hash
# (unicodePwd) equals MD4(UTF-16LE("ws-two")).
stored=$(samba_account "$SD" 'Ws-Two$' | awk '{print $3}')
check "stored NT hash of Ws-Two\$ = nthash(\"ws-two\")" test "$stored" = "$("$PY" "$MS" nthash ws-two)"

SOCK=$(samba_socket "$SD")
t=$(now)
if ! samba_start "$SD"; then
	fail "samba start"
	finish
fi
T_START=$(since "$t")
ok "samba started, socket accepting after ${T_START} s"
check "socket directory is 0750" test "$(stat -c %a "$SD/ntp_signd")" = 750
pid=$(cat "$SD/samba.pid")
pids=$(pgrep -g "$(ps -o pgid= -p "$pid" | tr -d ' ')" | tr '\n' '|')
check "samba listens on no TCP/UDP port" sh -c "! ss -lntupH | grep -E 'pid=(${pids%|}),'"

"$PY" "$MS" signd "$SOCK" --rid "$RID" --password win10 --count 500 --pipeline 20000 --window 16 \
	--json >"$SD/sign.json"
check "known RID: 500 sequential + 20000 pipelined signed, MACs verify" test $? -eq 0
LAT=$(jget "j['latency_ms']['p50']" "$SD/sign.json")
RATE=$(jget "j['pipeline']['requests_per_s']" "$SD/sign.json")

check "unknown RID -> FAILURE, same connection then signs" \
	sd "$SOCK" --rid 987654 --rid "$RID" --password win10 --count 4 \
	--expect failure,ok,failure,ok
check "bad version / op -> FAILURE, connection usable" \
	sd "$SOCK" --rid "$RID" --password win10 --count 2 --op 1 --expect failure,failure
check "'previous password' bit: still signed with the current password" \
	sd "$SOCK" --rid "$RID" --password win10 --previous --expect ok
check "wrong password: MAC does not verify (exit 4)" \
	sh -c "'$PY' '$MS' signd '$SOCK' --rid $RID --password nope >/dev/null; test \$? -eq 4"
check "before disabling: Ws-Two\$ signs" \
	sd "$SOCK" --rid "$RID2" --password ws-two --expect ok
samba_disable_account "$SD" Ws-Two || fail "disable Ws-Two"
check "disabled account: connection closed without a reply" \
	sd "$SOCK" --rid "$RID2" --password ws-two --expect closed
check "non-machine account (Administrator, RID 500): closed" \
	sd "$SOCK" --rid 500 --password x --expect closed
check "a new connection after a close signs" \
	sd "$SOCK" --rid "$RID" --password win10 --expect ok

t=$(now)
samba_stop "$SD" || fail "samba stop"
T_STOP=$(since "$t")
check "stopped: socket file left behind" test -S "$SOCK"
check "stopped: connect() -> ECONNREFUSED" \
	sd "$SOCK" --rid "$RID" --password win10 --expect ECONNREFUSED
check "no socket at all -> ENOENT" \
	sd "$SD/nonexistent/socket" --rid "$RID" --password win10 --expect ENOENT

t=$(now)
if samba_start "$SD"; then
	ok "restarted over the stale socket in $(since "$t") s"
	check "restarted: signs again" \
		sd "$SOCK" --rid "$RID" --password win10 --count 3 --expect ok,ok,ok
else
	fail "restart"
fi
samba_stop "$SD" || fail "second stop"

echo "  measured: provision ${T_PROV} s, start ${T_START} s, stop ${T_STOP} s," \
	"signd latency p50 ${LAT} ms (one request at a time)," \
	"pipelined ${RATE} requests/s on one connection (window 16)"
finish
