# shellcheck shell=bash
# Upstream NTP servers for the integration tests (sourced after lib.sh).
# Each server runs in the lab's client namespace on an address of its own,
# added to lt-cl0 next to the client's 198.18.0.2, so the appliance reaches
# it on-link through its lan0 port. A test that wants servers elsewhere (behind
# a router) sets UP_NS and UP_IF before starting them; each server keeps the
# namespace it was started in. Servers are numbered by the caller:
#
#   upstream_chronyd N ADDR                 chronyd, "local stratum 1", host clock
#   upstream_wrong N ADDR OFFSET [ARGS...]  ntpupstream.py: host clock + OFFSET s
#   upstream_stop N | upstream_stop_all     TERM, then KILL after 5 s
#   upstream_start_again N                  the same server, same config, again
#   poll / pcheck / seen                    wait for linetimed's JSON to say something
#
# Each start waits (at most about 6 s) until the server answers from the
# namespace. chronyd in local mode answers as synchronised (stratum 1,
# leap 0) from its first reply, about 10 ms after it starts: it has no
# sources to wait for. Its replies carry refid 127.127.1.1 and a root delay
# and dispersion of 0.
#
# The servers are jobs of the test's shell and are stopped by lib.sh's
# cleanup (wrapped below) before the lab goes down; the addresses go with
# the namespace. Start them from the test's own shell, not a subshell
# ($(...), pipes), or neither the PID bookkeeping nor the cleanup sees them.

UP_NS=$NS                               # where the next server starts
UP_IF=lt-cl0                            # and the interface that gets its address
UP_WAIT_TRIES=15                        # readiness probes, each at most ~0.4 s
declare -A UP_PID=() UP_ADDR=() UP_KIND=() UP_NSOF=()

# upstream_addr_ok ADDR: only the benchmarking ranges the lab may use
upstream_addr_ok() {
	"$PY" -c 'import ipaddress, sys
a = ipaddress.ip_address(sys.argv[1])
sys.exit(0 if any(a in ipaddress.ip_network(n) for n in ("198.18.0.0/15", "2001:2::/48")) else 1)' "$1" 2>/dev/null
}

# upstream_addr_add ADDR: put ADDR on $UP_IF in $UP_NS unless it is there
upstream_addr_add() {
	local a=$1
	if ! upstream_addr_ok "$a"; then
		echo "  upstreams: $a is outside 198.18.0.0/15 and 2001:2::/48, refused" >&2
		return 1
	fi
	[ -n "$(ip -n "$UP_NS" -o addr show dev "$UP_IF" to "$a" 2>/dev/null)" ] && return 0
	case $a in
	*:*) ip -n "$UP_NS" addr add "$a/64" dev "$UP_IF" nodad ;;
	*) ip -n "$UP_NS" addr add "$a/24" dev "$UP_IF" ;;
	esac
}

