#!/bin/bash
# Malformed and hostile frames get no reply, no crash, and land in the right
# drop counters; a server-mode packet is punted to control over the ring.
. "$(dirname "$0")/lib.sh"

lab_up
mac=$(ctl_field ports "['ports'][0]['mac']")
ctl --json serverstats >"$TMPD/before.json"
in_ns "$PY" "$ROOT/tests/integration/hostile.py" lt-cl0 "$mac" 5 >"$TMPD/hostile.json"
sleep 0.5
ctl --json serverstats >"$TMPD/after.json"
cat "$TMPD/hostile.json"

check "no reply to any hostile frame" py_assert "j['hostile_replies'] == 0" "$TMPD/hostile.json"
check "no NTP reply longer than 48 bytes" py_assert "j['oversized_replies'] == 0" "$TMPD/hostile.json"

# Every tagged frame landed in its counter (>=: the client kernel may add some).
"$PY" - "$TMPD/hostile.json" "$TMPD/before.json" "$TMPD/after.json" >"$TMPD/deltas.txt" <<'PYEOF'
import json, sys
h, b, a = (json.load(open(f)) for f in sys.argv[1:4])
for name, n in sorted(h["expect"].items()):
    if name.startswith("kernel:"):
        continue  # held by the lab kernel before DPDK; only "no reply" applies
    d = a["counters"][name] - b["counters"][name]
    print("%s %d %d %s" % (name, n, d, "ok" if d >= n else "SHORT"))
PYEOF
while read -r name want got verdict; do
	check "$name: $want sent, counter +$got" test "$verdict" = ok
done <"$TMPD/deltas.txt"

check "control received the punted frames" \
	"$PY" -c "import json; b=json.load(open('$TMPD/before.json')); a=json.load(open('$TMPD/after.json')); exit(0 if a['control']['punt_udp'] - b['control']['punt_udp'] >= 5 else 1)"
check "dataplane still running" kill -0 "$(cat /run/linetime-lab/linetime-dp.pid)"
check "still answering after the flood" in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q 198.18.0.1
check "still answering IPv6 after the flood" in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q 2001:2::1
finish
