#!/bin/bash
# Run every integration test (t*.sh, in order) against the lab. Needs root.
# Prints one line per test and a closing "N passed, N failed".
#
# LT_SAN=1 (what `make integration` sets): the daemons and linetimectl are
# the ASan/UBSan builds in build/asan (LT_BIN_DIR, read by lab.sh and
# lib.sh). Any sanitizer report, leaks at exit included, ends that process
# with exit status 23 and is written to $LT_SAN_DIR/{asan,ubsan}.PROGRAM.PID
# instead of its stderr; a test after which such a file exists fails, and
# the report is printed under its name. Leak reports from DPDK and library
# internals are suppressed by lsan.supp (each entry says why), never ours.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "integration tests need root (network namespaces, DPDK)" >&2; exit 1; }

SAN_DIR=""
if [ "${LT_SAN:-0}" = 1 ]; then
	export LT_BIN_DIR=${LT_BIN_DIR:-$ROOT/build/asan}
	for b in linetime-dp linetimed linetimectl; do
		[ -x "$LT_BIN_DIR/$b" ] || { echo "$LT_BIN_DIR/$b not built (make $LT_BIN_DIR/$b)" >&2; exit 1; }
	done
	SAN_DIR=$(mktemp -d /tmp/lt-san.XXXXXX)
	# World-writable (sticky): a daemon that dropped privileges, or
	# linetimectl run as another user, must still be able to report.
	chmod 1777 "$SAN_DIR"
	export LT_SAN_DIR=$SAN_DIR
	san_common="log_exe_name=1:exitcode=23:print_stacktrace=1"
	export ASAN_OPTIONS="log_path=$SAN_DIR/asan:$san_common:detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:check_initialization_order=1"
	export LSAN_OPTIONS="suppressions=$DIR/lsan.supp:print_suppressions=0"
	export UBSAN_OPTIONS="log_path=$SAN_DIR/ubsan:$san_common:halt_on_error=1"
	echo "sanitizers: daemons from $LT_BIN_DIR, reports to $SAN_DIR"
fi

# san_reports NAME: print and set aside the reports the test left; fails if any.
san_reports() {
	local f found=1
	[ -n "$SAN_DIR" ] || return 0
	for f in "$SAN_DIR"/asan.* "$SAN_DIR"/ubsan.*; do
		[ -e "$f" ] || continue
		found=0
		echo "  SANITIZER REPORT $(basename "$f") (after $1):"
		sed 's/^/  | /' "$f"
		mkdir -p "$SAN_DIR/$1"
		mv "$f" "$SAN_DIR/$1/"
	done
	[ "$found" -eq 1 ]
}

pgid=""
# Interrupted: end the test running (its trap takes the lab down), then go.
trap '[ -n "$pgid" ] && kill -TERM -- "-$pgid" 2>/dev/null && wait "$pgid"
      "$DIR/../../scripts/lab.sh" down >/dev/null 2>&1
      [ -n "$SAN_DIR" ] && rmdir "$SAN_DIR" 2>/dev/null; exit 130' INT TERM

pass=0 failed=0 names=""
for t in "$DIR"/t[0-9]*.sh; do
	name=$(basename "$t" .sh)
	[ -n "${LT_IT_ONLY:-}" ] && [[ "$name" != *"$LT_IT_ONLY"* ]] && continue
	echo "== $name"
	start=$(date +%s)
	# A process group of its own: whatever the test leaves running (a
	# server it started, when it was killed before its trap ran) is ended
	# below, so nothing outlives it holding the lab, or the lab's lock.
	setsid timeout -k 10 300 bash "$t" &
	pgid=$!
	wait "$pgid"
	rc=$?
	# The lab is down once a test exits (its trap), so every daemon it
	# ran has exited and written its leak report, if any.
	[ $rc -ne 0 ] && "$DIR/../../scripts/lab.sh" down >/dev/null 2>&1
	kill -KILL -- "-$pgid" 2>/dev/null
	san_reports "$name" || rc=1
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "== $name: PASS ($(( $(date +%s) - start )) s)"
	else
		failed=$((failed + 1)); names="$names $name"; echo "== $name: FAIL ($(( $(date +%s) - start )) s)"
	fi
done
[ "$failed" -gt 0 ] && echo "failed:$names"
if [ -n "$SAN_DIR" ]; then
	if rmdir "$SAN_DIR" 2>/dev/null; then
		echo "sanitizers: no reports"
	else
		echo "sanitizers: reports kept in $SAN_DIR"
	fi
fi
echo "integration: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
