#!/bin/sh
# Install the Debian packages that building the appliance image and booting
# it under qemu need (make image, make image-test), on top of scripts/deps.sh.
# Idempotent: does nothing (and needs no network) when all are present.
set -eu

PKGS="mmdebstrap debian-archive-keyring qemu-system-x86 qemu-utils ovmf
e2fsprogs dosfstools mtools fdisk dpkg-dev ntpsec-ntpdig iproute2"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "image-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "image-deps: missing:$missing; run as root to install them" >&2
	exit 1
fi
echo "image-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "image-deps: done"
