#!/bin/bash
# make demo's script works end to end: it brings the lab up, real clients get
# time, it prints the counters, and it cleans up after itself.
. "$(dirname "$0")/lib.sh"

DEMO_SECONDS=1 "$ROOT/scripts/demo.sh" >"$TMPD/demo.txt" 2>&1
rc=$?
sed 's/^/  | /' "$TMPD/demo.txt"
check "demo exited cleanly" test "$rc" -eq 0
check "demo: ntpdig got time over IPv4 and IPv6" test "$(grep -c ' s10 no-leap' "$TMPD/demo.txt")" -eq 2
check "demo: chronyd -Q measured twice" test "$(grep -c 'System clock wrong by' "$TMPD/demo.txt")" -eq 2
check "demo: printed serverstats" grep -qi "answered" "$TMPD/demo.txt"
check "demo: removed the namespace" bash -c "! ip netns list | grep -qw lt-client"
check "demo: removed the veth" bash -c "! ip link show lt-dp0 >/dev/null 2>&1"
finish
