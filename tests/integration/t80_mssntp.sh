#!/bin/bash
# Signed time for Windows domain members against a REAL Samba AD DC,
# provisioned by the test in its own directory (see samba.sh):
#  - linetime starts BEFORE Samba (the socket directory does not exist yet):
#    plain NTP is served, signed requests are dropped and counted, signd
#    says missing_directory, health is not OK;
#  - Samba starts: linetime connects by itself, without a restart;
#  - a machine account's request (IPv4 and IPv6) gets a 68-byte reply whose
#    MAC is MD5(NT hash of the password || reply) and whose time is right;
#  - an unknown RID and a disabled account get no reply at all (never an
#    unsigned one), and signing keeps working afterwards;
#  - Samba stopped and started mid-run: linetime recovers by itself;
#  - the 120-byte extended form is counted and dropped;
#  - pipelined load through one Samba connection, all verified;
#  - a reload that removes ntpsigndsocket turns signing off, no restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/samba.sh"

SD="$TMPD/samba"
CONFX=$(mktemp /tmp/lt-conf.XXXXXX)
(cat "$CONF"; echo "ntpsigndsocket = \"$SD/ntp_signd\";") >"$CONFX"
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA=$CONFX
CONF=$CONFX
# The lab goes down while its config still exists (lab.sh reads the region's
# path from it), Samba while its directory does; cleanup removes both.
trap '"$LAB" down >/dev/null 2>&1; samba_stop "$SD"; cleanup' EXIT

