#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# The operator's interface against a running lab appliance synchronised to
# one chronyd upstream:
#  - every linetimectl command answers, as a table and as --json, and has -h;
#  - reload applies a new server, access rules and health thresholds while
#    clients are being answered (none lost, dataplane not restarted); an
#    invalid file is rejected with file:line:setting and changes nothing;
#  - access: nobody outside the groups is refused, admin.group may read but
#    not change, admin.write_group may change;
#  - malformed, oversized, pipelined, idle and too many admin clients get
#    their documented answers and the daemon keeps serving;
#  - health exits 0, 1, 2 and 3 through real states (thresholds, a stopped
#    dataplane, an unreachable linetimed) with Nagios perfdata;
#  - metrics, from linetimectl and from the HTTP listener, parse with the
#    Prometheus client library's parser and agree with serverstats.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upstreams.sh"

RO_GROUP=lt-t92-read
RW_GROUP=lt-t92-write
METRICS_PORT=19123
T_END=$((SECONDS + 240))

# Test groups, removed on exit; the ro/rw client runs as nobody with them.
eval "t92_prev_cleanup() $(declare -f cleanup | sed 1d)"
# shellcheck disable=SC2317
cleanup() {
	t92_prev_cleanup
	groupdel "$RO_GROUP" 2>/dev/null
	groupdel "$RW_GROUP" 2>/dev/null
}
for g in "$RO_GROUP" "$RW_GROUP"; do
	getent group "$g" >/dev/null || groupadd --system "$g" || { fail "groupadd $g"; finish; }
done
RO_GID=$(getent group "$RO_GROUP" | cut -d: -f3)
RW_GID=$(getent group "$RW_GROUP" | cut -d: -f3)

# linetimectl where nobody can run it (the checkout may not be reachable).
BIN=$(mktemp -d /tmp/lt-t92-bin.XXXXXX)
LT_TMP_EXTRA=$BIN
chmod 755 "$BIN"
cp "$CTL" "$BIN/linetimectl"
# as_nobody GIDS ARGS...: linetimectl as uid/gid 65534 with these
# supplementary groups (comma-separated; "" for none)
as_nobody() {
	local groups=$1
	shift
	if [ -n "$groups" ]; then
		setpriv --reuid=65534 --regid=65534 --groups="$groups" "$BIN/linetimectl" -s "$SOCK" "$@"
	else
		setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN/linetimectl" -s "$SOCK" "$@"
	fi
}

CONF=$TMPD/linetime.conf
sed -e 's/^  group = "";.*$/  group = "'$RO_GROUP'"; write_group = "'$RW_GROUP'";/' \
	"$ROOT/board/lab/linetime.conf" >"$CONF"
cat >>"$CONF" <<EOF
servers = ( { address = "198.18.0.11"; iburst = true; minpoll = -1; maxpoll = 1; } );
logdir = "$TMPD/log";
metrics = { listen = "127.0.0.1:$METRICS_PORT"; };
EOF
mkdir -p "$TMPD/log"
export LT_LAB_CONF=$CONF
if ! grep -q "write_group = \"$RW_GROUP\"" "$CONF"; then
	fail "test config has the admin groups"
	finish
fi

lab_up
upstream_chronyd 1 198.18.0.11 || { fail "chronyd at 198.18.0.11"; finish; }
pcheck "synchronised to 198.18.0.11" 40 "$TMPD/sync.json" \
	'j["synchronised"] is True and j["reference"] == "198.18.0.11"' ctl --json tracking || finish

# --- every command, both forms, and -h -------------------------------------
declare -A KEY=([serverstats]=counters [ports]=ports [status]=dataplane [tracking]=stratum
	[sources]=sources [sourcestats]=sources [activity]=online [clients]=clients
	[ratelimit]=access [signd]=state [health]=checks [metrics]=text [help]=commands
	[version]=protocol [cyclelogs]=files [makestep]=stepped)
for cmd in "${!KEY[@]}"; do
	rc=0; ctl "$cmd" >"$TMPD/h.txt" 2>&1 || rc=$?
	[ "$cmd" = health ] && [ "$rc" -le 1 ] && rc=0       # a WARNING is a valid answer here
	check "$cmd: table, exit 0, not empty" test "$rc" -eq 0 -a -s "$TMPD/h.txt"
	rc=0; ctl --json "$cmd" >"$TMPD/j.json" 2>&1 || rc=$?
	[ "$cmd" = health ] && [ "$rc" -le 1 ] && rc=0
	check "$cmd --json: an object with \"${KEY[$cmd]}\"" \
		bash -c "[ $rc -eq 0 ] && '$PY' -c \"import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if isinstance(j, dict) and '${KEY[$cmd]}' in j else 1)\" '$TMPD/j.json'"
	check "$cmd -h: usage, exit 0" bash -c "'$CTL' $cmd -h | grep -q '^usage: linetimectl .*$cmd'"
