#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Fault injection: each process and peer fails while the appliance serves,
# and the survivors keep their promises (DESIGN.md "Either process may
# restart", "never blocks", "a misbehaving signd peer ... never a crash").
#  a. kill -9 of the dataplane under query and punt load: it restarts,
#     finds its counters, client log and control's last policy (not its
#     config file's) in the region, and control sees the new epoch;
#  b. kill -9 of linetimed under load: the dataplane answers every query,
#     synchronised, within the holdover, and keeps enforcing the policy;
#     a new linetimed re-attaches, reads the same counters and clients,
#     reconnects to signd and publishes its own config's policy;
#  c. rings full: linetimed stopped (SIGSTOP) under punt load - the
#     dataplane drops and counts, answers on, and health reports the drops;
#     then the dataplane stopped with control injecting signed replies - the
#     inject ring and the signd queue fill, are counted, and control keeps
#     answering the admin socket;
#  d. a stalled signer (SIGSTOP, and one that accepts and never answers):
#     signed requests time out and are counted, plain NTP and the admin
#     socket are unaffected, and signing resumes when the signer does;
#  e. a reload storm (300 reloads and 300 SIGHUPs in a few seconds, the
#     policy changing under them): no crash, no failed reload, a tiny bound
#     on lost replies, the admin socket still answering;
#  f. admin clients that never read, stop half-way, send nothing, or
#     trickle: the others are still answered quickly;
#  g. logdir on a small tmpfs, filled up: both daemons keep serving and
#     synchronising, linetimed says so in its log and in health, and says
#     when it can write again.
# Everything runs in the lab (namespaces only), bounded in count and time.
CONFX=$(mktemp /tmp/lt-conf.XXXXXX)
SD=$(mktemp -d /tmp/lt-signd.XXXXXX)
SD2=$(mktemp -d /tmp/lt-signd2.XXXXXX)
LOGD=$(mktemp -d /tmp/lt-logd.XXXXXX)
sed 's/^\([[:space:]]*holdover[[:space:]]*=\).*/\1 5.0;/' "$(dirname "$0")/../../board/lab/linetime.conf" >"$CONFX"
echo "ntpsigndsocket = \"$SD\";" >>"$CONFX"
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA="$CONFX $CONFX.orig $CONFX.alt $SD $SD2"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/upstreams.sh"
# On the way out: nothing left stopped (a stopped process ignores TERM),
# and the tmpfs goes before the lab's cleanup removes its mount point.
on_exit() {
	local p
	for p in $(jobs -p) $(cat /run/linetime-lab/*.pid 2>/dev/null); do kill -CONT "$p" 2>/dev/null; done
	umount -l "$LOGD" 2>/dev/null
	rmdir "$LOGD" 2>/dev/null
	cleanup
}
trap on_exit EXIT
T_END=$((SECONDS + 270))
RUN=/run/linetime-lab
F="$ROOT/tests/integration/faults.py"
Q="$ROOT/tests/integration/ntpquery.py"
if ! grep -q "holdover = 5.0" "$CONF"; then fail "test config has holdover 5 s"; finish; fi

jget() { "$PY" -c "import json,sys; j=json.load(sys.stdin); print(j$1)"; }
signd_field() { ctl_field signd "$1"; }
dp_pid() { cat "$RUN/linetime-dp.pid"; }
ctl_pid() { cat "$RUN/linetimed.pid"; }
# q [ARGS]: one query's reply as JSON (the replies list is empty if none came)
q() { in_ns "$PY" "$Q" --json -t 0.5 "$@" 198.18.0.1; }
reply() { "$PY" -c "import json,sys; r=json.load(sys.stdin)['replies']; print(r[0]$1 if r else 'none')"; }
# hits_of ADDR: the client log's hits for ADDR, summed over the workers
hits_of() {
	ctl --json clients --limit 0 |
		"$PY" -c "import json,sys; print(sum(c['hits'] for c in json.load(sys.stdin)['clients'] if c['address'] == '$1'))"
}
wait_signd() { # wait_signd STATE SECONDS
	for _ in $(seq $(($2 * 10))); do
		[ "$(signd_field "['state']")" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
signs() { in_ns "$PY" "$F" mssntp 198.18.0.1 --count "${1:-1}" --timeout "${2:-1}" | jget "['signed']"; }
# elapsed CMD...: run it, print how long it took in ms
elapsed() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - t0) / 1000000)); }
lost_of() { "$PY" -c "import json; j=json.load(open('$1')); print(j['lost'])"; }
answered_of() { "$PY" -c "import json; j=json.load(open('$1')); print(len(j['replies']))"; }

"$PY" "$ROOT/tests/integration/fakesignd.py" "$SD" --mode sign --max-seconds 280 &
SIGNER=$!
for _ in $(seq 50); do [ -S "$SD/socket" ] && break; sleep 0.1; done
lab_up
check "signd connected to the fake signer" wait_signd connected 3
check "signing works" test "$(signs 2)" -eq 2
in_ns ip addr add 198.18.0.9/24 dev lt-cl0

# ============ a. the dataplane killed under load ============================
# A policy reloaded into the region, then the file put back as it was: a
# restarted dataplane must enforce control's policy, not its own file's.
cp "$CONFX" "$CONFX.orig"
echo 'access = [ "allow 198.18.0.0/15", "allow 2001:2::/48", "deny 198.18.0.9" ]; kod_deny = true;' >>"$CONFX"
check "reload: 198.18.0.9 denied with KoD" bash -c "'$CTL' -s '$SOCK' reload | grep -q access/ratelimit/kod_deny"
cp "$CONFX.orig" "$CONFX"
check "198.18.0.9 gets KoD DENY" test "$(q -s 198.18.0.9 | reply "['refid_text']")" = DENY
in_ns "$PY" "$Q" -q -c 20 198.18.0.1
replies0=$(counter ntp_replies)
hits0=$(hits_of 198.18.0.2)
epoch0=$(ctl_field status "['dataplane']['epoch']")
punt0=$(ctl_field serverstats "['control']['punt_udp']")

in_ns "$PY" "$Q" --json -c 150 -i 0.02 -t 0.1 198.18.0.1 >"$TMPD/load-a.json" &
load=$!
in_ns "$PY" "$F" flood 198.18.0.1 6000 --rate 2000 --seconds 3 >/dev/null &
flood=$!
sleep 0.6
kill -KILL "$(dp_pid)"
sleep 0.3
"$LAB" start-dp
check "dataplane restarted after kill -9 under load: answering again" "$LAB" wait
wait "$load" "$flood"
echo "  load during the dataplane kill: $(answered_of "$TMPD/load-a.json") answered, $(lost_of "$TMPD/load-a.json") lost (it was down for part of it)"
check "counters survived the kill (ntp_replies $replies0 -> $(counter ntp_replies))" \
	test "$(counter ntp_replies)" -ge "$replies0"
check "the client log survived the kill (198.18.0.2: $hits0 -> $(hits_of 198.18.0.2) hits)" \
	test "$(hits_of 198.18.0.2)" -gt "$hits0"
check "restarted dataplane enforces control's policy, not its file's (KoD DENY to 198.18.0.9)" \
	test "$(q -s 198.18.0.9 | reply "['refid_text']")" = DENY
sleep 1.2
check "control saw the new dataplane epoch" test "$(ctl_field status "['dataplane']['epoch']")" -eq $((epoch0 + 1))
in_ns "$PY" "$F" flood 198.18.0.1 50 --rate 500 >/dev/null
sleep 0.2
check "punts reach control after the restart (punt_udp $punt0 -> $(ctl_field serverstats "['control']['punt_udp']"))" \
	test "$(ctl_field serverstats "['control']['punt_udp']")" -gt "$punt0"
check "signing works through the new dataplane" test "$(signs 1)" -eq 1

# ============ b. linetimed killed under load ================================
replies0=$(counter ntp_replies)
hits0=$(hits_of 198.18.0.2)
cepoch0=$(ctl_field status "['control']['epoch']")
in_ns "$PY" "$Q" --json -c 100 -i 0.02 -t 0.3 198.18.0.1 >"$TMPD/load-b.json" &
load=$!
sleep 0.3
kill -KILL "$(ctl_pid)"
sleep 1
out=$(q)
check "linetimed dead: answered, synchronised within the holdover (leap 0, stratum 10)" \
	test "$(reply "['leap']" <<<"$out")/$(reply "['stratum']" <<<"$out")" = "0/10"
check "linetimed dead: the dataplane still enforces the policy (KoD DENY to 198.18.0.9)" \
	test "$(q -s 198.18.0.9 | reply "['refid_text']")" = DENY
wait "$load"
check "every query answered while linetimed was dead ($(answered_of "$TMPD/load-b.json") of 100)" \
	test "$(lost_of "$TMPD/load-b.json")" -eq 0
"$LAB" start-ctl
sleep 1.2
check "new linetimed sees the dataplane alive" test "$(ctl_field status "['dataplane']['alive']")" = True
check "new linetimed's epoch is the next one" test "$(ctl_field status "['control']['epoch']")" -eq $((cepoch0 + 1))
check "new linetimed reads the same counters (ntp_replies $replies0 -> $(counter ntp_replies))" \
	test "$(counter ntp_replies)" -ge $((replies0 + 100))
check "new linetimed reads the same client log (198.18.0.2: $hits0 -> $(hits_of 198.18.0.2) hits)" \
	test "$(hits_of 198.18.0.2)" -ge $((hits0 + 100))
check "new linetimed reconnected to signd" wait_signd connected 3
check "signing works again" test "$(signs 1)" -eq 1
# A new linetimed's configuration is the policy (the file has no rules now).
check "new linetimed published its own config's policy (198.18.0.9 answered, stratum 10)" \
	test "$(q -s 198.18.0.9 | reply "['stratum']")" = 10

# ============ c. rings full =================================================
# c1. linetimed stopped: the punt ring fills; the dataplane counts and answers.
punted0=$(counter punted)
full0=$(counter drop_punt_full)
kill -STOP "$(ctl_pid)"
in_ns "$PY" "$F" flood 198.18.0.1 3000 --rate 8000 >"$TMPD/flood-c.json"
in_ns "$PY" "$Q" --json -c 30 -i 0.01 -t 0.3 198.18.0.1 >"$TMPD/load-c.json"
kill -CONT "$(ctl_pid)"
sleep 0.5
check "punt ring full: every query still answered ($(answered_of "$TMPD/load-c.json") of 30)" \
	test "$(lost_of "$TMPD/load-c.json")" -eq 0
dpunt=$(($(counter punted) - punted0))
dfull=$(($(counter drop_punt_full) - full0))
echo "  3000 punts with linetimed stopped: $dpunt queued, $dfull dropped as drop_punt_full"
check "the ring took what it holds and no more (punted +$dpunt <= 1024)" test "$dpunt" -le 1024
check "the rest was dropped and counted (drop_punt_full +$dfull)" test $((dpunt + dfull)) -ge 2970
ctl --json health >"$TMPD/health-c.json"
check "health reports the ring drops (rings check not OK)" \
	py_assert "j['code'] >= 1 and any(c['name'] == 'rings' and c['status'] != 'OK' for c in j['checks'])" "$TMPD/health-c.json"

# c2. the dataplane stopped while control injects signed replies: the
# inject ring and the signd queue fill; control is not held up by either.
qfull0=$(signd_field "['failed']['queue_full']")
ifull0=$(signd_field "['failed']['inject_full']")
inj0=$(counter injected)
kill -STOP "$(ctl_pid)"
in_ns "$PY" "$F" flood 198.18.0.1 1500 --rate 8000 --mssntp >/dev/null
kill -STOP "$(dp_pid)"
kill -CONT "$(ctl_pid)"
sleep 1
ms=$(elapsed ctl status)
check "dataplane stopped, inject ring full: linetimed answers the admin socket (${ms} ms)" test "$ms" -lt 1000
qf=$(($(signd_field "['failed']['queue_full']") - qfull0))
if_=$(($(signd_field "['failed']['inject_full']") - ifull0))
echo "  signd queue_full +$qf, inject_full +$if_"
check "signd queue full: refused and counted (queue_full +$qf)" test "$qf" -ge 500
check "inject ring full: dropped and counted (inject_full +$if_)" test "$if_" -ge 1
kill -CONT "$(dp_pid)"
sleep 1
check "dataplane resumed: the queued signed replies went out (injected +$(($(counter injected) - inj0)))" \
	test $(($(counter injected) - inj0)) -ge 200
check "both processes still running" kill -0 "$(dp_pid)" "$(ctl_pid)"
check "answering after the rings emptied" in_ns "$PY" "$Q" -q 198.18.0.1
check "signing works after the rings emptied" test "$(signs 1)" -eq 1

# ============ d. a stalled signer ===========================================
to0=$(signd_field "['failed']['timeout']")
kill -STOP "$SIGNER"
in_ns "$PY" "$Q" --json -c 60 -i 0.02 -t 0.3 198.18.0.1 >"$TMPD/load-d.json" &
load=$!
in_ns "$PY" "$F" mssntp 198.18.0.1 --count 3 --interval 0.3 --timeout 0.5 >"$TMPD/stalled.json"
ms=$(elapsed ctl status)
wait "$load"
check "signer stalled: no signed reply, and no unsigned one" py_assert "j['signed'] == 0 and j['bad'] == 0" "$TMPD/stalled.json"
check "signer stalled: plain NTP unaffected (60 of 60)" test "$(lost_of "$TMPD/load-d.json")" -eq 0
check "signer stalled: the admin socket answers (${ms} ms)" test "$ms" -lt 500
sleep 0.8
check "signer stalled: requests time out and are counted (timeout +$(($(signd_field "['failed']['timeout']") - to0)))" \
	test "$(signd_field "['failed']['timeout']")" -gt "$to0"
echo "  signd state with the signer stopped: $(signd_field "['state']"), last error: $(signd_field "['last_error']")"
kill -CONT "$SIGNER"
ok=0
for _ in $(seq 20); do [ "$(signs 1 0.5)" = 1 ] && { ok=1; break; }; sleep 0.25; done
check "signer resumed: signing works again" test "$ok" -eq 1

# A signer that accepts and never answers at all, switched to by reload.
"$PY" "$ROOT/tests/integration/fakesignd.py" "$SD2" --mode stall --max-seconds 120 &
for _ in $(seq 50); do [ -S "$SD2/socket" ] && break; sleep 0.1; done
sed -i "s|^ntpsigndsocket = .*|ntpsigndsocket = \"$SD2\";|" "$CONFX"
to0=$(signd_field "['failed']['timeout']")
check "reload to a signer that never answers" bash -c "'$CTL' -s '$SOCK' reload | grep -q ntpsigndsocket"
check "... connected to it" wait_signd connected 3
in_ns "$PY" "$F" mssntp 198.18.0.1 --count 3 --interval 0.2 --timeout 0.5 >"$TMPD/mute.json"
check "mute signer: no reply of any kind" py_assert "j['signed'] == 0 and j['bad'] == 0" "$TMPD/mute.json"
sleep 0.8
check "mute signer: the requests timed out and were counted" test "$(signd_field "['failed']['timeout']")" -gt "$to0"
check "mute signer: plain NTP unaffected" in_ns "$PY" "$Q" -q -c 10 198.18.0.1
ctl --json health >"$TMPD/health-d.json"
echo "  health with a mute signer: $(jget "['summary']" <"$TMPD/health-d.json")"
check "mute signer: health's signd check is a WARNING (connected or not)" \
	py_assert "any(c['name'] == 'signd' and c['status'] == 'WARNING' and 'timed out' in c['message'] for c in j['checks'])" "$TMPD/health-d.json"
sed -i "s|^ntpsigndsocket = .*|ntpsigndsocket = \"$SD\";|" "$CONFX"
ctl reload >/dev/null
check "reload back to the working signer: signing works" wait_signd connected 3
check "... and signs" test "$(signs 1)" -eq 1

# ============ e. a reload storm =============================================
cp "$CONFX" "$CONFX.orig"
(cat "$CONFX"; echo 'access = [ "allow 198.18.0.0/15", "allow 2001:2::/48", "deny 198.18.0.9" ];') >"$CONFX.alt"
reloads0=$(ctl_field status "['reloads']")
failed0=$(ctl_field status "['reloads_failed']")
gen0=$(ctl_field status "['policy_generation']")
dp0=$(dp_pid)
in_ns "$PY" "$Q" --json -c 200 -i 0.02 -t 0.3 198.18.0.1 >"$TMPD/load-e.json" &
load=$!
"$PY" "$F" reload-storm "$SOCK" "$(ctl_pid)" "$CONFX" "$CONFX.alt" --reloads 300 --hups 300 --seconds 10 \
	>"$TMPD/storm.json"
wait "$load"
cat "$TMPD/storm.json" | sed 's/^/  storm: /'
check "storm: every reload request answered ok" py_assert "j['reload_ok'] == j['reloads'] >= 300 and j['hups'] >= 300" "$TMPD/storm.json"
check "storm: linetimed counted them, none failed" \
	test "$(ctl_field status "['reloads']")" -ge $((reloads0 + 300)) -a "$(ctl_field status "['reloads_failed']")" -eq "$failed0"
check "storm: the policy changed under it (generation $gen0 -> $(ctl_field status "['policy_generation']"))" \
	test "$(ctl_field status "['policy_generation']")" -gt $((gen0 + 10))
check "storm: at most 2 of 200 queries lost ($(lost_of "$TMPD/load-e.json"))" test "$(lost_of "$TMPD/load-e.json")" -le 2
check "storm: the dataplane was not restarted" test "$(dp_pid)" = "$dp0"
check "storm: no policy rejected by the dataplane" bash -c "! grep -q 'rejected' '$RUN/linetime-dp.log'"
check "storm: both processes running, admin answering" bash -c "kill -0 $(dp_pid) $(ctl_pid) && '$CTL' -s '$SOCK' status >/dev/null"

# ============ f. admin clients that misbehave ===============================
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$(ctl_pid)/status")
"$PY" "$F" admin-abuse "$SOCK" --good 40 >"$TMPD/admin.json"
sed 's/^/  admin: /' "$TMPD/admin.json"
rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$(ctl_pid)/status")
check "bad admin clients held open: 40 of 40 other requests answered" \
	py_assert "j['good'] == 40 and j['good_failed'] == 0" "$TMPD/admin.json"
check "... each within a second" py_assert "j['good_max_s'] < 1.0" "$TMPD/admin.json"
check "the trickled request was answered in the end" py_assert "j['slow_answered']" "$TMPD/admin.json"
check "answering after they left" py_assert "j['after_ok']" "$TMPD/admin.json"
check "linetimed's memory stayed bounded (RSS ${rss0} -> ${rss1} kB)" test $((rss1 - rss0)) -lt 65536

# ============ g. logdir full ================================================
"$LAB" down >/dev/null 2>&1
# Mode 1777: linetimed may run as a user of its own (the lab's "lt-lab",
# made by lab.sh only when the lab comes up), and must be able to write.
mount -t tmpfs -o size=256k,mode=1777 lt-t95-logs "$LOGD" || { fail "mount a tmpfs on $LOGD"; finish; }
CONF2=$TMPD/logs.conf
sed 's/^log = { level = "info"; };$/log = { level = "info"; measurements = true; statistics = true; tracking = true; };/' \
	"$ROOT/board/lab/linetime.conf" >"$CONF2"
cat >>"$CONF2" <<EOF
servers = ( { address = "198.18.0.11"; iburst = true; minpoll = -1; maxpoll = -1; } );
logdir = "$LOGD";
EOF
export LT_LAB_CONF=$CONF2
lab_up
upstream_chronyd 1 198.18.0.11 || fail "chronyd at 198.18.0.11"
pcheck "synchronised to 198.18.0.11 (stratum 2)" 30 "$TMPD/g1.json" 'j["stratum"] == 2' tracking
check "the statistics logs are written" test "$(grep -c '^20' "$LOGD/measurements.log" 2>/dev/null)" -ge 1
dd if=/dev/zero of="$LOGD/fill" bs=4k count=1024 2>/dev/null
# tmpfs hands out whole pages: top up each log's last page too (with empty
# lines, which log readers skip), so the very next line finds no room.
for f in "$LOGD"/*.log; do head -c 8192 /dev/zero | tr '\0' '\n' >>"$f" 2>/dev/null; done
check "logdir is full" test "$(df --output=avail "$LOGD" | tail -n 1)" -lt 8
sleep 3
check "logdir full: clients still served, stratum 2" test "$(q | reply "['stratum']")" = 2
check "logdir full: still synchronised" py_assert 'j["stratum"] == 2' <(tracking)
check "logdir full: both processes running" kill -0 "$(dp_pid)" "$(ctl_pid)"
check "logdir full: linetimed's log says so" grep -q "No space left on device" "$RUN/linetimed.log"
ctl --json health >"$TMPD/health-g.json"
echo "  health with logdir full: $(jget "['summary']" <"$TMPD/health-g.json")"
check "logdir full: health reports it (logs check WARNING)" \
	py_assert "j['code'] >= 1 and any(c['name'] == 'logs' and c['status'] == 'WARNING' for c in j['checks'])" "$TMPD/health-g.json"
rm -f "$LOGD/fill"
n0=$(grep -c '^20' "$LOGD/measurements.log")
sleep 2
check "space again: linetimed says it writes again" grep -q "writing again" "$RUN/linetimed.log"
check "space again: new lines in measurements.log" test "$(grep -c '^20' "$LOGD/measurements.log")" -gt "$n0"
grep -E "logdir|statistics log" "$RUN/linetimed.log" | sed 's/^/  linetimed: /'
echo "  t95 took $SECONDS s"
finish
