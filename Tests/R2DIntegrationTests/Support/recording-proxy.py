#!/usr/bin/env python3
"""A loopback HTTP proxy for the proxy tests: records the target of every request it is asked to carry (the
`CONNECT host:port` of a TLS tunnel, or the absolute URL of a plain request) and whether it carried
Proxy-Authorization, one line per request in LOG, then answers 502 and closes. It forwards nothing, so no
request leaves the machine. Usage: recording-proxy.py PORT_FILE LOG"""
import socketserver
import sys


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline(65536).decode("latin-1").strip()
        authorized = False
        while True:
            line = self.rfile.readline(65536)
            if line in (b"\r\n", b"\n", b""):
                break
            if line.lower().startswith(b"proxy-authorization:"):
                authorized = True
        parts = request_line.split(" ")
        if len(parts) >= 2:
            with open(sys.argv[2], "a") as log:
                log.write(f"{parts[0]} {parts[1]} auth={'yes' if authorized else 'no'}\n")
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


with Server(("127.0.0.1", 0), Handler) as server:
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os

    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()
