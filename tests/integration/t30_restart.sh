#!/bin/bash
# Either process may be killed and restarted while queries run:
#  - dataplane killed: no answers; restarted: answers again, counters kept
#    (the region persists), control notices the new epoch;
#  - control killed: the dataplane keeps answering with the last clock
#    until the holdover (3 s here) passes, then says leap 3 / stratum 16;
#    control restarted: it re-attaches and replies are synchronised again.
CONFX=$(mktemp /tmp/lt-conf.XXXXXX)
sed 's/^\([[:space:]]*holdover[[:space:]]*=\).*/\1 3.0;/' "$(dirname "$0")/../../board/lab/linetime.conf" >"$CONFX"
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA=$CONFX
. "$(dirname "$0")/lib.sh"
if ! grep -q "holdover = 3.0" "$CONF"; then fail "test config has holdover 3 s"; finish; fi

q() { in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" --json -t 0.5 "$@" 198.18.0.1; }
field() { "$PY" -c "import json,sys; r=json.load(sys.stdin)['replies']; print(r[0]['$1'] if r else 'none')"; }
status_field() { ctl_field status "$1"; }

lab_up

# Background query load across all the restarts: a request every ~50 ms.
in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" --json -c 300 -i 0.04 -t 0.05 198.18.0.1 >"$TMPD/load.json" &
load_pid=$!

sleep 1
replies0=$(counter ntp_replies)
epoch0=$(status_field "['dataplane']['epoch']")

# --- the dataplane dies ---
kill -KILL "$(cat /run/linetime-lab/linetime-dp.pid)"
sleep 0.5
check "dataplane killed: no answer" test "$(q | field mode)" = none
"$LAB" start-dp
check "dataplane restarted: answering again" "$LAB" wait
check "counters survived the restart (>= $replies0)" test "$(counter ntp_replies)" -ge "$replies0"
sleep 1.5
check "control saw the new dataplane epoch" test "$(status_field "['dataplane']['epoch']")" -eq $((epoch0 + 1))
check "control reports the dataplane alive" test "$(status_field "['dataplane']['alive']")" = True

# --- control dies ---
kill -KILL "$(cat /run/linetime-lab/linetimed.pid)"
out=$(q)
check "control killed: still answering, synchronised (leap 0, stratum 10)" \
	test "$(field leap <<<"$out")/$(field stratum <<<"$out")" = "0/10"
sleep 4
out=$(q)
check "after the 3 s holdover: leap 3, stratum 16" \
	test "$(field leap <<<"$out")/$(field stratum <<<"$out")" = "3/16"
"$LAB" start-ctl
sleep 1.5
out=$(q)
check "control restarted: synchronised again (leap 0, stratum 10)" \
	test "$(field leap <<<"$out")/$(field stratum <<<"$out")" = "0/10"
check "offset under 1 ms after the control restart" \
	"$PY" -c "import json,sys; r=json.loads(sys.argv[1])['replies'][0]; sys.exit(0 if abs(r['offset']) < 0.001 else 1)" "$out"
check "restarted control reads the dataplane's counters" test "$(counter ntp_replies)" -gt "$replies0"
check "restarted control sees the dataplane alive" test "$(status_field "['dataplane']['alive']")" = True

wait "$load_pid"
okn=$("$PY" -c "import json; print(len(json.load(open('$TMPD/load.json'))['replies']))")
lost=$("$PY" -c "import json; print(json.load(open('$TMPD/load.json'))['lost'])")
echo "  background load: $okn answered, $lost lost (the dataplane was down for part of it)"
check "background load answered before, during and after the restarts" test "$okn" -gt 150
finish
