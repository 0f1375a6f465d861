#!/bin/bash
# make demo: bring the lab up on the embedded default (board/lab), query the
# appliance with real clients from the client namespace, show what the
# dataplane counted, and stay up until Ctrl-C (or DEMO_SECONDS, if set).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB="$ROOT/scripts/lab.sh"
CONF=${LT_LAB_CONF:-$ROOT/board/lab/linetime.conf}
SOCK=$(sed -n 's/^[[:space:]]*socket[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$CONF" | head -1)
CTL="$ROOT/build/linetimectl -s $SOCK"

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 1; }
trap '"$LAB" down; echo "demo: lab removed"' EXIT
trap 'exit 0' INT TERM

"$LAB" up || exit 1
hdr() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

for addr in 198.18.0.1 2001:2::1; do
	hdr "ntpdig $addr  (ntpsec, from namespace lt-client)"
	ip netns exec lt-client ntpdig -t 2 "$addr"
	hdr "chronyd -Q 'server $addr iburst maxsamples 4'  (chrony, measures without touching the clock)"
	ip netns exec lt-client chronyd -Q -t 10 "pidfile /tmp/lt-demo-chronyd.pid" "server $addr iburst maxsamples 4" 2>&1 |
		grep -E "wrong by|No suitable|Timeout" || echo "(no answer)"
	rm -f /tmp/lt-demo-chronyd.pid
done
hdr "linetimectl serverstats"
$CTL serverstats
hdr "linetimectl ports"
$CTL ports

cat <<EOT

The appliance is up: linetime-dp serves 198.18.0.1 and 2001:2::1 on lt-dp0.
Try, in another terminal:
  sudo ip netns exec lt-client ntpdig 198.18.0.1
  sudo ip netns exec lt-client chronyd -Q 'server 2001:2::1 iburst'
  sudo $ROOT/build/linetimectl -s $SOCK serverstats
Logs: /run/linetime-lab/*.log.   Ctrl-C stops the demo and removes the lab.
EOT
if [ -n "${DEMO_SECONDS:-}" ]; then
	sleep "$DEMO_SECONDS"
else
	while sleep 3600; do :; done
fi
