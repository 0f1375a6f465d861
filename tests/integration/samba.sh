# Helpers that run a real Samba AD DC for the MS-SNTP tests (sourced, bash).
#
# Everything lives in one directory the caller owns (normally a mktemp -d
# under /tmp): databases, smb.conf, pid file, logs, the msg/lock files and
# the ntp_signd socket. Nothing touches /etc/samba, /var/lib/samba,
# /var/log/samba or /run/samba, and provisioning does not even read the
# system smb.conf. The DC runs only the ntp_signd service, so it opens no
# TCP or UDP port at all (ss -lntup shows nothing from samba; its only
# sockets are DIR/ntp_signd/socket and the DIR/msg.sock datagram sockets).
#
#   samba_provision DIR            provision realm LINETIME.TEST into DIR
#   samba_add_machine DIR NAME     machine account NAME$ with password
#                                  lower(NAME); prints its RID
#   samba_rid DIR ACCOUNT          prints the RID of sAMAccountName ACCOUNT
#   samba_account DIR ACCOUNT      prints "RID UAC NTHASH-HEX" of ACCOUNT
#   samba_disable_account DIR NAME disable machine account NAME$
#   samba_start DIR                start samba, wait until the socket accepts
#   samba_stop DIR                 stop it (the socket file stays behind)
#   samba_socket DIR               prints the ntp_signd socket path
#   samba_sock_state PATH          prints ok / ECONNREFUSED / ENOENT / ...
#
# Measured on the development VM (2 vCPU, Debian 12, Samba 4.17.12, shared
# with other work): provisioning 5-8 s (mostly the schema load; ~20 s under
# strace), a machine account 0.4-0.8 s, start-up to an accepting socket
# 0.15-0.4 s, stop 0.03-0.15 s. Signing through the socket, one request at
# a time: median 0.08-0.1 ms; pipelined on one connection 11-20 k
# requests/s with ntp_signd's single process at 100% CPU (Samba is the
# limit, not the client). samba_selftest.sh prints these each run.
# Run as root.
#
# Samba's rule for the socket directory: it must be mode 0750 and owned by
# the user samba runs as, or samba refuses to start. samba creates it that
# way itself at start-up; samba_provision does not create it. (Checked: 0755
# -> samba exits at once with "invalid permissions on directory ... has 0755
# should be 0750"; chgrp to another group, and 2750, are accepted - that is
# how a non-root NTP daemon gets access.)
#
# In a test that sources lib.sh, put DIR under $TMPD (e.g. "$TMPD/samba"):
# lib.sh's cleanup then kills samba (it is a job of the test shell) and
# removes the directory; calling samba_stop first is still tidier.

SAMBA_REALM=${SAMBA_REALM:-LINETIME.TEST}
SAMBA_DOMAIN=${SAMBA_DOMAIN:-LINETIME}
SAMBA_HOST=${SAMBA_HOST:-ltdc}
SAMBA_ADMINPASS=${SAMBA_ADMINPASS:-Lt-Admin-Pass-1}
# A leaked samba (test killed with -9) terminates itself after this long.
SAMBA_MAX_RUNTIME=${SAMBA_MAX_RUNTIME:-3600}
SAMBA_PY=${SAMBA_PY:-/usr/bin/python3}

_samba_err() { echo "samba: $*" >&2; }

_samba_abs() { (cd "$1" 2>/dev/null && pwd); }

_samba_need() {
	local c
	for c in samba samba-tool timeout; do
		if ! command -v "$c" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$c" ]; then
			_samba_err "$c not found (scripts/deps.sh installs samba)"
			return 1
		fi
	done
	[ -x "$SAMBA_PY" ] || { _samba_err "$SAMBA_PY not found"; return 1; }
}

_samba_bin() { command -v samba 2>/dev/null || echo /usr/sbin/samba; }

# samba-tool against the local database of DIR, bounded in time.
_samba_tool() {
	local dir=$1
	shift
	timeout 60 samba-tool "$@" -s "$dir/etc/smb.conf" -H "tdb://$dir/private/sam.ldb"
}

samba_socket() { echo "$(_samba_abs "$1" || echo "$1")/ntp_signd/socket"; }

# samba_sock_state PATH: connect() to the Unix socket and print "ok" or the
# errno name (ECONNREFUSED for a stale socket, ENOENT, EACCES, ...).
# Exit status 0 only for "ok".
samba_sock_state() {
	"$SAMBA_PY" - "$1" <<'PYEOF'
import errno, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(2)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e)) if e.errno else "timeout")
    sys.exit(1)
print("ok")
PYEOF
}

