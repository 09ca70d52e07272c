#!/usr/bin/env python3
"""A password-protected PEP 503 simple index on 127.0.0.1, for the build-secret tests.

Usage: private-index.py --directory DIR --user U --password P [--package NAME] [--value TEXT]

It writes one pure-Python wheel at start (NAME 1.0, py3-none-any, a module whose VALUE is TEXT) into DIR and
serves it: /simple/ and /simple/<normalized name>/ (HTML, PEP 503), and /files/<wheel>. Every request needs HTTP
Basic auth with U and P (401 with WWW-Authenticate otherwise). The first line on stdout is the port; each request
is logged to stderr as "<method> <path> <authorized|refused>", never with credentials. SIGTERM and SIGINT stop it
with exit status 0. Python 3 standard library only.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import os
import re
import signal
import socketserver
import sys
import zipfile


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write_wheel(directory, package, value):
    """A wheel written by hand (a zip with the module, METADATA, WHEEL and RECORD); returns its file name."""
    module = package.replace("-", "_")
    dist_info = f"{module}-1.0.dist-info"
    files = {
        f"{module}.py": f"VALUE = {value!r}\n".encode(),
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: private-index.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "\n".join(record_line(path, data) for path, data in files.items()) + f"\n{dist_info}/RECORD,,\n"
    files[f"{dist_info}/RECORD"] = record.encode()
    name = f"{module}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return name


class Index(http.server.BaseHTTPRequestHandler):
    expected = b""
    package = ""
    wheel = ""
    directory = ""

    def log_message(self, format, *args):
        pass

    def authorized(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        return hmac.compare_digest(header[len("Basic "):].strip().encode(), self.expected)

    def send(self, status, body, content_type="text/html"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="swift-r2d private index"')
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        ok = self.authorized()
        sys.stderr.write(f"{self.command} {self.path} {'authorized' if ok else 'refused'}\n")
        sys.stderr.flush()
        if not ok:
            return self.send(401, b"authentication required\n", "text/plain")
        path = self.path.split("?", 1)[0]
        project = normalized(self.package)
        with open(os.path.join(self.directory, self.wheel), "rb") as handle:
            data = handle.read()
        if path in ("/simple", "/simple/"):
            return self.send(200, f'<!DOCTYPE html><html><body><a href="/simple/{project}/">{project}</a></body></html>\n'.encode())
        if path.rstrip("/") == f"/simple/{project}":
            digest = hashlib.sha256(data).hexdigest()
            link = f'<a href="/files/{self.wheel}#sha256={digest}">{self.wheel}</a>'
            return self.send(200, f"<!DOCTYPE html><html><body>{link}</body></html>\n".encode())
        if path == f"/files/{self.wheel}":
            return self.send(200, data, "application/octet-stream")
        self.send(404, b"not found\n", "text/plain")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


class Stop(Exception):
    """Raised by the signal handler to leave serve_forever on the main thread."""


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--directory", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--package", default="r2d-secret-probe")
    parser.add_argument("--value", default="from the private index")
    arguments = parser.parse_args(argv)
    Index.expected = base64.b64encode(f"{arguments.user}:{arguments.password}".encode())
    Index.package = arguments.package
    Index.directory = arguments.directory
    Index.wheel = write_wheel(arguments.directory, arguments.package, arguments.value)
    server = Server(("127.0.0.1", 0), Index)

    def stop(signum, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A parent's thread may start this with signals blocked (the mask is inherited), which would make it unstoppable.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except Stop:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
