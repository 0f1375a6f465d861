#!/bin/bash
# shellcheck source-path=SCRIPTDIR
# Least privilege (docs/HARDENING.md), on the lab:
#  - linetimed runs as the configured user: that uid and gid in every slot,
#    no capability at all (bounding set included), no_new_privs, seccomp in
#    filter mode; with steer_system_clock, CAP_SYS_TIME and nothing else
#    (no upstream is configured, so nothing ever steers the host's clock:
#    only the capability sets are looked at);
#  - linetime-dp stays root, with no_new_privs and a filter on every
#    thread, and a second one on its worker;
#  - modes: the admin socket 0660 root:admin.group, the region and its lock
#    0600 and the user's; the directories linetimed makes (the socket's,
#    logdir, the driftfile's) are the user's, so it can use them later;
#  - as that user it answers NTP and admin commands, reloads (linetimectl
#    and SIGHUP), serves metrics over HTTP, removes its socket when it
#    stops, re-attaches to a region the dataplane re-made, and the kernel
#    logged no call refused by either filter while it did all that;
#  - seccomp = false turns the filter off and nothing else;
#  - a user that does not exist stops the start, naming the user.
# That a refused call ends the process is checked by the unit tests
# (tests/unit/test_sandbox.c), with the same filters in forked children.
BASE=$(mktemp -d /tmp/lt-t94.XXXXXX)
CONFX=$BASE/linetime.conf
RUN=/run/linetime-lab
SOCKDIR=$RUN/t94
LAB_CONF=$(dirname "$0")/../../board/lab/linetime.conf
LAB_USER=$(sed -n 's/^[[:space:]]*user[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$LAB_CONF" | head -1)
LAB_USER=${LAB_USER:-lt-lab}
ADM_GROUP=lt-t94-adm
METRICS_PORT=19323
chmod 711 "$BASE"

# write_conf [EXTRA SETTINGS...]: the lab's config, as LAB_USER, with a
# socket in a directory of its own, logdir and driftfile under $BASE.
write_conf() {
	sed -e '/^[[:space:]]*user[[:space:]]*=/d' \
		-e 's|^\([[:space:]]*\)socket = .*|\1socket = "'$SOCKDIR'/admin.sock";|' \
		-e 's|^\([[:space:]]*\)group = "";.*|\1group = "'$ADM_GROUP'";|' "$LAB_CONF" >"$CONFX.new"
	{
		echo "user = \"$LAB_USER\";"
		echo "logdir = \"$BASE/state/log\";"
		echo "driftfile = \"$BASE/state/lib/drift\";"
		echo "metrics = { listen = \"127.0.0.1:$METRICS_PORT\"; };"
		printf '%s\n' "$@"
	} >>"$CONFX.new"
	mv "$CONFX.new" "$CONFX"
	chmod 644 "$CONFX"
}
getent group "$ADM_GROUP" >/dev/null || groupadd --system "$ADM_GROUP" || { echo "groupadd failed"; exit 1; }
write_conf
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA="$BASE $SOCKDIR"
. "$(dirname "$0")/lib.sh"
eval "t94_prev_cleanup() $(declare -f cleanup | sed 1d)"
# shellcheck disable=SC2317
cleanup() {
	t94_prev_cleanup
	groupdel "$ADM_GROUP" 2>/dev/null
}

PIDS=""        # every linetimed this test ran, for the audit log
ctl_pid() { cat "$RUN/linetimed.pid"; }
dp_pid() { cat "$RUN/linetime-dp.pid"; }
# st PID FIELD: the values of one /proc/PID/status line, space-separated
st() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
# mode_of PATH: "MODE USER:GROUP"
mode_of() { stat -c '%a %U:%G' "$1"; }
as_user() { setpriv --reuid="$LAB_USER" --regid="$(id -g "$LAB_USER")" --clear-groups "$@"; }
served() { in_ns "$PY" "$ROOT/tests/integration/ntpquery.py" -q 198.18.0.1 >/dev/null 2>&1; }
# The line linetimed logs once set up, filter loaded, as it enters its loop.
ready_lines() { grep -c "serving the system clock at stratum" "$RUN/linetimed.log"; }
restart_ctl() {
	local n
	n=$(ready_lines)
	"$LAB" stop-ctl
	check "$1: linetimed removed its socket when it stopped" test ! -e "$SOCKDIR/admin.sock"
	"$LAB" start-ctl || { fail "$1: linetimed starts"; finish; }
	PIDS="$PIDS $(ctl_pid)"
	for _ in $(seq 100); do [ "$(ready_lines)" -gt "$n" ] && break; sleep 0.1; done
	check "$1: linetimed is set up" test "$(ready_lines)" -gt "$n"
}
# Lines of the kernel's audit log about a seccomp refusal by one of our processes.
refusals() {
	local p out=""
	for p in $PIDS $DPIDS; do
		out+=$(dmesg 2>/dev/null | grep "type=1326" | grep " pid=$p ")
	done
	echo "$out"
}

lab_up
PIDS=$(ctl_pid)
DPIDS=$(dp_pid)
U_UID=$(id -u "$LAB_USER")
U_GID=$(id -g "$LAB_USER")
P=$(ctl_pid)

# --- linetimed: who it is -----------------------------------------------------
check "linetimed: uid $U_UID in all four slots" test "$(st "$P" Uid)" = "$U_UID $U_UID $U_UID $U_UID"
check "linetimed: gid $U_GID in all four slots" test "$(st "$P" Gid)" = "$U_GID $U_GID $U_GID $U_GID"
check "linetimed: the user's groups and no others" \
	test "$(st "$P" Groups | tr ' ' '\n' | sort -n | xargs)" = "$(id -G "$LAB_USER" | tr ' ' '\n' | sort -n | xargs)"
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	check "linetimed: $f empty" test "$(st "$P" $f)" = 0000000000000000
done
check "linetimed: NoNewPrivs 1" test "$(st "$P" NoNewPrivs)" = 1
check "linetimed: Seccomp 2 (filter)" test "$(st "$P" Seccomp)" = 2
check "linetimed says so in its log" grep -q "running as user $LAB_USER (uid $U_UID, gid $U_GID), capabilities: none" "$RUN/linetimed.log"

# --- linetime-dp --------------------------------------------------------------
D=$(dp_pid)
check "linetime-dp: root, NoNewPrivs 1" test "$(st "$D" Uid | cut -d' ' -f1)-$(st "$D" NoNewPrivs)" = 0-1
bad="" workers=0
for t in /proc/"$D"/task/*; do
	s=$(st "$D/task/${t##*/}" Seccomp) n=$(st "$D/task/${t##*/}" Seccomp_filters)
	[ "$s" = 2 ] || bad="$bad $(cat "$t/comm"):$s"
	case $(cat "$t/comm") in *worker*) workers=$((workers + 1)); [ "$n" = 2 ] || bad="$bad $(cat "$t/comm"):filters=$n" ;; esac
