#!/bin/sh
# build-image.sh: a bootable linetime appliance disk image (GPT, UEFI) from
# Debian 13 trixie, with mmdebstrap.
#
#   scripts/build-image.sh [--board NAME] [--out DIR] [--mirror URL] [--size MiB]
#
# 1. a trixie build chroot (cached in OUT/buildroot) builds linetime against
#    trixie's DPDK 24.11 and packs the .deb with scripts/build-deb.sh;
# 2. mmdebstrap makes the root file system: kernel, systemd, nftables,
#    logrotate, openssh-server, the .deb installed with apt; timesyncd
#    masked, no chrony; the board profile selected, its kernel command line
#    in the boot entry, first-boot config from the profile;
# 3. the disk is put together without loop devices: an ESP (vfat, mtools)
#    with systemd-boot, the kernel and initrd, and an ext4 root (mke2fs -d).
# Output: OUT/linetime-BOARD.img, OUT/vmlinuz, OUT/initrd.img, OUT/cmdline.
# Root; 3-6 minutes with a warm build chroot (docs/DEPLOY.md).
set -eu

BOARD=virtio-vm
OUT=build/image
MIRROR=${LT_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
ROOT_MB=1536
ESP_MB=128
while [ $# -gt 0 ]; do
	case "$1" in
	--board) BOARD=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--mirror) MIRROR=$2; shift 2 ;;
	--size) ROOT_MB=$2; shift 2 ;;
	*) echo "usage: $0 [--board NAME] [--out DIR] [--mirror URL] [--size MiB]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "build-image: needs root (mmdebstrap, chroot)" >&2; exit 1; }
[ -f "board/$BOARD/board.conf" ] || { echo "build-image: no board profile board/$BOARD" >&2; exit 1; }
SRC=$(pwd)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
t0=$(date +%s)
say() { echo "build-image: [$(($(date +%s) - t0)) s] $*"; }

# --- 1. the package, built in trixie --------------------------------------
BR=$OUT/buildroot
BR_PKGS="pkg-config,libdpdk-dev,libconfig-dev,libjson-c-dev,nettle-dev,libmicrohttpd-dev,libseccomp-dev,libcap-dev,check,dpkg-dev,groff-base"
if [ ! -f "$BR/.linetime-buildroot" ] || [ "$(cat "$BR/.linetime-buildroot")" != "$SUITE $BR_PKGS" ]; then
	say "build chroot: mmdebstrap $SUITE (buildd + DPDK)"
	rm -rf "$BR"
	mmdebstrap --quiet --variant=buildd --include="$BR_PKGS" "$SUITE" "$BR" "$MIRROR"
	echo "$SUITE $BR_PKGS" >"$BR/.linetime-buildroot"
fi
say "build chroot: DPDK $(chroot "$BR" pkg-config --modversion libdpdk)"
rm -rf "$BR/src"
mkdir -p "$BR/src"
if git -C "$SRC" rev-parse >/dev/null 2>&1; then
	# What git tracks plus new files not yet committed, never build output.
	git -C "$SRC" ls-files -z --cached --others --exclude-standard |
		(cd "$SRC" && xargs -0 cp --parents -t "$BR/src" 2>/dev/null || true)
else
	tar -C "$SRC" --exclude=./build -cf - . | tar -C "$BR/src" -xf -
fi
chroot "$BR" sh -c 'cd /src && make -s -j"$(nproc)" BUILD=/src/build all >/dev/null && make -s BUILD=/src/build deb'
VERSION=$(sed -n 's/^VERSION ?= //p' "$SRC/Makefile")
DEB=linetime_${VERSION}_amd64.deb
cp "$BR/src/build/$DEB" "$OUT/$DEB"
say "package: $OUT/$DEB"