done
check "sources -n: the address, numeric" bash -c "'$CTL' -s '$SOCK' -n sources | grep -q '198.18.0.11'"
check "burst: accepted" bash -c "'$CTL' -s '$SOCK' burst 1/2 | grep -qi 'burst'"
out=$(ctl add server 198.18.0.99 2>&1); rc=$?
check "add server 198.18.0.99: exit 0 ($out)" test "$rc" -eq 0
out=$(ctl delete 198.18.0.99 2>&1); rc=$?
check "delete 198.18.0.99: exit 0 ($out)" test "$rc" -eq 0
out=$(ctl delete 198.18.0.99 2>&1); rc=$?
check "delete of a source that is not there: exit 1 ($out)" test "$rc" -eq 1
check "burst --json: how many sources" bash -c "'$CTL' -s '$SOCK' --json burst | grep -q '\"sources\": *1'"
check "add server --json: its name" bash -c "'$CTL' -s '$SOCK' --json add server 198.18.0.98 | grep -q '\"name\": *\"198.18.0.98\"'"
check "delete --json: its name" bash -c "'$CTL' -s '$SOCK' --json delete 198.18.0.98 | grep -q '\"name\": *\"198.18.0.98\"'"
for cmd in burst "add server" delete reload; do
	check "$cmd -h: usage, exit 0" bash -c "'$CTL' $cmd -h | grep -q '^usage: linetimectl .*$cmd'"
done
out=$(ctl frobnicate 2>&1); rc=$?
check "unknown command: usage error, exit 2" test "$rc" -eq 2
out=$("$CTL" -s "$TMPD/no.sock" status 2>&1); rc=$?
check "no daemon on the socket: exit 3 ($out)" test "$rc" -eq 3

# --- reload under load ------------------------------------------------------
upstream_chronyd 2 198.18.0.12 || fail "chronyd at 198.18.0.12"
dp_epoch=$(ctl_field status "['dataplane']['epoch']")
dp_pid=$(ctl_field status "['dataplane']['pid']")
in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" --json -q -c 60 -i 0.05 198.18.0.1 >"$TMPD/load.json" 2>&1 &
load=$!
sleep 0.5
sed -i 's/^servers = .*$/servers = ( { address = "198.18.0.11"; iburst = true; minpoll = -1; maxpoll = 1; }, { address = "198.18.0.12"; iburst = true; minpoll = -1; maxpoll = 1; } );/' "$CONF"
cat >>"$CONF" <<EOF
access = [ "deny", "allow 198.18.0.0/15", "allow 2001:2::/48" ];
health = { sources_warning = 2; };
EOF
ctl --json reload >"$TMPD/reload.json" 2>&1
check "reload applied the new server, the access rules and the thresholds" py_assert \
	'any(a.startswith("servers/pools (1 added, 0 removed, 0 changed") for a in j["applied"])
	and "access/ratelimit/kod_deny" in j["applied"] and "health" in j["applied"]
	and j["restart_needed"] == []' "$TMPD/reload.json" || seen "$TMPD/reload.json"
sleep 0.3
echo 'frobnicate = 1;' >>"$CONF"
out=$(ctl reload 2>&1); rc=$?
echo "  invalid reload: $out"
check "invalid reload: exit 1, file:line: setting: reason" \
	bash -c "[ $rc -eq 1 ] && grep -q '$CONF:[0-9]*: frobnicate: unknown setting' <<<'$out'"
sed -i '/^frobnicate/d' "$CONF"
kill -HUP "$(cat /run/linetime-lab/linetimed.pid)"
wait "$load"
check "no request lost across three reloads (60 of 60)" \
	py_assert "len(j['replies']) == 60 and j['lost'] == 0" "$TMPD/load.json" || seen "$TMPD/load.json"
check "the dataplane was not restarted (pid $dp_pid, epoch $dp_epoch)" \
	test "$(ctl_field status "['dataplane']['epoch']")-$(ctl_field status "['dataplane']['pid']")" = "$dp_epoch-$dp_pid"
check "status counts 2 reloads (API and SIGHUP) and 1 failed" \
	test "$(ctl_field status "['reloads']")-$(ctl_field status "['reloads_failed']")" = "2-1"
pcheck "both servers are sources, both reachable" 20 "$TMPD/src.json" \
	'sorted(s["address"] for s in j["sources"]) == ["198.18.0.11", "198.18.0.12"] and all(s["reach"] > 0 for s in j["sources"])' \
	ctl --json sources
