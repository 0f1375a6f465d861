#!/bin/bash
# Symmetric-key authentication (RFC 5905 MACs, RFC 8573) served by the
# dataplane, against real clients with the same keyfile: chronyd 4.3 with
# MD5, SHA1, AES128 and AES256 keys must get authenticated time (chronyc
# ntpdata says so), ntpsec's ntpdig with an MD5 key too; a client with the
# wrong secret or an unknown key id gets a crypto-NAK, and nothing once
# crypto_nak is off; a new key in the keyfile is taken on reload; linetimectl
# keys counts per key and never shows a secret.
CONFX=$(mktemp /tmp/lt-conf.XXXXXX)
KEYS=$(mktemp /tmp/lt-keys.XXXXXX)
write_conf() { # write_conf CRYPTO_NAK
	cat "$(dirname "$0")/../../board/lab/linetime.conf" >"$CONFX"
	printf 'keyfile = "%s";\ncrypto_nak = %s;\n' "$KEYS" "$1" >>"$CONFX"
}
# chrony's format; the AES keys as chronyc keygen writes them.
cat >"$KEYS" <<'EOF'
# linetime t96 keys
1 MD5 md5-secret-t96
2 SHA1 HEX:0102030405060708090a0b0c0d0e0f1011121314
3 AES128 HEX:CD663C2148FA53F89750A8AAE5A77405
4 AES256 HEX:2F1088DCD6B7F236030244C06B101519F30245C6994225A3FF1C35D227D14B04
EOF
write_conf true
export LT_LAB_CONF=$CONFX LT_TMP_EXTRA="$CONFX $KEYS"
. "$(dirname "$0")/lib.sh"

echo "t96: authenticated NTP with symmetric keys"
lab_up
# linetimed re-reads the keyfile on reload as the lab's user.
chgrp "$(id -gn lt-lab)" "$KEYS" && chmod 0640 "$KEYS"

# The client's keyfile: the same keys plus key 5, which the appliance lacks;
# a second one has the wrong secret for key 1.
CK=$TMPD/client.keys
cp "$KEYS" "$CK"
echo "5 MD5 nobody-has-this" >>"$CK"
CKW=$TMPD/wrong.keys
echo "1 MD5 not-the-secret" >"$CKW"

# key_field ID FIELD: one key's counter from linetimectl keys --json
key_field() {
	ctl --json keys | "$PY" -c "import json,sys; j=json.load(sys.stdin); print([k['$2'] for k in j['keys'] if k['id'] == $1][0])"
}

# query KEYFILE KEYID ADDR: chronyd -Q, one authenticated measurement
query() {
	in_ns timeout 20 chronyd -Q -t 8 "pidfile $TMPD/chronyd-q.pid" "keyfile $1" \
		"server $3 key $2 iburst maxsamples 2" 2>&1
}
for k in 1 2 3 4; do
	out=$(query "$CK" "$k" 198.18.0.1)
	check "chronyd -Q with key $k ($(awk -v k=$k '$1 == k { print $2 }' "$KEYS")) gets the time" \
		grep -q "System clock wrong by" <<<"$out"
done
out=$(query "$CK" 3 2001:2::1)
check "chronyd -Q with the AES128 key over IPv6" grep -q "System clock wrong by" <<<"$out"

# A long-running chronyd: ntpdata says the exchanges were authenticated.
CMDD=$TMPD/chronyc
mkdir -m 0700 "$CMDD"
cat >"$TMPD/chrony.conf" <<EOF
keyfile $CK
server 198.18.0.1 key 3 minpoll -4 maxpoll -4
server 2001:2::1 key 2 minpoll -4 maxpoll -4
cmdport 0
bindcmdaddress $CMDD/chronyd.sock
pidfile $TMPD/chronyd.pid
EOF
ok3=$(key_field 3 ok)
ip netns exec "$NS" chronyd -x -d -u root -f "$TMPD/chrony.conf" >"$TMPD/chronyd.out" 2>&1 &
CHRONYD=$!
stop_chronyd() { kill "$CHRONYD" 2>/dev/null; wait "$CHRONYD" 2>/dev/null; }
trap 'stop_chronyd; cleanup' EXIT
for _ in $(seq 60); do kill -0 "$CHRONYD" 2>/dev/null || break; sleep 0.1; done
nd4=$(in_ns chronyc -h "$CMDD/chronyd.sock" ntpdata 198.18.0.1 2>&1)
nd6=$(in_ns chronyc -h "$CMDD/chronyd.sock" ntpdata 2001:2::1 2>&1)
stop_chronyd
echo "$nd4" | grep -E "Authenticated|Total valid RX|Mode" | sed 's/^/  chronyc ntpdata 198.18.0.1: /'
check "chronyd: AES128 exchanges over IPv4 authenticated" grep -q "^Authenticated *: Yes" <<<"$nd4"
check "chronyd: SHA1 exchanges over IPv6 authenticated" grep -q "^Authenticated *: Yes" <<<"$nd6"
check "chronyd took the replies as valid" \
	awk '/^Total valid RX/ { exit !($NF >= 5) }' <<<"$nd4"
