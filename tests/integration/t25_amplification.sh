#!/bin/bash
# Amplification audit (DESIGN.md hard rule: a reply is never larger than its
# request; mode 6/7 requests are never answered). amplify.py sends every
# request kind the code knows, over IPv4 and IPv6 - NTP modes 0-7 x versions
# 0-7 with extension fields, MACs of 20 and 24 bytes, crypto-NAK, MS-SNTP
# requests of 68, 72 and 120 bytes, short packets, ARP, ICMP/ICMPv6 echo,
# neighbour solicitations - then 3000 random UDP payloads to port 123 and
# 1500 random frames, captures every frame the appliance sends back, and
# ties each reply to its request:
#  - no reply is larger than its request (UDP payload; ICMP message; ARP
#    frame), except the one exception RFC 4861 7.2.4 makes for ND (below);
#  - no reply at all to mode 6 or 7, and none that answers no request;
#  - for the known and random phases, every counter the classifier bumps
#    moved by exactly what the documented rules predict, and every reply
#    serverstats counted was seen on the wire.
# MS-SNTP signing is on, through fakesignd.py, so the one reply control
# builds (68 bytes, signed) is audited too.
CONFX=$(mktemp /tmp/lt-conf.XXXXXX)
SD=$(mktemp -d /tmp/lt-signd.XXXXXX)
(cat "$(dirname "$0")/../../board/lab/linetime.conf"; echo "ntpsigndsocket = \"$SD\";") >"$CONFX"
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA="$CONFX $SD"
. "$(dirname "$0")/lib.sh"

"$PY" "$ROOT/tests/integration/fakesignd.py" "$SD" --mode sign --max-seconds 200 &
for _ in $(seq 50); do [ -S "$SD/socket" ] && break; sleep 0.1; done
lab_up
for _ in $(seq 30); do [ "$(ctl_field signd "['state']")" = connected ] && break; sleep 0.1; done
check "signd connected to the fake signer" test "$(ctl_field signd "['state']")" = connected

mac=$(ctl_field ports "['ports'][0]['mac']")
start=$SECONDS
in_ns "$PY" "$ROOT/tests/integration/amplify.py" lt-cl0 "$mac" --ctl "$CTL -s $SOCK" --signing \
	--random 3000 --frames 1500 --time-limit 120 >"$TMPD/amp.json" 2>"$TMPD/amp.err"
rc=$?
check "amplify.py ran (exit $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || { tail -n 20 "$TMPD/amp.err"; finish; }
"$PY" - "$TMPD/amp.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
for ph in ("known", "random", "frames"):
    r = j[ph]
    print("  %-6s sent %5d, replies %5d (matched %d, equal size %d, NTP 48-byte %d, signed 68-byte %d)"
          % (ph, r["sent"], r["replies"], r["matched"], r["equal"], r["ntp48_replies"], r["signed68_replies"]))
    for e in r["examples"]:
        print("         example:", e)
print("  %.1f s in amplify.py" % j["seconds"])
EOF
check "within its time limit" py_assert "not j['timed_out']" "$TMPD/amp.json"

for ph in known random frames; do
	check "$ph: every frame sent" py_assert "j['$ph']['sent'] == j['$ph']['frames']" "$TMPD/amp.json"
	check "$ph: no reply larger than its request" py_assert "j['$ph']['larger'] == 0" "$TMPD/amp.json"
	check "$ph: no reply that answers no request" py_assert "j['$ph']['unmatched'] == 0" "$TMPD/amp.json"
	check "$ph: no reply to NTP mode 6 or 7" py_assert "j['$ph']['mode67_replies'] == 0" "$TMPD/amp.json"
	check "$ph: at most one reply per request" py_assert "j['$ph'].get('second_replies', 0) == 0" "$TMPD/amp.json"
	check "$ph: the dataplane received every frame" \
		py_assert "j['$ph']['delta']['rx_frames'] >= j['$ph']['sent']" "$TMPD/amp.json"
done

# The oracle against serverstats: each counter moved by what the rules
# predict. ARP and ND may gain a few from the client kernel's own traffic.
# oracle FILE PHASE
oracle() {
	"$PY" - "$1" "$2" >"$TMPD/oracle-$2.txt" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))[sys.argv[2]]
for name, want in sorted(r["expect"].items()):
    got = r["delta"].get(name, 0)
    slack = 3 if name in ("arp_replies", "nd_adverts") else 0
    print(name, want, got, "ok" if want <= got <= want + slack else "WRONG")
