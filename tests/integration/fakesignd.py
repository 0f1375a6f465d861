#!/usr/bin/python3
"""A stand-in for Samba's ntp_signd socket, for tests that need a signer
that misbehaves on cue (or just one that is cheap to start).

  fakesignd.py DIR [--mode sign|stall|fail] [--max-seconds S]

Listens on DIR/socket (DIR made 0711 and the socket 0666, so a linetimed
running as another user can connect). Requests are Samba's
SIGN_TO_CLIENT frames (proto/signd_frame.h: a 4-byte big-endian length of
64, version, op 0, a 16-bit packet id, key id, the 48-byte reply to sign).
  sign   answer each with SIGNING_SUCCESS: the reply and key id returned
         verbatim and a 16-byte MAC (MD5 of them: not Samba's key, which a
         client here does not check; linetimed only checks the echo);
  stall  accept connections, read the requests, never answer (a hung
         Samba, as seen from its socket);
  fail   answer each with SIGNING_FAILURE.
SIGSTOP/SIGCONT stall and resume it whatever the mode. Counts go to
DIR/fakesignd.json on SIGUSR1 and at exit. Exits after --max-seconds
(default 600) so a test that dies leaves nothing running for long.
"""
import argparse
import hashlib
import json
import os
import select
import signal
import socket
import struct
import sys
import time

REQ_LEN = 68
OP_SIGN, OP_OK, OP_FAIL = 0, 3, 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mode", choices=("sign", "stall", "fail"), default="sign")
    ap.add_argument("--max-seconds", type=float, default=600)
    a = ap.parse_args()
    os.makedirs(a.dir, mode=0o750, exist_ok=True)
    path = os.path.join(a.dir, "socket")
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(16)
    # linetimed may run as a user of its own (the lab's user = "lt-lab"):
    # a test's signer lets anyone connect, as a real one would its group.
    os.chmod(a.dir, 0o711)
    os.chmod(path, 0o666)
    stats = {"mode": a.mode, "connections": 0, "requests": 0, "answered": 0, "bad": 0}
    stop = []

    def dump(*_):
        try:
            with open(os.path.join(a.dir, "fakesignd.json"), "w") as f:
                json.dump(stats, f)
        except OSError:
            pass  # the test's cleanup removed the directory first

    signal.signal(signal.SIGUSR1, dump)
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    conns = {}
    end = time.monotonic() + a.max_seconds
    while not stop and time.monotonic() < end:
        try:
            r, _, _ = select.select([ls] + list(conns), [], [], 0.2)
        except InterruptedError:
            continue
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                conns[c] = b""
                stats["connections"] += 1
                continue
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                del conns[s]
                s.close()
                continue
            buf = conns[s] + data
            out = b""
            while len(buf) >= REQ_LEN:
                length, _ver, op, pid = struct.unpack("!IIIH", buf[:14])
                if length != REQ_LEN - 4 or op != OP_SIGN:
                    stats["bad"] += 1
                    buf = b""
                    break
                key_id, ntp = buf[16:20], buf[20:68]
                buf = buf[REQ_LEN:]
                stats["requests"] += 1
                if a.mode == "stall":
                    continue
                if a.mode == "fail":
                    out += struct.pack("!IIII", 12, 0, OP_FAIL, pid)
                else:
                    mac = hashlib.md5(ntp + key_id).digest()
                    out += struct.pack("!IIII", 12 + 68, 0, OP_OK, pid) + ntp + key_id + mac
                stats["answered"] += 1
            conns[s] = buf
            if out:
                try:
                    s.sendall(out)
                except OSError:
                    del conns[s]
                    s.close()
    dump()
    return 0


if __name__ == "__main__":
    sys.exit(main())