mq() { in_ns "$PY" "$ROOT/tests/integration/mssntp.py" "$@"; }
signd_field() { ctl_field signd "$1"; }
wait_state() { # wait_state STATE SECONDS
	for _ in $(seq $(($2 * 10))); do
		[ "$(signd_field "['state']")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
health_code() { ctl health >/dev/null; echo $?; }

echo "  provisioning a Samba AD DC in $SD"
if ! samba_provision "$SD" >/dev/null; then
	fail "samba provision (log: $SD/provision.log)"
	finish
fi
RID=$(samba_add_machine "$SD" WINPC1) && RID2=$(samba_add_machine "$SD" WINPC2)
check "machine accounts created (RIDs $RID, ${RID2:-none})" test -n "$RID" -a -n "$RID2"
samba_disable_account "$SD" WINPC2
PW=winpc1

# --- linetime first, Samba not there yet ---
lab_up
check "signd: missing_directory before Samba ever ran" wait_state missing_directory 3
check "plain NTP served meanwhile" \
	in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -t 1 198.18.0.1
mq query 198.18.0.1 --rid "$RID" --password "$PW" --timeout 0.5 >/dev/null
check "signed request without Samba: no reply (exit 3)" test $? -eq 3
check "... counted as not_connected" test "$(signd_field "['failed']['not_connected']")" -ge 1
hc=$(health_code)
check "health is WARNING or CRITICAL without Samba (got $hc)" test "$hc" -eq 1 -o "$hc" -eq 2

# --- Samba appears: linetime starts signing by itself ---
# linetimed runs as the lab's user: it reaches the socket through the
# directory's group, as docs/SIGND.md has operators set it up (Samba
# accepts the group as long as the mode is 0750).
LAB_USER=$(sed -n 's/^[[:space:]]*user[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1)
if [ -n "$LAB_USER" ]; then
	mkdir -m 0750 "$SD/ntp_signd" && chgrp "$(id -gn "$LAB_USER")" "$SD/ntp_signd"
fi
samba_start "$SD" || fail "samba start"
check "signd connected within 5 s of Samba starting, no restart" wait_state connected 5
check "health OK once signing works" test "$(health_code)" -eq 0

mq query 198.18.0.1 --rid "$RID" --password "$PW" --count 3 --timeout 1 --json >"$TMPD/q4.json"
check "IPv4: 3 signed 68-byte replies, MAC verified" \
	py_assert 'j["verified"] == 3 and j["bad_length"] == 0 and j["exit"] == 0' "$TMPD/q4.json"
check "IPv4: key id echoed, mode 4, version 3, origin matches" \
	py_assert 'all(r["key_id"] == j["rid"] and r["mode"] == 4 and r["version"] == 3 and r["origin_ok"] for r in j["results"])' "$TMPD/q4.json"
# The veth round trip plus signing is well under 5 ms here; the server's
# clock is the host clock, which the client namespace shares.
check "IPv4: offset within 5 ms of the host clock" \
	py_assert 'all(abs(r["offset"]) < 0.005 for r in j["results"])' "$TMPD/q4.json"
mq query 2001:2::1 --rid "$RID" --password "$PW" --count 2 --timeout 1 --json >"$TMPD/q6.json"
check "IPv6: signed replies verified" py_assert 'j["verified"] == 2 and j["exit"] == 0' "$TMPD/q6.json"

# --- an unknown RID: Samba answers FAILURE, the client gets nothing ---
f0=$(signd_field "['failed']['samba_failure']")
mq query 198.18.0.1 --rid 4242 --password x --timeout 0.5 >/dev/null
check "unknown RID: no reply at all (exit 3, not an unsigned one)" test $? -eq 3
check "... counted as samba_failure" test "$(signd_field "['failed']['samba_failure']")" -eq $((f0 + 1))
check "signing works after the FAILURE" mq query 198.18.0.1 --rid "$RID" --password "$PW" --timeout 1

# --- a disabled account: Samba closes the connection on that request ---
c0=$(signd_field "['failed']['peer_closed']")
mq query 198.18.0.1 --rid "$RID2" --password winpc2 --timeout 0.5 >/dev/null
check "disabled account: no reply (exit 3)" test $? -eq 3
check "... counted as peer_closed" test "$(signd_field "['failed']['peer_closed']")" -eq $((c0 + 1))
check "signing works after Samba closed the connection" \
	mq query 198.18.0.1 --rid "$RID" --password "$PW" --timeout 1

# --- the extended authenticator (120 bytes): counted, dropped ---
x0=$(counter drop_mssntp_extended)
in_ns "$PY" - <<'EOF'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
req = bytes([0xdb, 0, 17, 0xe9]) + bytes(36) + struct.pack("!Q", 0x1234) \
      + struct.pack("<I", 1102) + bytes([0, 0, 1, 0]) + bytes(64)
assert len(req) == 120
s.sendto(req, ("198.18.0.1", 123))
s.settimeout(0.5)
try:
    s.recv(200)
    raise SystemExit("extended request was answered")
except socket.timeout:
    pass
EOF
check "extended 120-byte request: no reply" test $? -eq 0
check "... counted as drop_mssntp_extended" test "$(counter drop_mssntp_extended)" -eq $((x0 + 1))

# --- Samba stopped and restarted mid-run ---
samba_stop "$SD"
check "Samba stopped: signd says refused (stale socket)" wait_state refused 3
mq query 198.18.0.1 --rid "$RID" --password "$PW" --timeout 0.5 >/dev/null
check "Samba stopped: no reply" test $? -eq 3
samba_start "$SD" || fail "samba restart"
check "Samba restarted: connected again by itself" wait_state connected 5
check "Samba restarted: signing works" mq query 198.18.0.1 --rid "$RID" --password "$PW" --timeout 1

# --- pipelined load through the one connection ---
mq load 198.18.0.1 --rid "$RID" --password "$PW" --count 400 --window 16 --timeout 2 \
	--time-limit 30 --json >"$TMPD/load.json"
check "400 pipelined signed requests, all verified" \
	py_assert 'j["verified"] == 400 and j["bad_mac"] == 0 and j["lost"] == 0' "$TMPD/load.json"
"$PY" -c "import json; j=json.load(open('$TMPD/load.json')); l=j['latency_ms']; print('  signed path: %.0f replies/s, client-side latency p50 %.2f ms p99 %.2f ms' % (j['replies_per_s'], l['p50'], l['p99']))"
ctl signd | sed -n 's/^Signing latency *: /  linetimed signing latency: /p'

check "no MS-SNTP request was refused as 'signing off'" test "$(counter drop_mssntp_off)" -eq 0
check "every signed reply was handed to the dataplane (sent == signed)" \
	test "$(signd_field "['sent']")" -eq "$(signd_field "['signed']")"
check "health OK with signing on" test "$(health_code)" -eq 0

# --- a reload that turns signing off: no restart, requests counted as off ---
grep -v '^ntpsigndsocket' "$CONFX" >"$CONFX.new" && cat "$CONFX.new" >"$CONFX" && rm -f "$CONFX.new"
ctl reload >/dev/null
check "reload turned signing off" test "$(signd_field "['enabled']")" = False
o0=$(counter drop_mssntp_off)
for _ in 1 2 3 4 5; do
	mq query 198.18.0.1 --rid "$RID" --password "$PW" --timeout 0.3 >/dev/null
	[ "$(counter drop_mssntp_off)" -gt "$o0" ] && break
done
check "signing off: requests dropped as drop_mssntp_off" test "$(counter drop_mssntp_off)" -gt "$o0"
check "health OK with signing off (not checked)" test "$(health_code)" -eq 0
finish
