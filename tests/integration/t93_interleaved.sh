#!/bin/bash
# Interleaved mode against a real chronyd client (chrony 4.3 in the client
# namespace, not touching any clock): one source over IPv4 with xleave, one
# over IPv6 in basic mode, both the lab appliance, polled 16 times a second
# for about 20 s in the same run. chronyd must report interleaved
# measurements for the first and basic for the second, the appliance's
# counters must agree, and both must agree on the time.
# (The issue also asks for lower jitter in interleaved mode: printed, see
# the end.)
. "$(dirname "$0")/lib.sh"

echo "t93: interleaved mode with chronyd xleave"
lab_up

CONF_C=$TMPD/chrony.conf
# chronyd wants its command socket's directory to be 0700 (TMPD is 0711).
CMDD=$TMPD/chronyc
mkdir -m 0700 "$CMDD"
cat >"$CONF_C" <<EOF
server 198.18.0.1 xleave minpoll -4 maxpoll -4 maxsamples 16
server 2001:2::1 minpoll -4 maxpoll -4 maxsamples 16
cmdport 0
bindcmdaddress $CMDD/chronyd.sock
pidfile $TMPD/chronyd.pid
logdir $TMPD
log measurements
EOF
x0=$(counter ntp_interleaved)
# Not through in_ns (a function): $! would be a subshell, not chronyd.
ip netns exec "$NS" chronyd -x -d -u root -f "$CONF_C" >"$TMPD/chronyd.out" 2>&1 &
CHRONYD=$!
stop_chronyd() { kill "$CHRONYD" 2>/dev/null; wait "$CHRONYD" 2>/dev/null; }
trap 'stop_chronyd; cleanup' EXIT
# bounded: 20 s of polling, then stop it (our own PID)
for _ in $(seq 200); do kill -0 $CHRONYD 2>/dev/null || break; sleep 0.1; done
ntpdata=$(in_ns chronyc -h "$CMDD/chronyd.sock" ntpdata 198.18.0.1 2>&1)
stop_chronyd
x1=$(counter ntp_interleaved)
echo "$ntpdata" | grep -E "Interleaved|TX timestamping|Total valid RX" | sed 's/^/  chronyc ntpdata: /'

[ -s "$TMPD/measurements.log" ] || { echo "  chronyd said:"; cat "$TMPD/chronyd.out"; }
check "chronyc ntpdata: the IPv4 source is interleaved" \
	grep -q "^Interleaved *: Yes" <<<"$ntpdata"

# measurements.log: offset in column 12; "MTxRx", the last three: mode
# and I (interleaved) or B (basic), then the TX and RX timestamp sources.
LOGF=$TMPD/measurements.log
stats() { # stats ADDR MODECHAR -> "count mean sd" of offsets in us, skipping warm-up
	awk -v a="$1" -v m="$2" '$3 == a && substr($(NF - 2), 2, 1) == m { n++; if (n <= 8) next;
		k++; s += $12 * 1e6; q += ($12 * 1e6) ^ 2 }
		END { if (k < 2) { print 0, 0, 0; exit } mu = s / k; v = q / k - mu * mu;
		printf "%d %.2f %.2f\n", k, mu, sqrt(v > 0 ? v : 0) }' "$LOGF"
}
read -r n_i mu_i sd_i < <(stats 198.18.0.1 I)
read -r n_b mu_b sd_b < <(stats 2001:2::1 B)
n_ib=$(awk '$3 == "198.18.0.1" && substr($(NF - 2), 2, 1) == "B"' "$LOGF" 2>/dev/null | wc -l)
echo "  interleaved (IPv4): $n_i measurements, offset mean $mu_i us, sd $sd_i us ($n_ib basic ones at the start)"
echo "  basic (IPv6):       $n_b measurements, offset mean $mu_b us, sd $sd_b us"
check "chronyd logged interleaved measurements from the xleave source" test "$n_i" -ge 100
check "chronyd logged basic measurements from the other source" test "$n_b" -ge 100
check "the appliance counted interleaved replies ($((x1 - x0)))" test $((x1 - x0)) -ge "$n_i"
check "no interleaved request fell back to basic" test "$(counter ntp_interleaved_basic)" -eq 0
check "both modes agree on the time (means within 100 us)" \
	awk -v a="$mu_i" -v b="$mu_b" 'BEGIN { d = a - b; exit !(d < 100 && d > -100) }'
# The jitter comparison is printed, not asserted (docs/TIMESTAMPS.md,
# "Interleaved mode on af_packet", has the numbers and the reasons). The
# lab's port is af_packet on a veth: its tx_burst is a sendto() that runs
# the client's whole receive path inside the call, so the best departure
# time linetime can give is the TSC read just before the call (the port's
# default there), which differs from basic mode's transmit timestamp by a
# constant. Interleaved then matches basic mode's jitter but cannot beat it
# by a margin that holds on a shared 2-vCPU VM; on a NIC the departure is
# the DMA's, after the reply was built. Both figures, and the same spread
# measured robustly (p10..p90, which one descheduling does not swamp):
spread() { # spread ADDR MODECHAR -> "p10 median p90" of offsets in us, after warm-up
	awk -v a="$1" -v m="$2" '$3 == a && substr($(NF - 2), 2, 1) == m { n++; if (n > 8) print $12 * 1e6 }' \
		"$LOGF" | sort -g | awk '{ v[NR] = $1 } END { if (NR < 10) { print 0, 0, 0; exit }
		printf "%.2f %.2f %.2f\n", v[int(NR * 0.1) + 1], v[int(NR * 0.5) + 1], v[int(NR * 0.9)] }'
}
read -r i10 i50 i90 < <(spread 198.18.0.1 I)
read -r b10 b50 b90 < <(spread 2001:2::1 B)
echo "  offset sd: interleaved $sd_i us, basic $sd_b us"
echo "  offset p10/median/p90: interleaved $i10/$i50/$i90 us, basic $b10/$b50/$b90 us"
echo "  departures: $(ctl ports | awk 'NR == 2 { print $(NF - 5), $(NF - 4) }') (TSC reading, correction)"
finish
