#!/bin/sh
# Run the libFuzzer harnesses one after the other (never two at once) and
# print one table: harness, seconds, executions, coverage, crashes.
#
#   tests/fuzz/run.sh [--smoke] DIR SECONDS HARNESS...
#
# DIR holds the fuzz_HARNESS binaries (make fuzz builds them in
# $(BUILD)/fuzz). Each harness runs for SECONDS on a copy of its seed corpus
# tests/fuzz/corpus/HARNESS (in DIR/work/HARNESS, so the repository is never
# written), with tests/fuzz/HARNESS.dict when there is one. Whatever it
# finds is left in DIR/work/HARNESS/artifacts; new corpus entries in
# DIR/work/HARNESS/corpus. Exit status 1 if any harness found something,
# crashed or could not run.
#
# --smoke: the same, for make check: quieter, and the table is followed by
# the path of each artifact so a CI log says what to reproduce.
set -u

smoke=0
if [ "${1:-}" = "--smoke" ]; then
	smoke=1
	shift
fi
if [ $# -lt 3 ]; then
	echo "usage: $0 [--smoke] DIR SECONDS HARNESS..." >&2
	exit 2
fi
dir=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)

# Largest input per harness: a frame, a config file, a request burst, ...
max_len() {
	case $1 in
	pktproc) echo 1600 ;;
	signd) echo 2048 ;;
	ntpclient) echo 2048 ;;
	admin_server) echo 16384 ;;
	*) echo 8192 ;;
	esac
}

# One field of libFuzzer's -print_final_stats output, or "?".
stat() {
	v=$(sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -n 1)
	echo "${v:-?}"
}

# The "cov:" figure of the first line matching $1 (INITED) or the last line.
cov() {
	if [ "$1" = first ]; then
		v=$(grep -E '^#[0-9]+[[:space:]]+INITED' "$2" | sed -n 's/.* cov: \([0-9]*\).*/\1/p' | head -n 1)
	else
		v=$(grep -E '^#[0-9]+' "$2" | sed -n 's/.* cov: \([0-9]*\).*/\1/p' | tail -n 1)
	fi
	echo "${v:-?}"
}

# A dependency's known leak (see the file); everything else is reported.
LSAN_OPTIONS="suppressions=$src/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

status=0
found=""
printf '%-14s %5s %11s %9s %16s %7s %8s\n' harness secs execs exec/s "cov (new)" corpus crashes
for h in "$@"; do
	bin="$dir/fuzz_$h"
	work="$dir/work/$h"
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
	if [ -d "$src/corpus/$h" ]; then
		cp "$src/corpus/$h"/* "$work/corpus/" 2>/dev/null
	fi
	set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-max_len="$(max_len "$h")" -artifact_prefix="$work/artifacts/"
	if [ -f "$src/$h.dict" ]; then
		set -- "$@" -dict="$src/$h.dict"
	fi
	start=$(date +%s)
	# stdin from /dev/null: nothing a harness does may wait on a terminal.
	# TMPDIR: the harnesses' scratch directories (sockets, a chrony tree),
	# left there rather than in /tmp when a crash skips their clean-up.
	TMPDIR="$work/tmp" timeout -k 10 $((secs + 120)) "$bin" "$@" "$work/corpus" </dev/null \
		>"$work/log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(stat number_of_executed_units "$work/log")
	rate=$(stat average_exec_per_sec "$work/log")
	c0=$(cov first "$work/log")
	c1=$(cov last "$work/log")
	if [ "$c0" != "?" ] && [ "$c1" != "?" ]; then
		covtxt="$c1 (+$((c1 - c0)))"
	else
		covtxt="?"
	fi
	ncorp=$(find "$work/corpus" -type f | wc -l)
	ncrash=$(find "$work/artifacts" -type f | wc -l)
	printf '%-14s %5s %11s %9s %16s %7s %8s\n' "$h" "$took" "$execs" "$rate" "$covtxt" "$ncorp" "$ncrash"
	if [ "$ncrash" -gt 0 ] || [ "$rc" -ne 0 ]; then
		status=1
		found="$found $h"
	fi
done

if [ -n "$found" ]; then
	echo
	for h in $found; do
		echo "fuzz_$h: found something; log: $dir/work/$h/log"
		find "$dir/work/$h/artifacts" -type f -exec echo "  reproduce: $dir/fuzz_$h {}" \;
		if [ "$smoke" -eq 1 ]; then
			grep -a -E -m 5 'ERROR: |contract broken|runtime error' "$dir/work/$h/log" | sed 's/^/  /'
		fi
	done
fi
exit $status