ok3b=$(key_field 3 ok)
check "linetimectl keys counts key 3's requests ($ok3 -> $ok3b)" test "$ok3b" -ge $((ok3 + 5))

# ntpsec's ntpdig: its keyfile format, an MD5 key.
echo "1 md5 md5-secret-t96" >"$TMPD/ntpdig.keys"
out=$(in_ns timeout 10 ntpdig -t 2 -a 1 -k "$TMPD/ntpdig.keys" 198.18.0.1 2>&1)
echo "  ntpdig -a 1: $out"
check "ntpdig with MD5 key 1 gets the time" grep -qE "^[0-9]{4}-.* s10 no-leap" <<<"$out"

# Failures: the wrong secret, a key the server does not have.
bad0=$(counter crypto_nak_bad_mac)
unk0=$(counter crypto_nak_unknown_key)
bad1_0=$(key_field 1 bad_mac)
out=$(query "$CKW" 1 198.18.0.1)
check "chronyd -Q with the wrong secret for key 1 gets no time" \
	bash -c "! grep -q 'System clock wrong by' <<<'$out'"
out=$(query "$CK" 5 198.18.0.1)
check "chronyd -Q with a key the appliance lacks gets no time" \
	bash -c "! grep -q 'System clock wrong by' <<<'$out'"
check "crypto-NAKs sent for the wrong secret ($(counter crypto_nak_bad_mac) after $bad0)" \
	test "$(counter crypto_nak_bad_mac)" -gt "$bad0"
check "crypto-NAKs sent for the unknown key" test "$(counter crypto_nak_unknown_key)" -gt "$unk0"
check "key 1 counted its bad MACs" \
	test "$(key_field 1 bad_mac)" -gt "$bad1_0"

# A crypto-NAK is a 52-byte reply with key id 0 (RFC 5905), never longer
# than the 68-byte request.
nak=$(in_ns "$PY" - <<'EOF'
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
req = bytes([0x23]) + bytes(39) + struct.pack(">Q", 0x1122334455667788) + struct.pack(">I", 9) + bytes(16)
s.sendto(req, ("198.18.0.1", 123))
r = s.recv(200)
print(len(req), len(r), struct.unpack(">I", r[48:52])[0] if len(r) >= 52 else -1, r[0] & 7)
EOF
)
echo "  unknown key 9: request, reply length, MAC key id, mode: $nak"
check "crypto-NAK: 52 bytes, key id 0, mode 4" test "$nak" = "68 52 0 4"

# Reload: a new key, and crypto_nak off.
echo "7 AES128 HEX:00112233445566778899AABBCCDDEEFF" >>"$KEYS"
echo "7 AES128 HEX:00112233445566778899AABBCCDDEEFF" >>"$CK"
write_conf false
ctl reload >"$TMPD/reload.txt" 2>&1
cat "$TMPD/reload.txt" | sed 's/^/  reload: /'
check "reload applied the keyfile and crypto_nak" grep -q "Applied: keyfile/crypto_nak" "$TMPD/reload.txt"
out=$(query "$CK" 7 198.18.0.1)
check "the key added by reload authenticates" grep -q "System clock wrong by" <<<"$out"
drop0=$(counter drop_auth_bad_mac)
nak0=$(counter crypto_nak_bad_mac)
out=$(query "$CKW" 1 198.18.0.1)
check "crypto_nak off: the wrong secret is dropped silently" \
	test "$(counter drop_auth_bad_mac)" -gt "$drop0" -a "$(counter crypto_nak_bad_mac)" -eq "$nak0"

# A bad keyfile is rejected and the keys in force stay.
echo "8 AES128 HEX:0011" >>"$KEYS"
badline=$(wc -l <"$KEYS")
check "a bad keyfile rejects the reload" bash -c "! '$CTL' -s '$SOCK' reload >'$TMPD/bad.txt' 2>&1"
sed 's/^/  /' "$TMPD/bad.txt"
check "the error names the file and line" grep -q "$KEYS:$badline: key 8: AES128 needs a 16-byte key" "$TMPD/bad.txt"
out=$(query "$CK" 7 198.18.0.1)
check "the keys in force still authenticate" grep -q "System clock wrong by" <<<"$out"

ctl keys >"$TMPD/keys.txt"
sed 's/^/  /' "$TMPD/keys.txt"
check "linetimectl keys lists the 5 keys" test "$(grep -cE '^ +[0-9]+  (MD5|SHA1|AES128|AES256) ' "$TMPD/keys.txt")" -eq 5
check "no secret in linetimectl keys or its JSON" \
	bash -c "! { cat '$TMPD/keys.txt'; '$CTL' -s '$SOCK' --json keys; '$CTL' -s '$SOCK' metrics; } | grep -qiE 'md5-secret|CD663C21|0102030405'"
check "per-key counters in metrics" bash -c "'$CTL' -s '$SOCK' metrics | grep -q 'linetime_key_requests_ok_total{key=\"3\",type=\"AES128\"}'"
finish
