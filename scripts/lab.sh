#!/bin/bash
# The lab network: the appliance on a veth, a client namespace on the other end.
#
#   scripts/lab.sh up [CONFIG]   create the network, start linetimed and linetime-dp, wait until served
#   scripts/lab.sh down          stop both and remove everything "up" made (safe to run any time)
#   scripts/lab.sh status        what is running
#   scripts/lab.sh start-dp | stop-dp | start-ctl | stop-ctl   one process (restart tests)
#
# Environment: LT_LAB_CONF (another config), LT_DP_EAL (extra EAL arguments
# for linetime-dp, e.g. "--lcores 0@0,1@1,2@1" for two workers on 2 CPUs).
#
# Names other tools rely on: namespace lt-client; veth lt-dp0 (dataplane side,
# root namespace, owned by DPDK via af_packet) <-> lt-cl0 (client side); the
# appliance at 198.18.0.1 and 2001:2::1, the client at 198.18.0.2 and 2001:2::2.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${LT_BIN_DIR:-$ROOT/build}
CONF=${2:-${LT_LAB_CONF:-$ROOT/board/lab/linetime.conf}}
RUN=${LT_LAB_RUN:-/run/linetime-lab}
NS=lt-client
DP_IF=lt-dp0
CL_IF=lt-cl0

log() { echo "lab: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, DPDK)"

# A zombie counts as gone: once the lab's shell has exited our daemons are
# reaped by whatever PID 1 is, which may take a second or two.
pid_alive() {
	[ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null &&
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
pidof_file() { cat "$RUN/$1.pid" 2>/dev/null || true; }

# Stop one of our processes by its recorded PID: TERM, then KILL after 5 s.
stop_proc() {
	local name=$1 pid
	pid=$(pidof_file "$name")
	if pid_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
		pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		for _ in $(seq 20); do pid_alive "$pid" || break; sleep 0.1; done
	fi
	rm -f "$RUN/$name.pid"
}

net_up() {
	ip netns add "$NS" || return 1
	ip link add "$DP_IF" type veth peer name "$CL_IF" || return 1
	ip link set "$CL_IF" netns "$NS" || return 1
	# The dataplane side belongs to DPDK: keep the kernel's IPv6 off it so
	# the kernel neither autoconfigures nor answers ND there.
	sysctl -qw "net.ipv6.conf.$DP_IF.disable_ipv6=1"
	ethtool -K "$DP_IF" gro off tx off >/dev/null 2>&1 || true
	ip link set "$DP_IF" up || return 1
	ip netns exec "$NS" ip link set lo up
	ip netns exec "$NS" ip link set "$CL_IF" up || return 1
	ip netns exec "$NS" ip addr add 198.18.0.2/24 dev "$CL_IF" || return 1
	ip netns exec "$NS" ip addr add 2001:2::2/64 dev "$CL_IF" nodad || return 1
	# veth leaves checksums to "hardware"; a real wire has them filled in.
	ip netns exec "$NS" ethtool -K "$CL_IF" tx off >/dev/null 2>&1 || true
}

# linetimed drops root to the config's user (user = "lt-lab"; docs/HARDENING.md):
# made here if it is missing, like the namespace, and removed again by down.
conf_user() {
	sed -n 's/^[[:space:]]*user[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1
}

lab_user() {
	local u
	u=$(conf_user)
	[ -n "$u" ] || return 0
	if ! id -u "$u" >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$u" ||
			return 1
		echo "$u" >"$RUN/lab-user"
	fi
	# A reload re-reads the file as that user (tests write theirs with mktemp, 0600).
	setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups test -r "$CONF" || chmod o+r "$CONF"
}

start_ctl() {
	mkdir -p "$RUN"
	lab_user || { log "cannot create the lab's user $(conf_user)"; return 1; }
	# Once it is not root, linetimed cannot remove its socket from the root-owned $RUN.
	rm -f "$(admin_socket)"
	"$BIN/linetimed" -c "$CONF" >>"$RUN/linetimed.log" 2>&1 &
	echo $! >"$RUN/linetimed.pid"
	for _ in $(seq 50); do
		[ -S "$(admin_socket)" ] && return 0
		pid_alive "$(pidof_file linetimed)" || break
		sleep 0.1
	done
	log "linetimed did not come up; its log:"; tail -n 20 "$RUN/linetimed.log" >&2
	return 1
}

start_dp() {
	mkdir -p "$RUN"
	# LT_DP_EAL: extra EAL arguments, e.g. --lcores to run more workers than CPUs.
	# shellcheck disable=SC2086
	"$BIN/linetime-dp" -c "$CONF" ${LT_DP_EAL:+-- $LT_DP_EAL} >>"$RUN/linetime-dp.log" 2>&1 &
	echo $! >"$RUN/linetime-dp.pid"
}

admin_socket() {
	sed -n 's/^[[:space:]]*socket[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1
}

# Served means: an NTP request from the client namespace gets an answer.
wait_served() {
	for _ in $(seq 60); do
		if ip netns exec "$NS" /usr/bin/python3 "$ROOT/tests/integration/ntpquery.py" -q 198.18.0.1 >/dev/null 2>&1; then
			return 0
		fi
		pid_alive "$(pidof_file linetime-dp)" || break
		sleep 0.5
	done
	log "the appliance does not answer; logs:"
	tail -n 20 "$RUN/linetime-dp.log" "$RUN/linetimed.log" >&2
	return 1
}

up() {
	[ -x "$BIN/linetime-dp" ] || die "$BIN/linetime-dp not built (make)"
	if ip netns list | grep -qw "$NS"; then
		log "a lab is already up; taking it down first"
		down
	fi
	mkdir -p "$RUN"
	: >"$RUN/linetimed.log"
	: >"$RUN/linetime-dp.log"
	net_up || { log "network set-up failed"; down; exit 1; }
	start_ctl || { down; exit 1; }
	start_dp
	wait_served || { down; exit 1; }
	log "up: appliance 198.18.0.1 / 2001:2::1 on $DP_IF, client namespace $NS (logs in $RUN)"
}

down() {
	stop_proc linetime-dp
	stop_proc linetimed
	ip netns del "$NS" 2>/dev/null || true
	ip link del "$DP_IF" 2>/dev/null || true
	local region
	region=$(sed -n 's/^[[:space:]]*region[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1)
	[ -n "$region" ] && rm -f "$region" "$region.lock"
	rm -f "$RUN"/*.pid "$(admin_socket)"
	# Kept for the next down if a process of the user still runs.
	if [ -f "$RUN/lab-user" ] && userdel "$(cat "$RUN/lab-user")" 2>/dev/null; then
		rm -f "$RUN/lab-user"
	fi
	return 0
}

status() {
	for p in linetimed linetime-dp; do
		pid=$(pidof_file "$p")
		if pid_alive "$pid"; then echo "$p: running (pid $pid)"; else echo "$p: stopped"; fi
	done
	ip netns list | grep -qw "$NS" && echo "namespace $NS: present" || echo "namespace $NS: absent"
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
start-dp) start_dp ;;
stop-dp) stop_proc linetime-dp ;;
start-ctl) start_ctl ;;
stop-ctl) stop_proc linetimed ;;
wait) wait_served ;;
*) echo "usage: $0 up [CONFIG] | down | status | start-dp | stop-dp | start-ctl | stop-ctl | wait" >&2; exit 2 ;;
esac
