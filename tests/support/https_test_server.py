#!/usr/bin/env python3
"""A scripted HTTPS server on loopback for the managed-domain tests (seed-003 TO-5).

Usage: https_test_server.py CERT KEY ROUTES_FILE PORT_FILE

Serves TLS with CERT/KEY (PEM) on 127.0.0.1 at a free port, writes the port
to PORT_FILE, and answers each GET from ROUTES_FILE, a JSON object read again
for every request:

  {"/path": {"status": 200, "body": "text"},
   "/old":  {"status": 302, "location": "/new"}}

Any other path answers 404. Runs until killed.
"""
import http.server
import json
import os
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    routes_path = ""

    def do_GET(self):
        try:
            with open(self.routes_path, encoding="utf-8") as f:
                routes = json.load(f)
        except (OSError, ValueError):
            routes = {}
        route = routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = route.get("body", "").encode("utf-8")
        self.send_response(route.get("status", 200))
        if "location" in route:
            self.send_header("Location", route["location"])
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    cert, key, routes, port_path = sys.argv[1:5]
    Handler.routes_path = routes
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(port_path + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_path + ".tmp", port_path)  # the test never reads a half-written port
    server.serve_forever()


if __name__ == "__main__":
    main()
