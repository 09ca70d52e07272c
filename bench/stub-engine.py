#!/usr/bin/env python3
"""A stub Engine API on a unix socket for measuring the client alone: answers /_ping, says every image is
missing, drains POST /build at full speed (chunked or sized body) and answers "Successfully built", accepts tags.

Usage: bench/stub-engine.py SOCKET   then   DOCKER_HOST=unix://SOCKET swift-r2d build --no-run ... REPO
"""
import os, socket, sys, threading

def read_head(conn, buf):
    while b"\r\n\r\n" not in buf:
        data = conn.recv(65536)
        if not data:
            return None, buf
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest

def drain_chunked(conn, buf):
    """Reads a chunked body to its end without keeping it; never reads past the body."""
    while True:
        while b"\r\n" not in buf:
            data = conn.recv(65536)
            if not data:
                raise ConnectionError("body ended early")
            buf += data
        line, buf = buf.split(b"\r\n", 1)
        size = int(line.split(b";")[0], 16)
        if size == 0:
            while len(buf) < 2:
                buf += conn.recv(2 - len(buf))
            return
        need = size + 2  # data and its CRLF
        if len(buf) >= need:
            buf = buf[need:]
            continue
        need -= len(buf)
        buf = b""
        while need > 0:
            data = conn.recv(min(need, 1 << 20))
            if not data:
                raise ConnectionError("body ended early")
            need -= len(data)

def respond(conn, status, body=b"", ctype="application/json", extra=""):
    conn.sendall(f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\nApi-Version: 1.41\r\n{extra}\r\n".encode() + body)

def serve(conn):
    buf = b""
    try:
        while True:
            head, buf = read_head(conn, buf)
            if head is None:
                return
            request_line, *headers = head.split("\r\n")
            method, target, _ = request_line.split(" ", 2)
            fields = {h.split(":", 1)[0].strip().lower(): h.split(":", 1)[1].strip() for h in headers if ":" in h}
            if method == "POST" and "/build" in target:
                if fields.get("transfer-encoding", "").lower() == "chunked":
                    drain_chunked(conn, buf)
                else:
                    left = int(fields.get("content-length", "0")) - len(buf)
                    while left > 0:
                        left -= len(conn.recv(min(left, 1 << 20)))
                buf = b""
                respond(conn, "200 OK", b'{"stream":"Step 1/1 : FROM scratch\\n"}\r\n{"stream":"Successfully built 0123456789ab\\n"}\r\n')
            elif target.endswith("/_ping"):
                respond(conn, "200 OK", b"OK", "text/plain")
            elif "/images/0123456789ab/json" in target:
                respond(conn, "200 OK", b'{"Id":"sha256:0123456789ab","RepoTags":[]}')
            elif "/images/" in target and target.endswith("/json"):
                respond(conn, "404 Not Found", b'{"message":"No such image"}')
            elif "/tag" in target:
                respond(conn, "201 Created")
            else:
                respond(conn, "200 OK", b"{}")
    except (ConnectionError, ValueError):
        pass
    finally:
        conn.close()

def main():
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()

main()
