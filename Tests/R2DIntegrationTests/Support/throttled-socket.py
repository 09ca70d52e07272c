#!/usr/bin/env python3
"""A unix-socket forwarder to a real engine that lets requests through at most RATE bytes a second (answers go
back unthrottled): a slow link to the daemon, for the upload-progress test. Usage:
throttled-socket.py LISTEN_SOCKET TARGET_SOCKET RATE"""
import os
import socket
import sys
import threading
import time

listen_path, target_path, rate = sys.argv[1], sys.argv[2], int(sys.argv[3])


def pump(source, sink, limit):
    started, moved = time.monotonic(), 0
    try:
        while True:
            data = source.recv(65536 if limit is None else min(65536, max(1024, limit // 10)))
            if not data:
                break
            sink.sendall(data)
            if limit is not None:
                moved += len(data)
                ahead = moved / limit - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(client):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    upstream.connect(target_path)
    threading.Thread(target=pump, args=(client, upstream, rate), daemon=True).start()
    threading.Thread(target=pump, args=(upstream, client, None), daemon=True).start()


if os.path.exists(listen_path):
    os.unlink(listen_path)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(listen_path)
server.listen(16)
while True:
    connection, _ = server.accept()
    serve(connection)
