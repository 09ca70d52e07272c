#!/usr/bin/env python3
"""A small HTTPS git server for tests: git's smart HTTP protocol through `git http-backend` (CGI).

Usage: git-https-server.py --root DIR --cert server.pem --key server.key [--user U --password P] [--port 0]

The first line on stdout is the port it listens on (127.0.0.1). Request logs go to stderr, never with
credentials. With --user/--password every request needs HTTP Basic auth (401 otherwise).
SIGTERM and SIGINT stop it with exit status 0. Python 3.11 standard library only.
"""

import argparse
import base64
import binascii
import gzip
import hmac
import http.server
import os
import signal
import socketserver
import ssl
import subprocess
import sys
import urllib.parse


class Stop(Exception):
    """Raised by the signal handler to leave serve_forever on the main thread."""


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="GIT_PROJECT_ROOT: the directory holding the bare repositories")
    parser.add_argument("--cert", required=True, help="PEM server certificate (chain)")
    parser.add_argument("--key", required=True, help="PEM private key of the certificate")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout)")
    parser.add_argument("--user", help="require HTTP Basic auth with this user name")
    parser.add_argument("--password", help="... and this password")
    parser.add_argument("--git", default="git", help="the git executable")
    arguments = parser.parse_args(argv)
    if (arguments.user is None) != (arguments.password is None):
        parser.error("--user and --password go together")
    return arguments


class GitHTTPSServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, tls_context, settings):
        super().__init__(address, GitRequestHandler)
        self.tls_context = tls_context
        self.settings = settings

    def finish_request(self, request, client_address):
        # The TLS handshake runs on the connection's own thread, so a slow or failing client
        # (e.g. one that rejects our certificate) never blocks accept().
        try:
            connection = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            log(f"{client_address[0]} TLS handshake failed: {error}")
            return
        try:
            super().finish_request(connection, client_address)
        finally:
            try:
                connection.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        log(f"{client_address[0]} connection error: {error!r}")


class GitRequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "git-https-server"

    def do_GET(self):
        self.serve_git()

    def do_POST(self):
        self.serve_git()

    def serve_git(self):
        try:
            body = self.read_body()
        except ValueError as error:
            self.send_plain(400, "Bad Request", f"{error}\n", close=True)
            return
        user = self.authenticated_user()
        if user is False:
            self.send_plain(401, "Unauthorized", "authentication required\n",
                            extra=[("WWW-Authenticate", 'Basic realm="git"')])
            return
        self.run_backend(body, user)

    def read_body(self):
        """The request body, de-chunked and gunzipped (git sends `Content-Encoding: gzip` for large requests)."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self.read_chunked()
        else:
            length = self.headers.get("Content-Length")
            try:
                count = int(length) if length else 0
            except ValueError:
                raise ValueError(f"bad Content-Length {length!r}")
            body = self.rfile.read(count) if count > 0 else b""
        if self.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip"):
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError) as error:
                raise ValueError(f"bad gzip body: {error}")
        return body

    def read_chunked(self):
        parts = []
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ValueError("bad chunk size")
            if size == 0:
                # Trailers, if any, end with an empty line.
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline(3)

    def authenticated_user(self):
        """None when no auth is configured, the user name when the credentials match, else False."""
        settings = self.server.settings
        if settings.user is None:
            return None
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        user, separator, password = decoded.partition(b":")
        expected_user = settings.user.encode()
        expected_password = settings.password.encode()
        # Both comparisons always run, in constant time.
        user_ok = hmac.compare_digest(user, expected_user)
        password_ok = hmac.compare_digest(password, expected_password)
        if separator and user_ok and password_ok:
            return settings.user
        return False

    def run_backend(self, body, user):
        settings = self.server.settings
        path, _, query = self.path.partition("?")
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/"),
            "GIT_PROJECT_ROOT": settings.root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_SOFTWARE": self.server_version,
            "REQUEST_METHOD": self.command,
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0],
        }
        if user is not None:
            environment["REMOTE_USER"] = user
            environment["AUTH_TYPE"] = "Basic"
        if self.headers.get("Git-Protocol"):
            environment["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        try:
            result = subprocess.run([settings.git, "http-backend"], input=body, capture_output=True,
                                    env=environment, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as error:
            self.send_plain(500, "Internal Server Error", f"git http-backend failed: {error}\n")
            return
        if result.stderr:
            log(f"git http-backend: {result.stderr.decode(errors='replace').strip()}")
        self.send_cgi_output(result.stdout)

    def send_cgi_output(self, output):
        # CGI output: header lines, an empty line, then the body; `Status:` carries the HTTP status.
        crlf, lf = output.find(b"\r\n\r\n"), output.find(b"\n\n")
        if crlf != -1 and (lf == -1 or crlf < lf):
            head, payload = output[:crlf], output[crlf + 4:]
        elif lf != -1:
            head, payload = output[:lf], output[lf + 2:]
        else:
            self.send_plain(502, "Bad Gateway", "git http-backend sent no headers\n")
            return
        status, reason, headers = 200, "OK", []
        for raw_line in head.decode("latin-1").splitlines():
            name, separator, value = raw_line.partition(":")
            if not separator:
                continue
            name, value = name.strip(), value.strip()
            if name.lower() == "status":
                code, _, text = value.partition(" ")
                try:
                    status, reason = int(code), text or reason
                except ValueError:
                    pass
            elif name.lower() not in ("content-length", "transfer-encoding", "connection"):
                headers.append((name, value))
        self.send_response(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_plain(self, status, reason, text, extra=(), close=False):
        payload = text.encode()
        self.send_response(status, reason)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        # The request line and status only: headers (Authorization) are never logged.
        log(f"{self.client_address[0]} {format % args}")


def log(message):
    print(f"git-https-server: {message}", file=sys.stderr, flush=True)


def main(argv):
    settings = parse_arguments(argv)
    settings.root = os.path.abspath(settings.root)
    tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls_context.load_cert_chain(settings.cert, settings.key)

    def stop(signal_number, frame):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    server = GitHTTPSServer((settings.host, settings.port), tls_context, settings)
    try:
        print(server.server_address[1], flush=True)
        server.serve_forever(poll_interval=0.2)
    except Stop:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
