#!/usr/bin/python3
"""Hostile and malformed admin-socket clients, for the operator test.

  adminprobe.py SOCKET   -> JSON on stdout: one entry per case

Each case opens its own connection (except where noted), sends something,
and records what came back: the parsed response line, or that the server
closed the connection. The test asserts on the JSON; this script only
observes. Every socket operation has a timeout, so it always ends.
"""
import json
import socket
import sys
import time

TIMEOUT = 3.0


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect(path)
    return s


class Lines:
    """Response lines from one connection, in order (several may arrive in
    one recv)."""

    def __init__(self, s):
        self.s = s
        self.buf = b""

    def next(self):
        """One response line as a dict, 'closed' if the server hung up
        first, 'timeout' if nothing came."""
        try:
            while b"\n" not in self.buf:
                chunk = self.s.recv(65536)
                if not chunk:
                    return "closed" if not self.buf else json.loads(self.buf)
                self.buf += chunk
        except socket.timeout:
            return "timeout"
        except ConnectionResetError:
            return "closed"
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


def read_line(s):
    return Lines(s).next()


def closed_after(s):
    """Does the server close the connection (within the timeout)?"""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def one(path, payload):
    s = connect(path)
    s.sendall(payload)
    r = read_line(s)
    s.close()
    return r


def main():
    path = sys.argv[1]
    out = {}
    out["garbage"] = one(path, b"this is not json\n")
    out["array"] = one(path, b"[1,2,3]\n")
    out["no_version"] = one(path, b'{"cmd":"status"}\n')
    out["version_2"] = one(path, b'{"v":2,"cmd":"status"}\n')
    out["unknown_cmd"] = one(path, b'{"v":1,"cmd":"frobnicate"}\n')
    out["bad_name"] = one(path, b'{"v":1,"cmd":"../etc/passwd"}\n')
    out["unknown_key"] = one(path, b'{"v":1,"cmd":"status","x":1}\n')
    out["nul"] = one(path, b'{"v":1,"cmd":"st\x00atus"}\n')
    out["bad_utf8"] = one(path, b'{"v":1,"cmd":"status","args":{"a":"\xff\xfe"}}\n')
    out["bad_args"] = one(path, b'{"v":1,"cmd":"status","args":[1]}\n')
    out["health_bad_threshold"] = one(path, b'{"v":1,"cmd":"health","args":{"offset_warning":-1}}\n')
    out["health_unknown_threshold"] = one(path, b'{"v":1,"cmd":"health","args":{"bogus":1}}\n')

    # Oversized: 8 KiB without a newline, then the server must say so and close.
    s = connect(path)
    try:
        s.sendall(b'{"v":1,"cmd":"status","args":{"pad":"' + b"A" * 8192)
    except (BrokenPipeError, ConnectionResetError):
        pass
    out["oversized"] = read_line(s)
    out["oversized_closed"] = closed_after(s)
    s.close()

    # Pipelined: three requests in one write, three answers in order.
    s = connect(path)
    s.sendall(b'{"v":1,"cmd":"version"}\n{"v":1,"cmd":"nope"}\n{"v":1,"cmd":"status"}\n')
    r = Lines(s)
    out["pipelined"] = [r.next() for _ in range(3)]
    s.close()

    # A client that sends half a request and goes quiet must not block others.
    idle = connect(path)
    idle.sendall(b'{"v":1,"cmd":')
    t0 = time.time()
    out["while_idle_client"] = one(path, b'{"v":1,"cmd":"version"}\n')
    out["while_idle_client_s"] = round(time.time() - t0, 3)
    idle.close()

    # Connection limit: hold 20, count how many were turned away.
    held, refused = [], 0
    for _ in range(20):
        try:
            c = connect(path)
        except OSError:
            refused += 1
            continue
        held.append(c)
    time.sleep(0.3)
    for c in held:
        c.setblocking(False)
        try:
            data = c.recv(4096)
            if data and b"too many connections" in data:
                refused += 1
        except BlockingIOError:
            pass
        except OSError:
            refused += 1
    for c in held:
        c.close()
    out["connections_refused_of_20"] = refused
    time.sleep(0.3)

    # Rate limit: 150 requests in one write on one connection; the excess
    # (beyond the burst of 100) is answered "rate limited".
    s = connect(path)
    s.sendall(b'{"v":1,"cmd":"version"}\n' * 150)
    r = Lines(s)
    answers = [r.next() for _ in range(150)]
    s.close()
    out["burst_ok"] = sum(1 for a in answers if isinstance(a, dict) and a.get("ok"))
    out["burst_rate_limited"] = sum(1 for a in answers if isinstance(a, dict)
                                    and a.get("error") == "rate limited")

    # And after all of it the daemon still answers.
    out["after"] = one(path, b'{"v":1,"cmd":"status"}\n')
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
