#!/bin/sh
# tests/package/run.sh BUILD VERSION: the .deb made by `make deb` installs
# into a throwaway root with dpkg (maintainer scripts included, run with
# DPKG_ROOT), holds what it should, its systemd units pass
# `systemd-analyze verify`, its nftables and logrotate files parse, and
# removing and purging it leaves the root as it was. Root, about 10 s.
set -eu

BUILD=${1:-build}
VERSION=${2:-0.1.0}
DEB=$BUILD/linetime_${VERSION}_$(dpkg --print-architecture).deb
R=$(mktemp -d /tmp/lt-pkgroot.XXXXXX)
trap 'rm -rf "$R"' EXIT INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { desc=$1; shift; if "$@" >"$R.out" 2>&1; then ok "$desc"; else bad "$desc"; sed 's/^/     /' "$R.out"; fi; rm -f "$R.out"; }

[ -f "$DEB" ] || { echo "no $DEB: make deb first" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "package tests need root (dpkg --root)" >&2; exit 1; }

# --- contents -------------------------------------------------------------
contents=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in usr/sbin/linetime-dp usr/sbin/linetimed usr/bin/linetimectl usr/bin/linetime-gen \
	usr/bin/linetime-board usr/lib/linetime/linetime-setup \
	usr/lib/systemd/system/linetimed.service usr/lib/systemd/system/linetime-dp.service \
	usr/lib/systemd/system/linetime-setup.service usr/lib/systemd/system/mnt-huge.mount \
	usr/lib/systemd/system/linetime-firstboot.service \
	usr/lib/sysusers.d/linetime.conf usr/lib/tmpfiles.d/linetime.conf \
	etc/logrotate.d/linetime etc/linetime/firewall.nft etc/default/linetime \
	usr/share/man/man8/linetimed.8.gz usr/share/man/man1/linetimectl.1.gz \
	usr/share/doc/linetime/linetime.conf.example \
	usr/share/linetime/boards/lab/board.conf usr/share/linetime/boards/n100-i226/board.conf \
	usr/share/linetime/boards/virtio-vm/board.conf usr/share/linetime/boards/virtio-vm/linetime.conf; do
	case "$contents" in
	*"./$f"*) ;;
	*) bad "contents: $f missing" ;;
	esac
done
ok "contents: binaries, units, man pages, configs, board profiles"
check "control: depends on DPDK's libraries and the dpdk plugins" \
	sh -c "dpkg-deb -f '$DEB' Depends | grep -q 'librte-eal' && dpkg-deb -f '$DEB' Depends | grep -q 'dpdk,'"

# --- install into a throwaway root ----------------------------------------
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/etc"
: >"$R/var/lib/dpkg/status"
# An empty root has no libc or DPDK: dependencies are the one thing not
# checked here (the image build installs the package with apt, which is).
check "dpkg --root installs it (maintainer scripts with DPKG_ROOT)" \
	dpkg --root="$R" --force-depends --force-script-chrootless --log=/dev/null -i "$DEB"
check "installed state" sh -c "dpkg --root='$R' -s linetime | grep -q '^Status: install ok installed'"
check "postinst: system user linetime" grep -q '^linetime:x:[0-9]*:[0-9]*:.*:/nonexistent:/usr/sbin/nologin$' "$R/etc/passwd"
uid=$(awk -F: '$1=="linetime"{print $3}' "$R/etc/passwd")
check "postinst: /var/lib/linetime and /var/log/linetime owned by linetime" \
	sh -c "[ \"\$(stat -c %u '$R/var/lib/linetime')\" = '$uid' ] && [ \"\$(stat -c %u '$R/var/log/linetime')\" = '$uid' ]"
for u in linetime-dp.service linetimed.service linetime-firstboot.service; do
	check "postinst: $u enabled" test -L "$R/etc/systemd/system/multi-user.target.wants/$u"
done
check "postinst: mnt-huge.mount enabled" test -L "$R/etc/systemd/system/local-fs.target.wants/mnt-huge.mount"
check "conffiles: /etc files registered" sh -c "dpkg-query --admindir='$R/var/lib/dpkg' -W -f='\${Conffiles}' linetime | grep -q /etc/linetime/firewall.nft"

# --- what the package holds works ------------------------------------------
for b in lab n100-i226 virtio-vm; do
	check "linetime-board $b check (installed profiles)" \
		"$R/usr/bin/linetime-board" -d "$R/usr/share/linetime/boards" "$b" check
	check "linetime-dp -t accepts the $b default config" \
		"$R/usr/sbin/linetime-dp" -t -c "$R/usr/share/linetime/boards/$b/linetime.conf"
done
# systemd-analyze verify in a root holding the host's own units (for the
# targets ours order against) plus the package's files and /bin/kill.
V=$R/verify
mkdir -p "$V/usr/lib/systemd" "$V/bin"
cp -a /usr/lib/systemd/system "$V/usr/lib/systemd/"
dpkg-deb -x "$DEB" "$V"
cp /bin/kill "$V/bin/"
check "systemd-analyze verify: all units" \
	sh -c "cd '$V' && systemd-analyze verify --man=no --root='$V' usr/lib/systemd/system/linetime*.service usr/lib/systemd/system/mnt-huge.mount 2>&1 | tee /dev/stderr | (! grep -q .)"
rm -rf "$V"
check "nft -c: firewall.nft parses" nft -c -f "$R/etc/linetime/firewall.nft"
# The host has no user linetime: parse a copy that rotates as root.
sed 's/^\tsu linetime linetime$/\tsu root root/' "$R/etc/logrotate.d/linetime" >"$R/logrotate.test"
check "logrotate -d: the logrotate file parses" \
	sh -c "grep -q '^.su linetime linetime\$' '$R/etc/logrotate.d/linetime' && logrotate -d -s '$R/lr.state' '$R/logrotate.test' 2>&1 | (! grep -i error)"
rm -f "$R/logrotate.test"
check "linetime-setup firstboot writes the board's default config" \
	sh -c "PATH='$R/usr/bin':\$PATH LT_BOARD_DIR='$R/usr/share/linetime/boards' BOARD=virtio-vm LT_CONF='$R/etc/linetime/linetime.conf' '$R/usr/lib/linetime/linetime-setup' firstboot && cmp '$R/etc/linetime/linetime.conf' '$R/usr/share/linetime/boards/virtio-vm/linetime.conf'"
rm -f "$R/etc/linetime/linetime.conf"

# --- remove and purge -------------------------------------------------------
check "dpkg --root -r removes it" dpkg --root="$R" --force-script-chrootless --log=/dev/null -r linetime
check "remove: binaries gone, conffiles kept" sh -c "[ ! -e '$R/usr/sbin/linetime-dp' ] && [ -e '$R/etc/linetime/firewall.nft' ]"
check "remove: units disabled" sh -c "[ ! -e '$R/etc/systemd/system/multi-user.target.wants/linetimed.service' ]"
check "dpkg --root -P purges it" dpkg --root="$R" --force-script-chrootless --log=/dev/null -P linetime
check "purge: conffiles, state and logs gone" \
	sh -c "[ ! -e '$R/etc/linetime/firewall.nft' ] && [ ! -e '$R/var/lib/linetime' ] && [ ! -e '$R/var/log/linetime' ]"

echo "package: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