# upstream_alive PID: running, and not a zombie waiting to be reaped
upstream_alive() {
	[ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# upstream_ready N: one probe; chronyd must say stratum 1 leap 0, the test
# server must answer at all (it may be configured to send KoD or leap 3)
upstream_ready() {
	local n=$1
	if [ "${UP_KIND[$n]}" = chronyd ]; then
		ip netns exec "${UP_NSOF[$n]}" "$PY" "$ROOT/tests/integration/ntpquery.py" --json -t 0.2 "${UP_ADDR[$n]}" 2>/dev/null |
			"$PY" -c 'import json, sys
r = json.load(sys.stdin)["replies"]
sys.exit(0 if r and r[0]["stratum"] == 1 and r[0]["leap"] == 0 else 1)' 2>/dev/null
	else
		ip netns exec "${UP_NSOF[$n]}" "$PY" "$ROOT/tests/integration/ntpquery.py" -q -t 0.2 "${UP_ADDR[$n]}" >/dev/null 2>&1
	fi
}

# upstream_launch N: start server N from its saved command line, wait until it answers
upstream_launch() {
	local n=$1 pid t0 i
	local -a argv
	mapfile -d '' -t argv <"$TMPD/upstream-$n.argv"
	# chronyd drops root and cannot remove its pidfile from $TMPD; a stale
	# one naming a live (reused) PID would stop the next start.
	rm -f "$TMPD/chronyd-$n.pid" "$TMPD/ntpupstream-$n.pid"
	# ip netns exec execs the command, so $! is the server's own PID.
	ip netns exec "${UP_NSOF[$n]}" "${argv[@]}" >>"$TMPD/upstream-$n.log" 2>&1 &
	pid=$!
	UP_PID[$n]=$pid
	t0=$(date +%s%N)
	for ((i = 0; i < UP_WAIT_TRIES; i++)); do
		if ! upstream_alive "$pid"; then
			echo "  upstreams: server $n (${UP_KIND[$n]} ${UP_ADDR[$n]}) exited at start; its log:" >&2
			tail -n 5 "$TMPD/upstream-$n.log" >&2
			UP_PID[$n]=
			return 1
		fi
		# The test server writes its pidfile once its socket is bound; the
		# second liveness check catches a server that died while another
		# process answered in its place.
		if [ "${UP_KIND[$n]}" = ntpupstream ] && [ "$(cat "$TMPD/ntpupstream-$n.pid" 2>/dev/null)" != "$pid" ]; then
			sleep 0.1
			continue
		fi
		if upstream_ready "$n" && upstream_alive "$pid"; then
			echo "  upstream $n: ${UP_KIND[$n]} on ${UP_ADDR[$n]} (pid $pid) answering after $((($(date +%s%N) - t0) / 1000000)) ms"
			return 0
		fi
		sleep 0.1
	done
	echo "  upstreams: server $n (${UP_KIND[$n]} ${UP_ADDR[$n]}) does not answer; its log:" >&2
	tail -n 5 "$TMPD/upstream-$n.log" >&2
	return 1
}

# upstream_save N KIND ADDR CMD...: remember how to start server N (in $UP_NS)
upstream_save() {
	local n=$1 kind=$2 addr=$3
	shift 3
	if upstream_alive "${UP_PID[$n]:-}"; then
		echo "  upstreams: server $n is already running (pid ${UP_PID[$n]})" >&2
		return 1
	fi
	UP_KIND[$n]=$kind
	UP_ADDR[$n]=$addr
	UP_NSOF[$n]=$UP_NS
	printf '%s\0' "$@" >"$TMPD/upstream-$n.argv"
}

# upstream_chronyd N ADDR: a chronyd serving the host clock at stratum 1
upstream_chronyd() {
	local n=$1 addr=$2 conf="$TMPD/chronyd-$1.conf" fam
	upstream_addr_add "$addr" || return 1
	# bindcmdaddress /: no Unix command socket. Its default path is shared
	# by every namespace, and a second chronyd would take it over.
	cat >"$conf" <<-EOF
		bindaddress $addr
		port 123
		allow all
		local stratum 1
		cmdport 0
		bindcmdaddress /
		pidfile $TMPD/chronyd-$n.pid
	EOF
	# -4 or -6: without it chronyd also serves on the other family's
	# wildcard address, where it would answer for every other server.
	case $addr in *:*) fam=-6 ;; *) fam=-4 ;; esac
	upstream_save "$n" chronyd "$addr" chronyd "$fam" -x -d -f "$conf" || return 1
	upstream_launch "$n"
}

# upstream_wrong N ADDR OFFSET [ARGS...]: ntpupstream.py, host clock + OFFSET
upstream_wrong() {
	local n=$1 addr=$2 off=$3
	shift 3
	upstream_addr_add "$addr" || return 1
	upstream_save "$n" ntpupstream "$addr" "$PY" "$ROOT/tests/integration/ntpupstream.py" \
		--offset "$off" --pidfile "$TMPD/ntpupstream-$n.pid" \
		--count-file "$TMPD/ntpupstream-$n.count" "$@" "$addr" || return 1
	upstream_launch "$n"
}

