#!/bin/bash
# Real clients get correct time from the DPDK dataplane over IPv4 and IPv6:
# ntpdig (ntpsec), chronyd -Q (chrony 4.3), and NTP versions 1-4 with every
# reply field checked. |offset| against the host clock must be under 1 ms.
. "$(dirname "$0")/lib.sh"

lab_up
before=$(counter ntp_replies)

for addr in 198.18.0.1 2001:2::1; do
	out=$(in_ns ntpdig -t 2 "$addr" 2>&1)
	echo "  ntpdig $addr: $out"
	# "2026-11-21 22:23:13.41011 (+0000) +0.000012 +/- 0.000128 198.18.0.1 s10 no-leap"
	check "ntpdig $addr: |offset| < 1 ms" awk -v l="$out" 'BEGIN { split(l, f, " "); o = f[4] + 0; exit !(f[4] ~ /^[-+][0-9.]+$/ && o < 0.001 && o > -0.001) }'
	check "ntpdig $addr: stratum 10, no leap" grep -q " s10 no-leap" <<<"$out"

	out=$(in_ns chronyd -Q -t 10 "pidfile $TMPD/chronyd-q.pid" "server $addr iburst maxsamples 4" 2>&1)
	line=$(grep "System clock wrong by" <<<"$out")
	echo "  chronyd -Q $addr: ${line:-$out}"
	off=$(sed -n 's/.*wrong by \([-+0-9.e]*\) seconds.*/\1/p' <<<"$line")
	check "chronyd -Q $addr: answered" test -n "$off"
	check "chronyd -Q $addr: |offset| < 1 ms" awk -v o="${off:-9}" 'BEGIN { exit !(o < 0.001 && o > -0.001) }'

	for v in 1 2 3 4; do
		in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" --json -c 3 -v $v "$addr" >"$TMPD/q.json"
		check "NTPv$v $addr: 3 replies, mode 4, version $v, origin echoed" \
			py_assert "len(j['replies']) == 3 and all(r['mode'] == 4 and r['version'] == $v and r['origin_ok'] and r['length'] == 48 for r in j['replies'])" "$TMPD/q.json"
		check "NTPv$v $addr: stratum 10, leap 0, refid LOCL, precision set" \
			py_assert "all(r['stratum'] == 10 and r['leap'] == 0 and r['refid_text'] == 'LOCL' and -32 < r['precision'] < -10 for r in j['replies'])" "$TMPD/q.json"
		check "NTPv$v $addr: receive <= transmit, |offset| < 1 ms" \
			py_assert "all(r['server_time_ok'] and abs(r['offset']) < 0.001 for r in j['replies'])" "$TMPD/q.json"
	done
done

after=$(counter ntp_replies)
# 2 x (ntpdig 1 + chronyd -Q >= 2 + 4 versions x 3)
check "serverstats counted the replies ($before -> $after)" test $((after - before)) -ge 30
check "linetimectl ports shows lan0 on af_packet with TSC timestamps" \
	bash -c "'$CTL' -s '$SOCK' ports | grep lan0 | grep -q af_packet && '$CTL' -s '$SOCK' --json ports | grep -q '\"timestamping\": *\"tsc\"'"
finish