check "the access rules are in force" bash -c "'$CTL' -s '$SOCK' --json ratelimit | grep -q 'allow 198.18.0.0/15'"

# --- access by group --------------------------------------------------------
out=$(as_nobody "" status 2>&1); rc=$?
check "nobody without the groups: refused, exit 3 ($out)" bash -c "[ $rc -eq 3 ] && grep -qi 'permission denied' <<<'$out'"
out=$(as_nobody "$RO_GID" status 2>&1); rc=$?
check "admin.group member: status works" test "$rc" -eq 0
out=$(as_nobody "$RO_GID" reload 2>&1); rc=$?
check "admin.group member: reload refused, exit 1 ($out)" \
	bash -c "[ $rc -eq 1 ] && grep -q \"needs write access\" <<<\"\$0\"" "$out"
out=$(as_nobody "$RO_GID,$RW_GID" reload 2>&1); rc=$?
check "admin.write_group member: reload works ($out)" test "$rc" -eq 0
out=$(as_nobody "$RO_GID,$RW_GID" makestep 2>&1); rc=$?
check "admin.write_group member: makestep works" test "$rc" -eq 0

# --- hostile admin clients --------------------------------------------------
"$PY" "$ROOT/tests/integration/adminprobe.py" "$SOCK" >"$TMPD/probe.json" 2>"$TMPD/probe.err" ||
	{ fail "adminprobe ran"; cat "$TMPD/probe.err"; }
err_is() { py_assert "j['$1'] != 'closed' and j['$1'].get('ok') is False and j['$1']['error'].startswith('$2')" "$TMPD/probe.json"; }
check "garbage: 'request is not valid JSON'" err_is garbage "request is not valid JSON"
check "array: 'request must be a JSON object'" err_is array "request must be a JSON object"
check "no v: 'request has no protocol version'" err_is no_version "request has no protocol version"
check "v 2: 'unsupported protocol version 2'" err_is version_2 "unsupported protocol version 2"
check "unknown command" err_is unknown_cmd "unknown command"
check "bad command name" err_is bad_name "invalid command name"
check "unknown key" err_is unknown_key 'unknown key "x"'
check "NUL byte" err_is nul "request contains a NUL byte"
check "invalid UTF-8" err_is bad_utf8 "request is not valid JSON"
check "args not an object" err_is bad_args '"args" must be an object'
check "health: negative threshold refused" err_is health_bad_threshold "health threshold offset_warning"
check "health: unknown threshold refused" err_is health_unknown_threshold 'unknown health threshold "bogus"'
check "oversized request: 'request too long', then closed" \
	py_assert "j['oversized']['error'] == 'request too long' and j['oversized_closed']" "$TMPD/probe.json"
check "pipelined: three answers in order" \
	py_assert "[a.get('ok') for a in j['pipelined']] == [True, False, True] and 'protocol' in j['pipelined'][0]['data']" "$TMPD/probe.json"
check "a half-sent request does not hold up another client (< 1 s)" \
	py_assert "j['while_idle_client']['ok'] and j['while_idle_client_s'] < 1" "$TMPD/probe.json"
check "connection limit: 16 held, 4 of 20 turned away" py_assert "j['connections_refused_of_20'] == 4" "$TMPD/probe.json"
check "rate limit: 100 of a 150-request burst answered, 50 'rate limited'" \
	py_assert "j['burst_ok'] == 100 and j['burst_rate_limited'] == 50" "$TMPD/probe.json" || seen "$TMPD/probe.json"
check "the daemon answers after all of it" py_assert "j['after']['ok']" "$TMPD/probe.json"

# --- health through its states ----------------------------------------------
health_rc() { local rc=0; ctl health "$@" >"$TMPD/health.txt" 2>&1 || rc=$?; echo "$rc"; }
pcheck "health OK with both sources good (sources_warning 2)" 20 "$TMPD/hok.json" \
	'j["code"] == 0' ctl --json health
rc=$(health_rc)
check "health OK: exit 0, Nagios line with perfdata" \
	bash -c "[ $rc -eq 0 ] && head -1 '$TMPD/health.txt' | grep -E '^LINETIME OK - .* \| ' |
		grep -E ' offset=[-+0-9.e]+s;0.01;0.1( |$)' | grep -Eq ' sources=2;2:;;0( |$)'"
head -1 "$TMPD/health.txt" | sed 's/^/  /'
rc=$(health_rc --sources 3,)
check "health WARNING: fewer good sources than --sources 3, exit 1" \
	bash -c "[ $rc -eq 1 ] && grep -q '^LINETIME WARNING - sources: 2 good, fewer than 3' '$TMPD/health.txt'"
