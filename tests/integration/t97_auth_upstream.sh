#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Authenticated upstreams (RFC 5905 7.3 MACs, RFC 8573): linetimed has
# three servers with "key", each in the client namespace:
#  - 198.18.0.21, chronyd 4.3 with the same AES128 key 1: linetimed's
#    requests carry the MAC, chronyd answers with one, and the source is
#    selected; authdata shows it SYM, key 1, AES128, 128 bits;
#  - 198.18.0.22, chronyd with key 2 (SHA1) under another secret: chronyd
#    drops requests whose MAC fails without a word (it sends crypto-NAKs
#    only for NTS), so the source is polled and never reached, never
#    selected. A reload with chronyd's secret in linetimed's keyfile
#    makes it reachable (a new secret under the same key ID takes effect);
#  - 198.18.0.23, the test server signing its replies with key 3 (SHA1)
#    under another secret than linetimed's: every reply is rejected, the
#    source's auth-fail counter rises (linetimectl, --json, metrics) and it
#    is never selected.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upstreams.sh"

GOOD=198.18.0.21
SILENT=198.18.0.22
FORGER=198.18.0.23
# Test keys only. chronyd's keyfile for SILENT has another secret for key 2.
KEY1=HEX:000102030405060708090A0B0C0D0E0F
KEY2=HEX:1111111111111111111111111111111111111111
KEY2_CHRONYD=HEX:2222222222222222222222222222222222222222
KEY3=HEX:3333333333333333333333333333333333333333
KEY3_FORGER=4444444444444444444444444444444444444444

CONF=$TMPD/linetime.conf
KEYS=$TMPD/linetime.keys
cp "$ROOT/board/lab/linetime.conf" "$CONF"
cat >>"$CONF" <<EOF
keyfile = "$KEYS";
servers = (
  { address = "$GOOD"; key = 1; iburst = true; minpoll = -1; maxpoll = 1; },
  { address = "$SILENT"; key = 2; iburst = true; minpoll = -1; maxpoll = 1; },
  { address = "$FORGER"; key = 3; iburst = true; minpoll = -1; maxpoll = 1; }
);
makestep = { threshold = 0.1; limit = 3; };
EOF
# linetimed re-reads the keyfile on reload as the lab's user.
write_keys() {
	printf '# t97 test keys\n1 AES128 %s\n2 SHA1 %s\n3 SHA1 %s\n' "$KEY1" "$1" "$KEY3" >"$KEYS.tmp" &&
		chmod 0644 "$KEYS.tmp" && mv "$KEYS.tmp" "$KEYS"
}
write_keys "$KEY2"
export LT_LAB_CONF=$CONF
SOCK=$(sed -n 's/^[[:space:]]*socket[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1)
T_END=$((SECONDS + 200))                # the whole test's bound (run.sh kills at 300 s)

# upstream_chronyd_keyed N ADDR KEYLINE: chronyd as upstream_chronyd starts
# it, with a keyfile of one line
upstream_chronyd_keyed() {
	local n=$1 addr=$2 conf="$TMPD/chronyd-$1.conf"
	upstream_addr_add "$addr" || return 1
	printf '%s\n' "$3" >"$TMPD/chronyd-$n.keys"
	chmod 0644 "$TMPD/chronyd-$n.keys"
	cat >"$conf" <<-EOF
		bindaddress $addr
		port 123
		allow all
		local stratum 1
		keyfile $TMPD/chronyd-$n.keys
		cmdport 0
		bindcmdaddress /
		pidfile $TMPD/chronyd-$n.pid
	EOF
	upstream_save "$n" chronyd "$addr" chronyd -4 -x -d -f "$conf" || return 1
	upstream_launch "$n"
}

diag() {
	echo "    linetimectl authdata:"
	ctl -n authdata 2>&1 | head -n 8 | sed 's/^/      /'
	echo "    linetimectl sources:"
	ctl -n sources 2>&1 | head -n 10 | sed 's/^/      /'
	echo "    linetimed log:"
	tail -n 15 /run/linetime-lab/linetimed.log 2>/dev/null | sed 's/^/      /'
}
# shellcheck disable=SC2317
authdata() { ctl --json authdata; }
# src ADDR: the Python expression for one source's JSON object in j
src() { echo "[s for s in j[\"sources\"] if s[\"address\"] == \"$1\"][0]"; }

lab_up
upstream_chronyd_keyed 1 "$GOOD" "1 AES128 $KEY1" || fail "chronyd at $GOOD with key 1"
upstream_chronyd_keyed 2 "$SILENT" "2 SHA1 $KEY2_CHRONYD" || fail "chronyd at $SILENT with key 2"
upstream_wrong 3 "$FORGER" 0 --mac "3:$KEY3_FORGER" || fail "test server at $FORGER signing with a wrong key 3"
[ "$FAILS" -eq 0 ] || finish

# --- a. the authenticated chronyd is selected ---
if ! pcheck "synchronised to $GOOD (stratum 2)" 40 "$TMPD/a.json" \
	'j["stratum"] == 2 and j["synchronised"] is True and j["reference"] == "'$GOOD'"' tracking; then
	diag
	finish
fi
pcheck "authdata: $GOOD SYM, key 1, AES128, 128 bits, replies authenticated, none rejected" 10 \
	"$TMPD/a2.json" 'len(j["sources"]) == 3 and (lambda s: s["mode"] == "SYM" and s["key_id"] == 1
	and s["type"] == "AES128" and s["bits"] == 128 and s["auth_ok"] >= 1
	and s["auth_fail"] + s["auth_keyid"] + s["auth_missing"] + s["crypto_nak"] == 0)('"$(src $GOOD)"')' authdata || diag