# samba_provision DIR: a fresh AD DC in DIR (created if missing, must not
# already hold a provision). Output goes to DIR/provision.log.
samba_provision() {
	local dir rc t0
	[ -n "${1:-}" ] || { _samba_err "usage: samba_provision DIR"; return 2; }
	_samba_need || return 1
	mkdir -p "$1" || return 1
	dir=$(_samba_abs "$1")
	if [ -e "$dir/private/sam.ldb" ]; then
		_samba_err "$dir already holds a provision"
		return 1
	fi
	# sun_path is 108 bytes
	if [ ${#dir} -gt 80 ]; then
		_samba_err "$dir is too long for a Unix socket path under it"
		return 1
	fi
	mkdir -p "$dir/etc" "$dir/log" "$dir/run"
	# An empty smb.conf given with -s: provision then neither reads nor
	# inherits anything from /etc/samba/smb.conf, and writes a new one here.
	: >"$dir/etc/smb.conf"
	t0=$(date +%s.%N)
	timeout 180 samba-tool domain provision -s "$dir/etc/smb.conf" \
		--targetdir="$dir" --server-role=dc \
		--realm="$SAMBA_REALM" --domain="$SAMBA_DOMAIN" --host-name="$SAMBA_HOST" \
		--adminpass="$SAMBA_ADMINPASS" --dns-backend=NONE \
		--option="netbios name=$SAMBA_HOST" \
		--option="interfaces=lo" \
		--option="bind interfaces only=yes" \
		--option="server services=ntp_signd" \
		--option="disable netbios=yes" \
		--option="ntp signd socket directory=$dir/ntp_signd" \
		--option="pid directory=$dir/run" \
		--option="winbindd socket directory=$dir/winbindd" \
		--option="ncalrpc dir=$dir/ncalrpc" \
		--option="log file=$dir/log/log.%m" \
		--option="logging=file" \
		--option="panic action=" \
		--option="load printers=no" \
		--option="printcap name=/dev/null" \
		>"$dir/provision.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		_samba_err "provision failed (rc=$rc; 124 = timed out); last lines of $dir/provision.log:"
		tail -15 "$dir/provision.log" >&2
		return 1
	fi
	# Drop the share sections provision copies in (homes, printers, print$
	# under /var/lib/samba): only smbd would use them and it never runs here.
	"$SAMBA_PY" - "$dir/etc/smb.conf" <<'PYEOF' || return 1
import re, sys
p = sys.argv[1]
out, keep = [], True
for line in open(p):
    m = re.match(r"\s*\[([^]]+)\]", line)
    if m:
        keep = m.group(1).lower() not in ("homes", "printers", "print$")
    if keep:
        out.append(line)
open(p, "w").write("".join(out))
PYEOF
	echo "$(date +%s.%N) $t0" | awk '{printf "%.1f\n", $1 - $2}' >"$dir/provision.seconds"
}

# samba_account DIR ACCOUNT: print "RID USERACCOUNTCONTROL NTHASH" of the
# account whose sAMAccountName is ACCOUNT (machine accounts end in '$'),
# read straight from DIR/private/sam.ldb with python3-samba (no ldb-tools).
# NTHASH is unicodePwd in hex ("-" when there is none).
samba_account() {
	local dir
	dir=$(_samba_abs "$1") || return 1
	timeout 60 "$SAMBA_PY" - "$dir" "$2" <<'PYEOF'
import sys
import ldb
from samba.auth import system_session
from samba.dcerpc import security
from samba.ndr import ndr_unpack
from samba.param import LoadParm
from samba.samdb import SamDB
d, name = sys.argv[1], sys.argv[2]
lp = LoadParm()
lp.load(d + "/etc/smb.conf")
db = SamDB(url="tdb://" + d + "/private/sam.ldb", session_info=system_session(), lp=lp)
res = db.search(base=db.domain_dn(), scope=ldb.SCOPE_SUBTREE,
                expression="(sAMAccountName=%s)" % ldb.binary_encode(name),
                attrs=["objectSid", "userAccountControl", "unicodePwd"])
if len(res) != 1:
    sys.stderr.write("samba: no account %s\n" % name)
    sys.exit(1)
m = res[0]
sid = str(ndr_unpack(security.dom_sid, m["objectSid"][0]))
pw = m["unicodePwd"][0].hex() if "unicodePwd" in m else "-"
print(sid.rsplit("-", 1)[1], int(m["userAccountControl"][0]), pw)
PYEOF
}

# samba_rid DIR ACCOUNT: the RID (objectSid's last component) of ACCOUNT.
samba_rid() {
	local out
	out=$(samba_account "$1" "$2") || return 1
	echo "${out%% *}"
}

# samba_add_machine DIR NAME: machine account NAME$ (enabled workstation
# trust account) whose password is NAME in lower case (samba-tool's
# --prepare-oldjoin: samdb.newcomputer sets password = cn.lower(), not
# truncated). Prints the RID. Works with samba running or stopped.
samba_add_machine() {
	local dir name=${2%\$}
	dir=$(_samba_abs "$1") || { _samba_err "no directory $1"; return 1; }
	[ -n "$name" ] || { _samba_err "usage: samba_add_machine DIR NAME"; return 2; }
	if ! _samba_tool "$dir" computer create "$name" --prepare-oldjoin >"$dir/log/add-$name.log" 2>&1; then
		_samba_err "computer create $name failed:"
		cat "$dir/log/add-$name.log" >&2
		return 1
	fi
	samba_rid "$dir" "$name\$"
}

# samba_disable_account DIR NAME: set ACCOUNTDISABLE on machine account
# NAME$ (NAME may already end in '$'; a user name such as Administrator
# works too when no NAME$ exists). Takes effect at once, samba running or not.
samba_disable_account() {
	local dir acct=$2
	dir=$(_samba_abs "$1") || return 1
	case "$acct" in
	*\$) ;;
	*) samba_account "$dir" "$acct\$" >/dev/null 2>&1 && acct="$acct\$" ;;
	esac
	if ! _samba_tool "$dir" user disable "$acct" >"$dir/log/disable.log" 2>&1; then
		_samba_err "disable $acct failed:"
		cat "$dir/log/disable.log" >&2
		return 1
	fi
}

