#!/bin/bash
# make bench-signd: the signed-time (MS-SNTP) path, measured in one run.
#
#   1. Samba alone: requests to its ntp_signd socket on one connection, one
#      at a time (latency) and pipelined (requests/s);
#   2. through linetime: MS-SNTP requests from the lab's client namespace to
#      linetime-dp, signed by the same Samba via linetimed, at windows of
#      1, 4 and 16 outstanding requests; every reply's MAC verified;
#      linetimed's own submit-to-signed latency from `linetimectl signd`.
#
# A real Samba AD DC is provisioned in a temporary directory (about 7 s,
# see tests/integration/samba.sh); the lab is scripts/lab.sh with
# ntpsigndsocket pointing at it. Everything is stopped and removed on exit.
# Prints one table; the figures go into docs/BENCHMARKS.md by hand.
# Environment: LT_SIGND_BENCH_COUNT (requests per step, default 2000).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
MSSNTP=$ROOT/tests/integration/mssntp.py
COUNT=${LT_SIGND_BENCH_COUNT:-2000}
[ "$(id -u)" -eq 0 ] || { echo "bench-signd: needs root" >&2; exit 1; }
. "$ROOT/tests/integration/samba.sh"

TMP=$(mktemp -d /tmp/lt-bench-signd.XXXXXX)
SD=$TMP/samba
CONF=$TMP/linetime.conf
cleanup() {
	LT_LAB_CONF=$CONF "$ROOT/scripts/lab.sh" down >/dev/null 2>&1
	samba_stop "$SD" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench-signd: provisioning a Samba AD DC (about 7 s)"
samba_provision "$SD" >/dev/null || { echo "bench-signd: provision failed ($SD/provision.log)" >&2; exit 1; }
RID=$(samba_add_machine "$SD" BENCHPC) || exit 1
samba_start "$SD" || exit 1
(cat "$ROOT/board/lab/linetime.conf"; echo "ntpsigndsocket = \"$SD/ntp_signd\";") >"$CONF"
export LT_LAB_CONF=$CONF
"$ROOT/scripts/lab.sh" up >/dev/null || { echo "bench-signd: lab up failed" >&2; exit 1; }
CTL() { "$ROOT/build/linetimectl" -s /run/linetime-lab/admin.sock "$@"; }

printf '\n%-44s %12s %10s %10s %10s\n' "Signed path ($COUNT requests per row)" "replies/s" "p50 ms" "p99 ms" "verified"
"$PY" "$MSSNTP" signd "$(samba_socket "$SD")" --rid "$RID" --password benchpc --count 200 \
	--pipeline "$COUNT" --window 16 --json >"$TMP/alone.json" 2>/dev/null
"$PY" - "$TMP/alone.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
lat = j["latency_ms"]; p = j.get("pipeline") or {}
ok = sum(1 for st in j["statuses"] if st == "ok")
print("%-44s %12s %10s %10s %10s" % ("Samba alone, one at a time", "-",
      "%.3f" % lat["p50"] if lat["p50"] is not None else "-",
      "%.3f max" % lat["max"] if lat["max"] is not None else "-", "%d/%d" % (ok, len(j["statuses"]))))
print("%-44s %12.0f %10s %10s %10s" % ("Samba alone, pipelined (window %s)" % p.get("window", "-"),
      p.get("requests_per_s", 0), p.get("latency_ms_p50", "-"), "-",
      "%d/%d" % (p.get("ok", 0), p.get("requests", 0))))
EOF
for w in 1 4 16; do
	ip netns exec lt-client "$PY" "$MSSNTP" load 198.18.0.1 --rid "$RID" --password benchpc \
		--count "$COUNT" --window "$w" --timeout 2 --time-limit 60 --json >"$TMP/load$w.json"
	"$PY" - "$TMP/load$w.json" "$w" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1])); l = j["latency_ms"]
f = lambda v: "%.3f" % v if v is not None else "-"
print("%-44s %12.0f %10s %10s %10s" % ("linetime + Samba, window %s" % sys.argv[2],
      j["replies_per_s"], f(l["p50"]), f(l["p99"]), "%d/%d" % (j["verified"], j["requested"])))
EOF
done
echo
CTL signd | sed -n 's/^Signing latency *: /linetimed submit-to-signed latency, all rows: /p'
CTL signd | sed -n '/^Failed/,$p'
