#!/bin/bash
# Run every integration test (t*.sh, in order) against the lab. Needs root.
# Prints one line per test and a closing "N passed, N failed".
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "integration tests need root (network namespaces, DPDK)" >&2; exit 1; }

pass=0 failed=0 names=""
for t in "$DIR"/t[0-9]*.sh; do
	name=$(basename "$t" .sh)
	[ -n "${LT_IT_ONLY:-}" ] && [[ "$name" != *"$LT_IT_ONLY"* ]] && continue
	echo "== $name"
	start=$(date +%s)
	if timeout -k 10 300 bash "$t"; then
		pass=$((pass + 1)); echo "== $name: PASS ($(( $(date +%s) - start )) s)"
	else
		failed=$((failed + 1)); names="$names $name"; echo "== $name: FAIL ($(( $(date +%s) - start )) s)"
		# Leave nothing behind for the next test.
		"$DIR/../../scripts/lab.sh" down >/dev/null 2>&1
	fi
done
[ "$failed" -gt 0 ] && echo "failed:$names"
echo "integration: $pass passed, $failed failed"
[ "$failed" -eq 0 ]