_samba_pid() { cat "$1/samba.pid" 2>/dev/null; }

# True while PID runs (a zombie does not count).
_samba_alive() {
	local st
	kill -0 "$1" 2>/dev/null || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# samba_start DIR: start samba in the background of this shell, record its
# PID in DIR/samba.pid, wait (<= 20 s) until the ntp_signd socket accepts a
# connection. stdout/stderr go to DIR/log/samba.out.
samba_start() {
	local dir pid sock st
	dir=$(_samba_abs "$1") || { _samba_err "no directory $1"; return 1; }
	[ -f "$dir/etc/smb.conf" ] || { _samba_err "$dir is not provisioned"; return 1; }
	pid=$(_samba_pid "$dir")
	if [ -n "$pid" ] && _samba_alive "$pid"; then
		_samba_err "already running as pid $pid"
		return 1
	fi
	sock=$(samba_socket "$dir")
	# -i: no daemon, no fork-away; stays up with stdin at EOF in 4.17. On
	# SIGTERM it takes its children (ntp_signd task) down with it.
	(cd / && exec "$(_samba_bin)" -i -s "$dir/etc/smb.conf" \
		--maximum-runtime="$SAMBA_MAX_RUNTIME" </dev/null >>"$dir/log/samba.out" 2>&1) &
	pid=$!
	echo "$pid" >"$dir/samba.pid"
	for _ in $(seq 200); do
		if ! _samba_alive "$pid"; then
			wait "$pid" 2>/dev/null
			_samba_err "samba exited during start-up; last lines of $dir/log/samba.out:"
			tail -15 "$dir/log/samba.out" >&2
			rm -f "$dir/samba.pid"
			return 1
		fi
		st=$(samba_sock_state "$sock")
		[ "$st" = ok ] && return 0
		sleep 0.1
	done
	_samba_err "ntp_signd socket $sock not accepting after 20 s (last: $st)"
	samba_stop "$dir"
	return 1
}

# samba_stop DIR: SIGTERM the recorded PID only, wait (<= 10 s, then
# SIGKILL) for it and for the socket to stop accepting. The socket file is
# left behind, as a real stop leaves it (connect() -> ECONNREFUSED).
samba_stop() {
	local dir pid sock
	dir=$(_samba_abs "$1") || return 0
	pid=$(_samba_pid "$dir")
	[ -n "$pid" ] || return 0
	sock=$(samba_socket "$dir")
	if _samba_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 100); do
			_samba_alive "$pid" || break
			sleep 0.1
		done
		if _samba_alive "$pid"; then
			_samba_err "pid $pid ignored SIGTERM for 10 s; SIGKILL"
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
		fi
	fi
	wait "$pid" 2>/dev/null
	rm -f "$dir/samba.pid"
	# The ntp_signd task is a child that leaves when its parent goes; wait
	# for that too (bounded) so the caller sees a refused socket.
	for _ in $(seq 50); do
		[ "$(samba_sock_state "$sock")" = ok ] || return 0
		sleep 0.1
	done
	_samba_err "socket $sock still accepting 5 s after stop"
	return 1
}