done
check "linetime-dp: every thread filtered, the worker twice ($bad)" test -z "$bad" -a "$workers" -ge 1

# --- modes --------------------------------------------------------------------
REGION=$(sed -n 's/^[[:space:]]*region[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONFX" | head -1)
check "admin socket 0660 root:$ADM_GROUP ($(mode_of "$SOCK"))" test "$(mode_of "$SOCK")" = "660 root:$ADM_GROUP"
check "its directory 750 $LAB_USER:$ADM_GROUP ($(mode_of "$SOCKDIR"))" \
	test "$(mode_of "$SOCKDIR")" = "750 $LAB_USER:$ADM_GROUP"
U_GROUP=$(id -gn "$LAB_USER")
check "region 600 $LAB_USER ($(mode_of "$REGION"))" test "$(mode_of "$REGION")" = "600 $LAB_USER:$U_GROUP"
check "region lock 600 $LAB_USER" test "$(mode_of "$REGION.lock")" = "600 $LAB_USER:$U_GROUP"
for d in "$BASE/state/log" "$BASE/state/lib"; do
	check "${d#"$BASE"/} made by linetimed: 755 $LAB_USER" test "$(mode_of "$d")" = "755 $LAB_USER:$U_GROUP"
	check "${d#"$BASE"/}: the user can write there" as_user test -w "$d"
done

# --- it works as the user -----------------------------------------------------
check "answers NTP" served
check "answers admin commands" bash -c "'$CTL' -s '$SOCK' status | grep -q 'Dataplane .*alive'"
sed -i 's/^holdover = 60;/holdover = 30;/' "$CONFX"
ctl --json reload >"$TMPD/reload.json" 2>&1
check "reload as the user applies a change" \
	py_assert '"local/holdover/precision" in j["applied"]' "$TMPD/reload.json"
kill -HUP "$P"
sleep 0.5
check "SIGHUP reload too (2 reloads, none failed)" \
	test "$(ctl_field status "['reloads']")-$(ctl_field status "['reloads_failed']")" = "2-0"
check "status: the holdover of the reloaded file" test "$(ctl_field status "['holdover_s']")" = 30.0
check "metrics over HTTP on a listener opened before the drop" \
	"$PY" -c "import urllib.request,sys; t=urllib.request.urlopen('http://127.0.0.1:$METRICS_PORT/metrics', timeout=5).read().decode(); sys.exit(0 if 'linetime_build_info' in t else 1)"

# The dataplane re-makes the region (as after an incompatible upgrade):
# linetimed, no longer root, must still open the new one.
"$LAB" stop-dp
rm -f "$REGION" "$REGION.lock"
"$LAB" start-dp
DPIDS="$DPIDS $(dp_pid)"
"$LAB" wait >/dev/null 2>&1
for _ in $(seq 50); do grep -q "was replaced; re-attaching" "$RUN/linetimed.log" && break; sleep 0.1; done
check "linetimed re-attached to the dataplane's new region" grep -q "was replaced; re-attaching" "$RUN/linetimed.log"
check "... which is 600 and the user's" test "$(mode_of "$REGION")" = "600 $LAB_USER:$U_GROUP"
sleep 1.2
check "... and sees the new dataplane alive" \
	test "$(ctl_field status "['dataplane']['pid']")-$(ctl_field status "['dataplane']['alive']")" = "$(dp_pid)-True"
check "linetimed is the same process" test "$(ctl_pid)" = "$P" -a -d "/proc/$P"
check "answers NTP after that" served

# --- steer_system_clock: CAP_SYS_TIME only ------------------------------------
write_conf "steer_system_clock = true;"
restart_ctl "steering"
P=$(ctl_pid)
for f in CapPrm CapEff CapBnd; do
	check "steering: $f is CAP_SYS_TIME alone" test "$(st "$P" $f)" = 0000000002000000
done
check "steering: CapInh and CapAmb empty" test "$(st "$P" CapInh)$(st "$P" CapAmb)" = 00000000000000000000000000000000
check "steering: still the user, NoNewPrivs, Seccomp" \
	test "$(st "$P" Uid | cut -d' ' -f1)-$(st "$P" NoNewPrivs)-$(st "$P" Seccomp)" = "$U_UID-1-2"
check "steering: log says cap_sys_time=ep" grep -q "capabilities: cap_sys_time=ep" "$RUN/linetimed.log"
check "steering: no upstream, so it never touched the host clock" \
	bash -c "! grep -q 'steering the system clock to the served time' '$RUN/linetimed.log'"
check "steering: answers admin commands" bash -c "'$CTL' -s '$SOCK' status >/dev/null"

# --- seccomp = false -------------------------------------------------------------
write_conf "seccomp = false;"
restart_ctl "seccomp off"
P=$(ctl_pid)
check "seccomp = false: Seccomp 0, still the user with no_new_privs" \
	test "$(st "$P" Seccomp)-$(st "$P" Uid | cut -d' ' -f1)-$(st "$P" NoNewPrivs)" = "0-$U_UID-1"
check "seccomp = false: the log warns" grep -q "running without a system-call filter" "$RUN/linetimed.log"
check "answers NTP" served

# --- nothing was refused ------------------------------------------------------------
if dmesg >/dev/null 2>&1; then
	r=$(refusals)
	[ -n "$r" ] && echo "$r" | sed 's/^/    /'
	check "the kernel logged no seccomp refusal of linetimed or linetime-dp" test -z "$r"
	check "no SIGSYS line in either log" bash -c "! grep -q 'seccomp: system call' '$RUN/linetimed.log' '$RUN/linetime-dp.log'"
else
	echo "  (dmesg not readable here: the audit log is not checked)"
fi

# --- a user that does not exist ----------------------------------------------------
"$LAB" down >/dev/null 2>&1
sed -i "s/^user = .*/user = \"lt-no-such-user\";/" "$CONFX"
out=$(timeout 10 "$BINDIR/linetimed" -c "$CONFX" 2>&1); rc=$?
echo "  $out" | tail -1
check "a missing user: linetimed exits 1 naming it" \
	bash -c "[ $rc -eq 1 ] && grep -q 'user \"lt-no-such-user\" does not exist' <<<\"\$0\"" "$out"
check "... having made no region" test ! -e "$REGION"
finish
