#!/usr/bin/env python3
"""range_httpd.py - a static HTTP/1.1 file server for bench/run_sync.sh that counts its bytes.

    python3 bench/peers/range_httpd.py DIR

Serves DIR on 127.0.0.1 (a free port, printed as "port P" on stdout once listening), with keep-alive
and Range requests: one range (206 + Content-Range) or several (206 multipart/byteranges), which zsync
and zckdl send; Python's http.server answers every Range with the whole file, so the peers that fetch
ranges could not be measured with it. Every byte read from and written to the clients' sockets
(request lines, headers, bodies) is counted; GET /__count answers "IN OUT" (totals so far, this request
not counted), so the script reads the bytes on the wire of one download as the difference of two counts.
"""
import http.server
import os
import re
import socket
import sys
import threading

lock = threading.Lock()
total = [0, 0]  # bytes in (requests), bytes out (answers)


def count(i, n):
    with lock:
        total[i] += n


class CountingReader:
    def __init__(self, f):
        self.f = f
        self.n = 0  # this connection's bytes in

    def readline(self, *a):
        line = self.f.readline(*a)
        self.n += len(line)
        count(0, len(line))
        return line

    def read(self, *a):
        data = self.f.read(*a)
        self.n += len(data)
        count(0, len(data))
        return data

    def __getattr__(self, name):  # closed, fileno, ...: the wrapped file's
        return getattr(self.f, name)


class CountingWriter:
    def __init__(self, f):
        self.f = f
        self.counting = True

    def write(self, data):
        if self.counting:
            count(1, len(data))  # before the send: counted by the time the client has it
        return self.f.write(data)

    def flush(self):
        self.f.flush()

    def __getattr__(self, name):  # closed, fileno, ...: the wrapped file's
        return getattr(self.f, name)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    root = "."

    def setup(self):
        super().setup()
        # headers and body are separate writes: without this, Nagle + the client's delayed ACK cost ~40 ms
        # per keep-alive request (casync's one request per chunk took seconds)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = CountingReader(self.rfile)
        self.wfile = CountingWriter(self.wfile)

    def log_message(self, *a):
        pass

    def handle_one_request(self):
        self.mark = self.rfile.n
        self.wfile.counting = True
        super().handle_one_request()

    def send_body(self, status, headers, body):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if self.path == "/__count":  # neither this request nor its answer is counted
            with lock:
                total[0] -= self.rfile.n - self.mark
                body = ("%d %d\n" % (total[0], total[1])).encode()
            self.wfile.counting = False
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        path = os.path.normpath(os.path.join(self.root, self.path.split("?", 1)[0].lstrip("/")))
        if not path.startswith(os.path.abspath(self.root)) or not os.path.isfile(path):
            self.send_body(404, [], b"not found\n")
            return
        size = os.path.getsize(path)
        rng = self.headers.get("Range")
        if not rng:
            with open(path, "rb") as f:
                self.send_body(200, [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes")], f.read())
            return
        m = re.fullmatch(r"\s*bytes\s*=\s*(.+)", rng)
        spans = []
        for part in (m.group(1).split(",") if m else []):
            a, _, b = part.strip().partition("-")
            if a == "":  # the last b bytes
                first, last = max(0, size - int(b)), size - 1
            else:
                first, last = int(a), (int(b) if b else size - 1)
            last = min(last, size - 1)
            if first <= last:
                spans.append((first, last))
        if not spans:
            self.send_body(416, [("Content-Range", "bytes */%d" % size)], b"")
            return
        with open(path, "rb") as f:
            pieces = []
            for first, last in spans:
                f.seek(first)
                pieces.append((first, last, f.read(last - first + 1)))
        if len(pieces) == 1:
            first, last, data = pieces[0]
            self.send_body(206, [("Content-Type", "application/octet-stream"),
                                 ("Content-Range", "bytes %d-%d/%d" % (first, last, size))], data)
            return
        boundary = "dxbenchboundary7f3a"
        out = []
        for first, last, data in pieces:  # each part after CRLF--boundary, as Apache sends them (zsync expects the CRLF)
            out.append(("\r\n--%s\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes %d-%d/%d\r\n\r\n"
                        % (boundary, first, last, size)).encode())
            out.append(data)
        out.append(("\r\n--%s--\r\n" % boundary).encode())
        self.send_body(206, [("Content-Type", "multipart/byteranges; boundary=" + boundary)], b"".join(out))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: range_httpd.py DIR")
    Handler.root = os.path.abspath(sys.argv[1])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    print("port %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
