#!/bin/sh
# image-customize.sh BOARD: run inside the image's root (mmdebstrap
# customize hook) after linetime is installed. Appliance policy: one time
# daemon, the board selected, a firewall, management over DHCP.
set -eu
BOARD=$1

# No other time daemon: timesyncd masked (whether installed or not), chrony
# and ntpd absent (the package conflicts with them; checked here too).
ln -sf /dev/null /etc/systemd/system/systemd-timesyncd.service
for p in chrony ntp ntpsec openntpd systemd-timesyncd; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		echo "image-customize: $p is installed; an appliance runs one time daemon" >&2
		exit 1
	fi
done

# The board: setup and first boot read it; no linetime.conf yet, so the
# first boot writes the profile's default (local clock until servers are set).
sed -i "s/^#\?BOARD=.*/BOARD=$BOARD/" /etc/default/linetime
rm -f /etc/linetime/linetime.conf
linetime-board -c /usr/share/linetime/boards/"$BOARD"/linetime.conf "$BOARD" check
linetime-board "$BOARD" sysctl >/etc/sysctl.d/60-linetime-hugepages.conf
# DPDK's own binding service (dpdk-devbind from /etc/dpdk/interfaces) would
# compete with linetime-setup, which binds from the board profile.
systemctl disable dpdk.service 2>/dev/null || true
systemctl enable linetime-firstboot.service linetime-dp.service linetimed.service mnt-huge.mount

# Firewall for the kernel's interfaces (management): linetime's rules only.
cat >/etc/nftables.conf <<'NFT'
#!/usr/sbin/nft -f
# The appliance's firewall: /etc/linetime/firewall.nft (edit its sets).
flush ruleset
include "/etc/linetime/firewall.nft"
NFT
systemctl enable nftables.service

# Management: DHCP on whichever kernel interface has a cable; the dataplane
# ports are bound to vfio-pci before this matters.
mkdir -p /etc/systemd/network
cat >/etc/systemd/network/50-management.network <<'NET'
[Match]
Name=en* eth*

[Network]
DHCP=yes
IPv6AcceptRA=yes
NET
systemctl enable systemd-networkd.service
systemctl disable systemd-networkd-wait-online.service 2>/dev/null || true

echo linetime >/etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\tlinetime\n::1\tlocalhost ip6-localhost ip6-loopback\n' >/etc/hosts
cat >/etc/fstab <<'FSTAB'
LABEL=linetime-root  /          ext4  defaults,noatime  0 1
LABEL=LT-ESP         /boot/efi  vfat  umask=0077,noauto,nofail  0 2
FSTAB
mkdir -p /boot/efi /mnt/huge
# SSH with keys only; root has no password. Put keys in /root/.ssh/authorized_keys.
mkdir -p /etc/ssh/sshd_config.d
printf 'PasswordAuthentication no\nPermitRootLogin prohibit-password\n' >/etc/ssh/sshd_config.d/50-linetime.conf
passwd -l root >/dev/null
# The journal survives reboots; a small cap for small disks.
mkdir -p /var/log/journal /etc/systemd/journald.conf.d
printf '[Journal]\nSystemMaxUse=200M\n' >/etc/systemd/journald.conf.d/50-linetime.conf
# Machine id made on first boot, so every copy of the image gets its own.
: >/etc/machine-id
rm -f /var/lib/dbus/machine-id
apt-get clean