rc=$(health_rc --sources 4,3)
check "health CRITICAL: fewer than the critical 3, exit 2" \
	bash -c "[ $rc -eq 2 ] && grep -q '^LINETIME CRITICAL - sources' '$TMPD/health.txt'"
kill -STOP "$dp_pid"
sleep 1.5
rc=$(health_rc)
kill -CONT "$dp_pid"
check "health CRITICAL with the dataplane stopped, exit 2" \
	bash -c "[ $rc -eq 2 ] && grep -q '^LINETIME CRITICAL - dataplane: not responding' '$TMPD/health.txt'"
ctl_pid=$(cat /run/linetime-lab/linetimed.pid)
kill -STOP "$ctl_pid"
rc=0; ctl health >"$TMPD/health.txt" 2>&1 || rc=$?
kill -CONT "$ctl_pid"
check "health UNKNOWN with linetimed stopped, exit 3" \
	bash -c "[ $rc -eq 3 ] && grep -q '^LINETIME UNKNOWN' '$TMPD/health.txt'"
rc=0; "$CTL" -s "$TMPD/no.sock" health >"$TMPD/health.txt" 2>&1 || rc=$?
check "health UNKNOWN without a daemon, exit 3" test "$rc" -eq 3
rc=0; ctl health --offset 0.1 >"$TMPD/health.txt" 2>&1 || rc=$?
check "health UNKNOWN for a usage error (--offset without W,C), exit 3" test "$rc" -eq 3
pcheck "health OK again once both processes run" 10 "$TMPD/hok2.json" 'j["code"] == 0' ctl --json health

# --- metrics ----------------------------------------------------------------
ctl metrics >"$TMPD/metrics.txt"
ctl --json serverstats >"$TMPD/ss.json"
"$PY" - "$TMPD/metrics.txt" "$TMPD/ss.json" "$METRICS_PORT" >"$TMPD/metrics-check.json" 2>&1 <<'EOF'
import json, sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
ss = json.load(open(sys.argv[2]))
fams = {f.name: f for f in text_string_to_metric_families(text)}
def value(name, **labels):
    for s in fams[name].samples:
        if all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return None
r = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[3], timeout=5)
http = r.read().decode()
http_fams = {f.name for f in text_string_to_metric_families(http)}
out = {
    "families": len(fams),
    "http_status": r.status,
    "http_type": r.headers["Content-Type"],
    "http_same_families": sorted(http_fams) == sorted(fams),
    "rx_frames_le_serverstats": value("linetime_dataplane_rx_frames", port="lan0") <= ss["counters"]["rx_frames"],
    "up": value("linetime_dataplane_up"),
    "mode_upstream": value("linetime_clock_mode", mode="upstream"),
    "sources": sorted(s.labels.get("source") for s in fams["linetime_source_stratum"].samples) if "linetime_source_stratum" in fams else [],
    "health": value("linetime_health_status"),
    "has_drops_by_reason": any(s.labels.get("reason") == "not_our_ip" for s in fams["linetime_dataplane_drops"].samples),
}
json.dump(out, sys.stdout)
EOF
echo "  metrics: $(head -c 400 "$TMPD/metrics-check.json")"
check "metrics parse (prometheus_client), over 40 families, and /metrics serves the same" \
	py_assert 'j["families"] > 40 and j["http_status"] == 200 and j["http_type"].startswith("text/plain; version=0.0.4") and j["http_same_families"]' "$TMPD/metrics-check.json"
check "metrics agree with serverstats and status" \
	py_assert 'j["rx_frames_le_serverstats"] and j["up"] == 1 and j["mode_upstream"] == 1 and j["health"] == 0 and j["has_drops_by_reason"]' "$TMPD/metrics-check.json"
check "metrics list both sources" py_assert 'j["sources"] == ["198.18.0.11", "198.18.0.12"]' "$TMPD/metrics-check.json"

# metrics.listen moved by a reload; the old port closes.
sed -i "s/127.0.0.1:$METRICS_PORT/127.0.0.1:$((METRICS_PORT + 1))/" "$CONF"
ctl reload >"$TMPD/r2.txt" 2>&1
check "reload moves the metrics listener" bash -c "grep -q 'metrics.listen' '$TMPD/r2.txt' &&
	'$PY' -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:$((METRICS_PORT + 1))/metrics\", timeout=5)' &&
	! '$PY' -c 'import urllib.request; urllib.request.urlopen(\"http://127.0.0.1:$METRICS_PORT/metrics\", timeout=2)' 2>/dev/null"
finish
