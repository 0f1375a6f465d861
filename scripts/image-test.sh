#!/bin/sh
# image-test.sh IMAGEDIR: boot the appliance image under qemu (KVM when
# /dev/kvm works, else TCG) with a virtio-net NIC on a tap in a network
# namespace made here, and ask it for the time with ntpdig from that
# namespace. The guest's kernel never sees that NIC: linetime-setup binds
# it to vfio-pci (no-IOMMU mode) and linetime-dp drives it with DPDK's
# virtio PMD, so every answer is the dataplane's.
#
#   LT_IMAGE_BOOT=uefi (default) boots the disk through OVMF and systemd-boot;
#   LT_IMAGE_BOOT=direct hands qemu the kernel and initrd (and forwards the
#   journal to the serial console, for debugging).
# Names: namespace lt-img, tap lt-imgtap0; addresses 198.18.0.0/24 and
# 2001:2::/64. Everything made is removed at exit, qemu killed by its pid.
set -eu

DIR=${1:-build/image}
BOARD=${LT_IMAGE_BOARD:-virtio-vm}
BOOT=${LT_IMAGE_BOOT:-uefi}
IMG=$DIR/linetime-$BOARD.img
NS=lt-img
TAP=lt-imgtap0
GUEST4=198.18.0.1
GUEST6=2001:2::1
WORK=$(mktemp -d /tmp/lt-imgtest.XXXXXX)
CONSOLE=$DIR/image-test-console.log
PIDF=$WORK/qemu.pid
t0=$(date +%s)
say() { echo "image-test: [$(($(date +%s) - t0)) s] $*"; }

[ "$(id -u)" -eq 0 ] || { echo "image-test: needs root (namespace, tap)" >&2; exit 1; }
[ -f "$IMG" ] || { echo "image-test: no $IMG (make image)" >&2; exit 1; }

cleanup() {
	rc=$?
	if [ -s "$PIDF" ]; then
		pid=$(cat "$PIDF")
		if kill "$pid" 2>/dev/null; then
			i=0
			while kill -0 "$pid" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# KVM only if it really runs this kernel: some nested set-ups expose
# /dev/kvm but fail on the first BMI2 instruction ("KVM internal error").
kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults -display none -vga none \
		-serial file:"$WORK/probe.log" -kernel "$DIR/vmlinuz" -append "console=ttyS0 panic=-1" \
		-no-reboot -pidfile "$WORK/probe.pid" -daemonize 2>/dev/null || return 1
	i=0
	while [ $i -lt 30 ] && ! grep -q 'Linux version' "$WORK/probe.log" 2>/dev/null; do
		kill -0 "$(cat "$WORK/probe.pid")" 2>/dev/null || break
		sleep 0.5
		i=$((i + 1))
	done
	kill "$(cat "$WORK/probe.pid")" 2>/dev/null || true
	grep -q 'Linux version' "$WORK/probe.log" 2>/dev/null
}
if [ "${LT_IMAGE_ACCEL:-auto}" != tcg ] && kvm_works; then
	ACCEL="-accel kvm -cpu host"
	LIMIT=${LT_IMAGE_TIMEOUT:-300}
else
	# TCG: -cpu max has SSE4.2 (DPDK) and the N100's x86-64-v3 set.
	ACCEL="-accel tcg -cpu max"
	LIMIT=${LT_IMAGE_TIMEOUT:-900}
fi

ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add "$TAP" mode tap
ip -n "$NS" addr add 198.18.0.2/24 dev "$TAP"
ip -n "$NS" addr add 2001:2::2/64 dev "$TAP" nodad
ip -n "$NS" link set "$TAP" up

# The image stays pristine: the guest writes to an overlay, so every run
# is a first boot.
qemu-img create -q -f qcow2 -F raw -b "$(cd "$(dirname "$IMG")" && pwd)/$(basename "$IMG")" "$WORK/disk.qcow2"
if [ "$BOOT" = direct ]; then
	BOOTARGS="-kernel $DIR/vmlinuz -initrd $DIR/initrd.img"
	APPEND="$(cat "$DIR/cmdline") systemd.journald.forward_to_console=1"
else
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$WORK/vars.fd"
	BOOTARGS="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=$WORK/vars.fd"
	APPEND=""
fi
say "booting $IMG ($BOOT, $(echo "$ACCEL" | cut -d' ' -f2)), limit ${LIMIT} s; console in $CONSOLE"
# shellcheck disable=SC2086
ip netns exec "$NS" qemu-system-x86_64 -machine q35 $ACCEL -smp 2 -m 1024 \
	-nodefaults -display none -vga none \
	-chardev file,id=ser0,path="$CONSOLE" -serial chardev:ser0 \
	$BOOTARGS ${APPEND:+-append "$APPEND"} \
	-drive file="$WORK/disk.qcow2",if=none,id=d0,format=qcow2 -device virtio-blk-pci,drive=d0,addr=5 \
	-netdev tap,id=dp0,ifname="$TAP",script=no,downscript=no \
	-device virtio-net-pci,netdev=dp0,addr=4,mac=52:54:00:4c:54:01 \
	-pidfile "$PIDF" -daemonize

# Ask until the dataplane answers, or give up at the limit.
answered=""
while [ $(($(date +%s) - t0)) -lt "$LIMIT" ]; do
	if ! kill -0 "$(cat "$PIDF")" 2>/dev/null; then
		say "qemu exited"
		break
	fi
	if ip netns exec "$NS" ntpdig -t 1 "$GUEST4" >"$WORK/first" 2>&1; then
		answered=yes
		break
	fi
	sleep 2
done
if [ -z "$answered" ]; then
	say "FAIL: no NTP answer from $GUEST4; last 40 console lines:"
	tail -n 40 "$CONSOLE" | sed 's/^/  | /'
	exit 1
fi
say "first answer from the dataplane"
fail=0
check() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		echo "ok   $desc"
		echo "$out" | sed 's/^/     /'
	else
		echo "FAIL $desc"
		echo "$out" | sed 's/^/     /'
		fail=$((fail + 1))
	fi
}
check "ntpdig over IPv4 ($GUEST4)" ip netns exec "$NS" ntpdig -t 2 "$GUEST4"
check "ntpdig over IPv6 ($GUEST6)" ip netns exec "$NS" ntpdig -t 2 "$GUEST6"
check "stratum 10 (the first-boot config: local clock, no upstream)" \
	sh -c "ip netns exec $NS ntpdig -t 2 $GUEST4 | grep -q ' s10 '"
check "the answer came from the virtio NIC's MAC (DPDK owns it)" \
	sh -c "ip -n $NS neigh show $GUEST4 | grep -q 52:54:00:4c:54:01"
if [ "$BOOT" = direct ]; then
	check "linetime-dp drove the virtio port (console)" grep -m1 'net_virtio\|serving on 1 port' "$CONSOLE"
fi
say "done: $fail failure(s)"
[ "$fail" -eq 0 ]
