#!/bin/bash
# Abuse resistance in the dataplane: a flooder is held to the configured rate
# (KoD RATE for a share of the rest, replies never longer than requests)
# while well-behaved clients keep getting correct time; a denied prefix gets
# nothing, then KoD DENY after a live reload; an invalid reload changes
# nothing; no reload restarts the dataplane or loses a legitimate request.
CONFX=$(mktemp /tmp/lt-conf.XXXXXX)
write_conf() {  # write_conf KOD_DENY [EXTRA_RULE]
	cat "$(dirname "$0")/../../board/lab/linetime.conf" >"$CONFX"
	cat >>"$CONFX" <<EOT
access = [ "allow 198.18.0.0/24", "deny 198.18.0.8/29", "allow 2001:2::/48"${2:+, \"$2\"} ];
kod_deny = $1;
ratelimit = { interval = -3; burst = 8; leak = 4; kod = 1; };
EOT
}
write_conf false
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA=$CONFX
. "$(dirname "$0")/lib.sh"

Q="$ROOT/tests/integration/ntpquery.py"
jget() { "$PY" -c "import json,sys; j=json.load(sys.stdin); print(j$1)"; }

lab_up
in_ns ip addr add 198.18.0.3/24 dev lt-cl0
in_ns ip addr add 198.18.0.9/24 dev lt-cl0
dp_pid=$(cat /run/linetime-lab/linetime-dp.pid)
epoch0=$(ctl --json status | jget "['dataplane']['epoch']")

check "ratelimit shows the policy" bash -c "'$CTL' -s '$SOCK' ratelimit | grep -q 'deny 198.18.0.8/29'"

# --- a flood from 198.18.0.3 while 198.18.0.2 keeps asking -------------------
in_ns "$PY" "$ROOT/tests/integration/flood.py" 198.18.0.3 198.18.0.1 3000 0.001 --ext >"$TMPD/flood.json" &
flood_pid=$!
good=0
for i in 1 2 3; do
	out=$(in_ns ntpdig -t 2 198.18.0.1 2>&1)
	grep -q " s10 no-leap" <<<"$out" && good=$((good + 1))
	sleep 0.5
done
out=$(in_ns chronyd -Q -t 10 "pidfile $TMPD/chronyd-q.pid" "server 198.18.0.1 iburst maxsamples 4" 2>&1 | grep "wrong by")
wait "$flood_pid"
cat "$TMPD/flood.json"
echo "  chronyd -Q during the flood: $out"
check "well-behaved ntpdig answered during the flood (3 of 3)" test "$good" -eq 3
check "chronyd -Q (iburst) answered during the flood" test -n "$out"

# Allowed: burst 8 + 8/s for the flood's ~4 s, plus 1 in 16 of the rest leaked.
check "flooder held to the limit: answered between 1/32 and 1/8 of 3000" \
	py_assert "94 <= j['replies'] <= 375 and j['sent'] == 3000" "$TMPD/flood.json"
check "about half of the limited requests got KoD RATE" \
	py_assert "900 <= j['kod_rate'] <= 1900" "$TMPD/flood.json"
# The flood's 72-byte requests end in a MAC under key 0, which no keyfile
# has: a crypto-NAK (52 bytes) or a bare KoD (48), never longer.
check "no reply longer than 52 bytes to 72-byte requests" py_assert "0 < j['max_len'] <= 52" "$TMPD/flood.json"
check "every reply matched a request" py_assert "j['bad_origin'] == 0" "$TMPD/flood.json"

ctl --json clients --limit 0 >"$TMPD/clients.json"
check "clients lists the flooder with its limited requests" \
	py_assert "any(c['address'] == '198.18.0.3' and c['hits'] == 3000 and c['limited'] > 2500 and c['kod'] > 900 for c in j['clients'])" "$TMPD/clients.json"
check "clients lists the well-behaved client, never limited" \
	py_assert "any(c['address'] == '198.18.0.2' and c['limited'] == 0 for c in j['clients'])" "$TMPD/clients.json"
check "clients table renders" bash -c "'$CTL' -s '$SOCK' clients | grep -q '198.18.0.3'"

# --- a denied client ----------------------------------------------------------
before=$(counter drop_acl_deny)
in_ns "$PY" "$Q" --json -c 2 -t 0.3 -s 198.18.0.9 198.18.0.1 >"$TMPD/denied.json" 2>/dev/null
check "denied client (198.18.0.9 in deny 198.18.0.8/29) gets nothing" py_assert "j['replies'] == [] and j['lost'] == 2" "$TMPD/denied.json"
check "drop_acl_deny counted it" test "$(counter drop_acl_deny)" -ge $((before + 2))

# --- reload with KoD DENY on, under query load ---------------------------------
in_ns "$PY" "$Q" --json -c 20 -i 0.2 -t 0.5 198.18.0.1 >"$TMPD/during.json" &
load_pid=$!
sleep 0.3
write_conf true
ctl reload >"$TMPD/reload.txt" 2>&1
check "reload applied the policy" grep -q "Applied: access/ratelimit/kod_deny" "$TMPD/reload.txt"
sleep 0.2
in_ns "$PY" "$Q" --json -t 0.5 -s 198.18.0.9 198.18.0.1 >"$TMPD/kod.json"
check "after reload the denied client gets KoD DENY (stratum 0, refid DENY, leap 3)" \
	py_assert "j['replies'][0]['stratum'] == 0 and j['replies'][0]['refid_text'] == 'DENY' and j['replies'][0]['leap'] == 3" "$TMPD/kod.json"
wait "$load_pid"
check "no legitimate request lost across the reload (20 of 20, at 5/s under the 8/s limit)" py_assert "len(j['replies']) == 20 and j['lost'] == 0" "$TMPD/during.json"
check "the dataplane was not restarted" test "$(cat /run/linetime-lab/linetime-dp.pid)" = "$dp_pid"
check "the dataplane epoch is unchanged" test "$(ctl --json status | jget "['dataplane']['epoch']")" = "$epoch0"

# --- an invalid file is rejected and changes nothing ---------------------------
gen=$(ctl --json ratelimit | jget "['generation']")
write_conf true "allow 198.18.0.0/33"
out=$(ctl reload 2>&1); rc=$?
echo "  invalid reload: $out"
check "invalid reload fails (exit 1)" test "$rc" -eq 1
check "invalid reload names file, line and setting" grep -q "$CONFX:[0-9]*: access.\[3\]" <<<"$out"
check "policy generation unchanged after the invalid reload" test "$(ctl --json ratelimit | jget "['generation']")" = "$gen"
in_ns "$PY" "$Q" --json -t 0.5 -s 198.18.0.9 198.18.0.1 >"$TMPD/kod2.json"
check "KoD DENY still in force" py_assert "j['replies'][0]['refid_text'] == 'DENY'" "$TMPD/kod2.json"

# --- SIGHUP does the same as reload ---------------------------------------------
write_conf false
reloads=$(ctl --json status | jget "['reloads']")
kill -HUP "$(cat /run/linetime-lab/linetimed.pid)"
sleep 0.5
check "SIGHUP reloaded" test "$(ctl --json status | jget "['reloads']")" -eq $((reloads + 1))
in_ns "$PY" "$Q" --json -c 2 -t 0.3 -s 198.18.0.9 198.18.0.1 >"$TMPD/denied2.json" 2>/dev/null
check "after SIGHUP the denied client is silent again" py_assert "j['replies'] == []" "$TMPD/denied2.json"
check "IPv6 client allowed by 2001:2::/48" in_ns "$PY" "$Q" -q 2001:2::1
finish
