# Shared helpers for the integration tests (sourced). Every test brings the
# lab up itself and takes it down on exit, pass or fail.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LAB="$ROOT/scripts/lab.sh"
# LT_BIN_DIR: where the binaries under test are (run.sh sets build/asan
# for the sanitizer builds); lab.sh starts the daemons from there too.
BINDIR=${LT_BIN_DIR:-$ROOT/build}
CTL="$BINDIR/linetimectl"
PY=/usr/bin/python3
NS=lt-client
CONF=${LT_LAB_CONF:-$ROOT/board/lab/linetime.conf}
SOCK=$(sed -n 's/^[[:space:]]*socket[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1)
export LT_LAB_CONF=$CONF

FAILS=0
CHECKS=0
TMPD=$(mktemp -d /tmp/lt-it.XXXXXX)
# linetimed runs as the lab's user (board/lab/linetime.conf): it must reach
# the configs, logdirs and sockets tests put here. Not listable by others.
chmod 0711 "$TMPD"

cleanup() {
	"$LAB" down >/dev/null 2>&1
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	rm -rf "$TMPD" ${LT_TMP_EXTRA:-}
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { CHECKS=$((CHECKS + 1)); echo "  ok: $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "  FAIL: $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }

in_ns() { ip netns exec "$NS" "$@"; }
ctl() { "$CTL" -s "$SOCK" "$@"; }

# ctl_field COMMAND PATH: one field of a command's --json answer, PATH a
# Python subscript such as "['dataplane']['epoch']"
ctl_field() {
	ctl --json "$1" | "$PY" -c "import json,sys; j=json.load(sys.stdin); print(j$2)"
}

# counter NAME: the dataplane's total for one counter
counter() { ctl_field serverstats "['counters']['$1']"; }

# py_assert 'PYTHON EXPR over j' JSONFILE: evaluate with j = the loaded JSON
py_assert() {
	"$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$2"
}

lab_up() {
	if ! "$LAB" up; then
		fail "lab up"
		finish
	fi
}

finish() {
	echo "  $((CHECKS - FAILS)) of $CHECKS checks passed"
	[ "$FAILS" -eq 0 ]
	exit $?
}