# --- 2. the root file system -----------------------------------------------
ROOTFS=$OUT/rootfs
rm -rf "$ROOTFS"
CMDLINE="root=LABEL=linetime-root ro $(cd "$BR/src" && chroot "$BR" /src/build/linetime-board -d /src/board "$BOARD" cmdline)"
echo "$CMDLINE" >"$OUT/cmdline"
say "rootfs: mmdebstrap $SUITE, board $BOARD"
mmdebstrap --quiet --variant=minbase \
	--aptopt='APT::Install-Recommends "false"' \
	--include="systemd,systemd-sysv,udev,dbus,kmod,linux-image-amd64,initramfs-tools,systemd-boot-efi,nftables,logrotate,openssh-server,iproute2,pciutils,procps,less,ca-certificates" \
	--customize-hook="copy-in '$OUT/$DEB' /tmp" \
	--customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/$DEB" \
	--customize-hook="chroot \"\$1\" rm -f /tmp/$DEB" \
	--customize-hook="upload '$SRC/scripts/image-customize.sh' /tmp/image-customize.sh" \
	--customize-hook="chroot \"\$1\" sh /tmp/image-customize.sh '$BOARD'" \
	--customize-hook="chroot \"\$1\" rm -f /tmp/image-customize.sh" \
	"$SUITE" "$ROOTFS" "$MIRROR"
printf '%s\n' "$CMDLINE" >"$ROOTFS/etc/kernel/cmdline"
KVER=$(ls "$ROOTFS/lib/modules" | sort -V | tail -1)
cp "$ROOTFS/boot/vmlinuz-$KVER" "$OUT/vmlinuz"
cp "$ROOTFS/boot/initrd.img-$KVER" "$OUT/initrd.img"
say "rootfs: kernel $KVER, $(du -sm "$ROOTFS" | cut -f1) MiB"

# --- 3. the disk: GPT, ESP with systemd-boot, ext4 root ----------------------
IMG=$OUT/linetime-$BOARD.img
ESP=$OUT/esp.img
ROOTIMG=$OUT/root.img
rm -f "$IMG" "$ESP" "$ROOTIMG"
mkfs.vfat -n LT-ESP -C "$ESP" $((ESP_MB * 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$ESP" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries ::/linetime
mcopy -i "$ESP" "$ROOTFS/usr/lib/systemd/boot/efi/systemd-bootx64.efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$ESP" "$OUT/vmlinuz" ::/linetime/vmlinuz
mcopy -i "$ESP" "$OUT/initrd.img" ::/linetime/initrd.img
printf 'default linetime.conf\ntimeout 2\nconsole-mode keep\n' >"$OUT/loader.conf"
printf 'title linetime (%s, %s)\nlinux /linetime/vmlinuz\ninitrd /linetime/initrd.img\noptions %s\n' \
	"$BOARD" "$KVER" "$CMDLINE" >"$OUT/entry.conf"
mcopy -i "$ESP" "$OUT/loader.conf" ::/loader/loader.conf
mcopy -i "$ESP" "$OUT/entry.conf" ::/loader/entries/linetime.conf
rm -f "$OUT/loader.conf" "$OUT/entry.conf"
mke2fs -q -t ext4 -L linetime-root -d "$ROOTFS" "$ROOTIMG" "${ROOT_MB}M"
# 1 MiB in front (GPT), the ESP, the root, 1 MiB behind (backup GPT).
truncate -s $((1 + ESP_MB + ROOT_MB + 1))M "$IMG"
sfdisk --quiet "$IMG" <<PARTS
label: gpt
start=1MiB, size=${ESP_MB}MiB, type=U, name=esp
start=$((1 + ESP_MB))MiB, size=${ROOT_MB}MiB, type=L, name=root
PARTS
dd if="$ESP" of="$IMG" bs=1M seek=1 conv=notrunc,sparse status=none
dd if="$ROOTIMG" of="$IMG" bs=1M seek=$((1 + ESP_MB)) conv=notrunc,sparse status=none
rm -f "$ESP" "$ROOTIMG"
say "image: $IMG ($(du -m "$IMG" | cut -f1) MiB allocated, $((1 + ESP_MB + ROOT_MB + 1)) MiB disk); kernel command line: $CMDLINE"