# upstream_stop N...: TERM the servers, KILL what is left after 5 s, reap them
upstream_stop() {
	local n pid i left
	for n in "$@"; do
		pid=${UP_PID[$n]:-}
		upstream_alive "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	for ((i = 0; i < 50; i++)); do
		left=0
		for n in "$@"; do upstream_alive "${UP_PID[$n]:-}" && left=1; done
		[ "$left" -eq 0 ] && break
		sleep 0.1
	done
	for n in "$@"; do
		pid=${UP_PID[$n]:-}
		[ -n "$pid" ] || continue
		if upstream_alive "$pid"; then
			echo "  upstreams: server $n (pid $pid) ignored TERM for 5 s, killing" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
		wait "$pid" 2>/dev/null         # reap; keeps bash's "Terminated" notice away
		UP_PID[$n]=
		rm -f "$TMPD/chronyd-$n.pid"
	done
	return 0
}

upstream_stop_all() {
	local -a ns=()
	local n
	for n in "${!UP_PID[@]}"; do [ -n "${UP_PID[$n]}" ] && ns+=("$n"); done
	[ "${#ns[@]}" -gt 0 ] && upstream_stop "${ns[@]}"
	return 0
}

# upstream_start_again N...: restart stopped servers with their saved config
upstream_start_again() {
	local n rc=0
	for n in "$@"; do
		if [ ! -f "$TMPD/upstream-$n.argv" ]; then
			echo "  upstreams: no server $n was ever started" >&2
			rc=1
			continue
		fi
		if upstream_alive "${UP_PID[$n]:-}"; then
			echo "  upstreams: server $n is still running (pid ${UP_PID[$n]})" >&2
			rc=1
			continue
		fi
		upstream_launch "$n" || rc=1
	done
	return $rc
}

# upstream_pids: the PIDs of the servers running now, one a line
upstream_pids() {
	local n
	for n in "${!UP_PID[@]}"; do upstream_alive "${UP_PID[$n]}" && echo "${UP_PID[$n]}"; done
	return 0
}

# Stop the servers before lib.sh's cleanup takes the lab down (and so before
# their namespace goes): wrap cleanup, so every EXIT trap that calls it,
# lib.sh's own or a test's, stops them first and waits for them to exit.
if ! declare -F lt_lib_cleanup >/dev/null; then
	eval "lt_lib_cleanup() $(declare -f cleanup | sed 1d)"
	cleanup() { upstream_stop_all; lt_lib_cleanup; }
fi

# --- waiting on linetimed (the test sets T_END, its whole bound) ---

# poll SECS FILE EXPR CMD...: run CMD, its output to FILE, every 0.5 s until
# the Python expression EXPR over j = FILE's JSON holds; at most SECS
# seconds and never past T_END. WAITED says how long it took.
poll() {
	local secs=$1 f=$2 expr=$3 i t0=$SECONDS
	shift 3
	[ $((SECONDS + secs)) -gt "$T_END" ] && secs=$((T_END - SECONDS))
	for ((i = 0; i <= secs * 2; i++)); do
		if "$@" >"$f" 2>&1 && py_assert "$expr" "$f" 2>/dev/null; then
			WAITED=$((SECONDS - t0))
			return 0
		fi
		[ $((SECONDS - t0)) -ge "$secs" ] && break
		sleep 0.5
	done
	WAITED=$((SECONDS - t0))
	return 1
}
# seen FILE: what a failed poll saw last
seen() { echo "    saw: $(head -c 1500 "$1" 2>/dev/null | tr -s ' \n' '  ')"; }
# pcheck DESC SECS FILE EXPR CMD...: a check that polls; prints what it saw on failure
pcheck() {
	local d=$1 secs=$2 f=$3
	shift 3
	if poll "$secs" "$f" "$@"; then
		ok "$d (${WAITED} s)"
		return 0
	fi
	fail "$d (gave up after ${WAITED} s)"
	seen "$f"
	return 1
}
# The commands pcheck runs (shellcheck cannot see them called).
# shellcheck disable=SC2317
tracking() { ctl --json tracking; }
# shellcheck disable=SC2317
sources() { ctl --json sources; }