# --- b. the chronyd with another secret: polled, silent, never selected ---
pcheck "$SILENT: polled (sent >= 4) and never answered (reach 0, no replies)" 20 "$TMPD/b.json" \
	'(lambda s: s["sent"] >= 4 and s["reach"] == 0 and s["replies"] == 0
	  and s["state"] != "sys_peer" and s["state"] != "combined")('"$(src $SILENT)"')' sources || diag
check "$SILENT's chronyd is up: it answers an unauthenticated request" \
	in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q -t 1 "$SILENT"

# --- c. the forger: replies rejected and counted, never selected ---
pcheck "$FORGER: bad-MAC replies counted, none used, never selected" 20 "$TMPD/c.json" \
	'(lambda s: s["auth_fail"] >= 3 and s["accepted"] == 0 and s["reach"] == 0 and s["auth_ok"] == 0
	  and s["state"] not in ("sys_peer", "combined"))('"$(src $FORGER)"')' sources || diag
check "the test server answered $(cat "$TMPD/ntpupstream-3.count" 2>/dev/null || echo 0) requests" \
	test "$(cat "$TMPD/ntpupstream-3.count" 2>/dev/null || echo 0)" -ge 3
authdata >"$TMPD/c2.json"
check "authdata: $FORGER SYM key 3 SHA1 160 bits, auth_fail $("$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print([s["auth_fail"] for s in j["sources"] if s["address"] == sys.argv[2]][0])' "$TMPD/c2.json" "$FORGER" 2>/dev/null)" \
	py_assert '(lambda s: s["mode"] == "SYM" and s["key_id"] == 3 and s["type"] == "SHA1"
	and s["bits"] == 160 and s["auth_fail"] >= 3)('"$(src $FORGER)"')' "$TMPD/c2.json"
ctl metrics >"$TMPD/metrics.txt" 2>&1
check "metrics: linetime_source_replies_auth_bad_mac_total > 0 for $FORGER" \
	"$PY" -c 'import re, sys
t = open(sys.argv[1]).read()
m = re.search(r"^linetime_source_replies_auth_bad_mac_total\{[^}]*address=\"%s\"[^}]*\} (\S+)$" % re.escape(sys.argv[2]), t, re.M)
sys.exit(0 if m and float(m.group(1)) > 0 else 1)' "$TMPD/metrics.txt" "$FORGER"
check "metrics: linetime_source_key_id 1 for $GOOD" \
	grep -Eq "^linetime_source_key_id\{[^}]*address=\"$GOOD\"[^}]*\} 1$" "$TMPD/metrics.txt"
ctl -n authdata >"$TMPD/c3.txt" 2>&1
check "linetimectl authdata (table) shows $GOOD as SYM 1 AES128 128" \
	grep -Eq "^$GOOD +SYM +1 +AES128 +128 " "$TMPD/c3.txt"
ctl -n sources >"$TMPD/c4.txt" 2>&1
check "linetimectl sources says $FORGER's replies failed authentication" \
	grep -q "$FORGER: .* failed authentication with key 3" "$TMPD/c4.txt"
check "linetimed logged the authentication failure" \
	grep -q "source $FORGER: reply failed authentication with key 3 (auth_fail)" /run/linetime-lab/linetimed.log
check "still synchronised to $GOOD" py_assert 'j["reference"] == "'$GOOD'"' <(ctl --json tracking)

# --- d. reload with chronyd's secret for key 2: $SILENT answers ---
write_keys "$KEY2_CHRONYD"
ctl --json reload >"$TMPD/d.json" 2>&1
check "reload applies the new keyfile" py_assert '"keyfile/crypto_nak" in j["applied"]' "$TMPD/d.json" ||
	sed 's/^/      /' "$TMPD/d.json"
pcheck "$SILENT now authenticates: replies accepted, reachable" 20 "$TMPD/d2.json" \
	'(lambda s: s["auth_ok"] >= 1 and s["accepted"] >= 1 and s["reach"] != 0)('"$(src $SILENT)"')' \
	sources || diag
pcheck "$GOOD still authenticates after the reload" 10 "$TMPD/d3.json" \
	'(lambda s: s["auth_ok"] > '"$("$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print([s["auth_ok"] for s in j["sources"] if s["address"] == sys.argv[2]][0])' "$TMPD/c2.json" "$GOOD")"')('"$(src $GOOD)"')' \
	authdata || diag
echo "  t97 took $SECONDS s"
finish
