#!/bin/bash
# Two poll-mode workers, two RX queues: traffic spreads over both, each
# answers correctly and keeps its own client table, and control reads both.
# A 2-CPU machine has no spare core for a second worker, so both worker
# lcores share CPU 1 through EAL's --lcores map (passed by lab.sh).
#
# Lab limitation: the af_packet PMD spreads by the kernel's flow hash, which
# includes UDP ports, so one client may reach both workers here; real NICs
# are configured for RSS on addresses only (dataplane/port.c), which keeps a
# client on one worker's table and rate limit.
CONFX=$(mktemp /tmp/lt-conf.XXXXXX)
sed -e 's/lcores = \[ 1 \];/lcores = [ 1, 2 ];/' \
    -e 's/net_af_packet0,iface=lt-dp0"/net_af_packet0,iface=lt-dp0,qpairs=2"/' \
    -e 's/queues = 1;/queues = 2;/' "$(dirname "$0")/../../board/lab/linetime.conf" >"$CONFX"
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA=$CONFX LT_DP_EAL="--lcores 0@0,1@1,2@1"
. "$(dirname "$0")/lib.sh"
if ! grep -q "lcores = \[ 1, 2 \]" "$CONF" || ! grep -q "queues = 2" "$CONF"; then
	fail "test config has two workers and two queues"; finish
fi

lab_up
check "two workers started" test "$(grep -c 'worker [01] on lcore' /run/linetime-lab/linetime-dp.log)" -eq 2

lost=0
for i in $(seq 30); do
	in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q -c 2 -t 0.5 198.18.0.1 || lost=$((lost + 1))
	in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q -t 0.5 2001:2::1 || lost=$((lost + 1))
done
check "60 sockets x 3 requests answered over IPv4 and IPv6" test "$lost" -eq 0

ctl --json serverstats >"$TMPD/stats.json"
check "serverstats lists two workers" py_assert "len(j['workers']) == 2" "$TMPD/stats.json"
check "both workers received traffic" py_assert "all(w['rx_frames'] > 5 for w in j['workers'])" "$TMPD/stats.json"
check "all 90 answered" py_assert "j['counters']['ntp_replies'] >= 90" "$TMPD/stats.json"
ctl --json clients --limit 0 >"$TMPD/clients.json"
check "control reads the client tables of both workers" \
	py_assert "{c['worker'] for c in j['clients']} == {0, 1}" "$TMPD/clients.json"
ctl --json ratelimit >"$TMPD/rl.json"
check "one client table per worker" py_assert "j['clientlog']['tables'] == 2" "$TMPD/rl.json"
out=$(in_ns chronyd -Q -t 10 "pidfile $TMPD/chronyd-q.pid" "server 198.18.0.1 iburst maxsamples 4" 2>&1 | grep "wrong by")
echo "  chronyd -Q: $out"
check "chronyd -Q gets time from the two-worker dataplane" test -n "$out"
finish
