#!/bin/sh
# build-deb.sh BUILD VERSION: BUILD/linetime_VERSION_ARCH.deb from a staged
# `make install DESTDIR=`, with dpkg-deb. Dependencies come from
# dpkg-shlibdeps on the binaries, so the same script gives a bookworm
# package (DPDK 22.11) on the host and a trixie one (DPDK 24.11) in the
# image's build chroot. Why not a debian/ source package: docs/DEPLOY.md.
set -eu

BUILD=${1:-build}
VERSION=${2:-0.1.0}
ARCH=$(dpkg --print-architecture)
STAGE=$BUILD/deb/stage
OUT=$BUILD/linetime_${VERSION}_${ARCH}.deb

rm -rf "$BUILD/deb"
mkdir -p "$STAGE/DEBIAN"
STAGE=$(cd "$STAGE" && pwd)
make -s install BUILD="$BUILD" DESTDIR="$STAGE" >/dev/null

# Man pages compressed, as Debian policy wants them.
find "$STAGE/usr/share/man" -type f -exec gzip -9n {} +

# Shared-library dependencies of every ELF file. dpkg-shlibdeps reads
# debian/control of the package being built, so it runs in a scratch tree.
work=$BUILD/deb/shlibdeps
mkdir -p "$work/debian"
printf 'Source: linetime\n\nPackage: linetime\nArchitecture: any\n' >"$work/debian/control"
elves=$(find "$STAGE/usr/sbin" "$STAGE/usr/bin" -type f)
# shellcheck disable=SC2086
(cd "$work" && dpkg-shlibdeps -O $elves 2>/dev/null) | sed -n 's/^shlibs:Depends=//p' >"$BUILD/deb/depends"
libdeps=$(cat "$BUILD/deb/depends")
[ -n "$libdeps" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# DPDK loads its drivers as plugins, which no ELF names and Debian only
# recommends: depend on the ones the shipped board profiles use (mempool
# ring, igc for the i226, virtio for VMs, af_packet for the lab), named
# with the DPDK ABI the binaries were linked against (23 in bookworm, 25 in
# trixie). systemd for sysusers/tmpfiles and the units, kmod for modprobe.
abi=$(echo "$libdeps" | sed -n 's/.*librte-eal\([0-9][0-9]*\).*/\1/p')
[ -n "$abi" ] || { echo "build-deb: no librte-eal dependency found" >&2; exit 1; }
extra="dpdk, librte-mempool-ring$abi, librte-net-igc$abi, librte-net-virtio$abi, librte-net-af-packet$abi, systemd, kmod"

size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat >"$STAGE/DEBIAN/control" <<CTRL
Package: linetime
Version: $VERSION
Architecture: $ARCH
Maintainer: linetime developers <linetime@localhost>
Installed-Size: $size
Depends: $libdeps, $extra
Recommends: nftables, logrotate
Conflicts: chrony, ntp, ntpsec, openntpd
Section: net
Priority: optional
Homepage: file:///usr/share/doc/linetime/README.md
Description: NTP time server appliance on DPDK
 linetime answers NTP clients from a DPDK poll-mode dataplane (linetime-dp)
 with a control daemon (linetimed) that owns time and policy, an admin CLI
 (linetimectl), a load generator (linetime-gen), board profiles and
 linetime-board, systemd units, logrotate and nftables configuration.
CTRL
# Conffiles: everything under /etc.
(cd "$STAGE" && find etc -type f | sed 's|^|/|' | sort) >"$STAGE/DEBIAN/conffiles"
install -m 0755 dist/debian/postinst dist/debian/prerm dist/debian/postrm "$STAGE/DEBIAN/"

dpkg-deb --root-owner-group -Zxz -b "$STAGE" "$OUT" >/dev/null
echo "build-deb: $OUT ($(du -k "$OUT" | cut -f1) KiB)"
