#!/bin/sh
# Install every Debian package that building, running the demo and the tests
# need. Idempotent: does nothing (and needs no network) when all are present.
set -eu

PKGS="gcc make pkg-config libc6-dev
dpdk dpdk-dev libdpdk-dev libconfig-dev libjson-c-dev libmicrohttpd-dev check nettle-dev
libseccomp-dev libcap-dev
chrony ntpsec-ntpdig python3 python3-scapy python3-prometheus-client
iproute2 ethtool iputils-ping procps groff-base man-db
dpkg-dev systemd nftables logrotate
clang libclang-rt-14-dev llvm
samba samba-dsdb-modules samba-vfs-modules samba-ad-provision python3-samba"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing; run as root (sudo make ...) to install them" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done"