EOF
	while read -r name want got verdict; do
		check "$2: $name: $want predicted, counter +$got" test "$verdict" = ok
	done <"$TMPD/oracle-$2.txt"
	if grep -q WRONG "$TMPD/oracle-$2.txt"; then
		echo "  $2: every counter that moved:"
		"$PY" -c "import json; d=json.load(open('$1'))['$2']['delta']; print('   ', ', '.join('%s +%d' % kv for kv in sorted(d.items()) if kv[1]))"
	fi
}
for ph in known random; do
	oracle "$TMPD/amp.json" "$ph"
	check "$ph: every NTP reply counted was captured (ntp_replies == 48-byte replies seen)" \
		py_assert "j['$ph']['delta']['ntp_replies'] == j['$ph']['ntp48_replies']" "$TMPD/amp.json"
	check "$ph: every MS-SNTP request was signed and its 68-byte reply captured" \
		py_assert "j['$ph']['signed68_replies'] == j['$ph']['expect'].get('mssntp_punted', 0) == j['$ph']['signd_delta']['sent']" "$TMPD/amp.json"
done
check "known: MS-SNTP requests were among them (v3, 68 bytes, both families)" \
	py_assert "j['known']['expect'].get('mssntp_punted', 0) >= 2" "$TMPD/amp.json"
check "known: NTP modes 6 and 7 were sent and dropped as such" \
	py_assert "j['known']['delta']['drop_ntp_mode_control'] > 100 and j['known']['delta']['drop_ntp_mode_private'] > 100" "$TMPD/amp.json"

# RFC 4861 7.2.4: an advert answering a solicitation that carried no source
# link-layer address still carries ours (8 bytes), and must for a multicast
# one (DAD included). ND never leaves the link (hop limit 255), so this is
# no reflection vector; it is reported and bounded, not failed.
check "ND: only solicitations without a link-layer option grew, by 8 bytes" \
	py_assert "all(v.get('grown_by', 8) == 8 for k, v in j['known']['by_kind'].items() if k.startswith('nd_'))
	           and all('grown_by' not in v for k, v in j['known']['by_kind'].items() if k in ('nd_ns_multicast', 'nd_ns_unicast'))" \
	"$TMPD/amp.json"
grown=$("$PY" -c "import json; j=json.load(open('$TMPD/amp.json')); print(sorted(k for k, v in j['known']['by_kind'].items() if 'grown_by' in v))")
echo "  note: ND adverts 8 bytes longer than their solicitation: $grown"

# --- again under a policy that denies the sender, with KoD DENY: every
# answerable request now gets a Kiss-o'-Death, which must not be larger
# either; a denied MS-SNTP request is dropped, never answered unsigned.
cat >>"$CONFX" <<'EOF'
access = [ "allow 198.18.0.0/15", "allow 2001:2::/48", "deny 198.18.0.100", "deny 2001:2::100" ];
kod_deny = true;
EOF
check "reload with the sender denied" bash -c "'$CTL' -s '$SOCK' reload | grep -q 'access/ratelimit/kod_deny'"
sleep 0.1
in_ns "$PY" "$ROOT/tests/integration/amplify.py" lt-cl0 "$mac" --ctl "$CTL -s $SOCK" --signing \
	--phases known --deny-kod --time-limit 60 >"$TMPD/deny.json" 2>"$TMPD/deny.err"
rc=$?
check "amplify.py --deny-kod ran (exit $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -n 20 "$TMPD/deny.err"
"$PY" -c "import json; r=json.load(open('$TMPD/deny.json'))['denied']; print('  denied: sent %d, replies %d, KoD %d, examples %s' % (r['sent'], r['replies'], r['ntp48_replies'], r['examples']))"
oracle "$TMPD/deny.json" denied
check "denied: no reply larger than its request" py_assert "j['denied']['larger'] == 0 and j['denied']['sent'] == j['denied']['frames']" "$TMPD/deny.json"
check "denied: no unmatched reply, none to mode 6 or 7" \
	py_assert "j['denied']['unmatched'] == 0 and j['denied']['mode67_replies'] == 0" "$TMPD/deny.json"
check "denied: KoD DENY for every answerable request (kod_deny_sent == predicted == seen), no normal reply" \
	py_assert "j['denied']['delta']['kod_deny_sent'] == j['denied']['expect']['kod_deny_sent'] == j['denied']['ntp48_replies'] > 0 and j['denied']['delta']['ntp_replies'] == 0" "$TMPD/deny.json"
check "denied: MS-SNTP dropped, not signed" \
	py_assert "j['denied']['signed68_replies'] == 0 and j['denied']['delta']['drop_acl_deny'] == j['denied']['expect']['drop_acl_deny']" "$TMPD/deny.json"

check "dataplane still running" kill -0 "$(cat /run/linetime-lab/linetime-dp.pid)"
check "linetimed still running" kill -0 "$(cat /run/linetime-lab/linetimed.pid)"
check "still answering IPv4" in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q 198.18.0.1
check "still answering IPv6" in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q 2001:2::1
echo "  t25 took $((SECONDS - start)) s after the lab came up"
finish
