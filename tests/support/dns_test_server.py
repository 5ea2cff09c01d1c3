#!/usr/bin/env python3
"""A scripted DNS server on loopback for the managed-domain tests (seed-003 TO-4).

Usage: dns_test_server.py ZONE_FILE PORT_FILE

Binds UDP 127.0.0.1 on a free port, writes the port to PORT_FILE, and answers
each query from ZONE_FILE, a JSON object read again for every query so a test
can change the answers while the server runs:

  {"txt":      {"example.com": ["record", ...]},   TXT records of a name
   "a":        {"files.example": ["127.0.0.1"]},   A records of a name
   "servfail": ["broken.example"],                 answered SERVFAIL
   "silent":   ["slow.example"]}                   never answered (a timeout)

Any other name is NXDOMAIN; a known name without records of the asked type
answers NOERROR with no records. Runs until killed.
"""
import json
import os
import socket
import sys

from dnslib import A, QTYPE, RCODE, RR, TXT, DNSRecord


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def answer(query, zone):
    name = str(query.q.qname).rstrip(".").lower()
    reply = query.reply()
    if name in zone.get("servfail", []):
        reply.header.rcode = RCODE.SERVFAIL
        return reply
    txt = zone.get("txt", {})
    addresses = zone.get("a", {})
    if name not in txt and name not in addresses:
        reply.header.rcode = RCODE.NXDOMAIN
        return reply
    if query.q.qtype == QTYPE.TXT:
        for record in txt.get(name, []):
            reply.add_answer(RR(query.q.qname, QTYPE.TXT, rdata=TXT(record), ttl=1))
    elif query.q.qtype == QTYPE.A:
        for address in addresses.get(name, []):
            reply.add_answer(RR(query.q.qname, QTYPE.A, rdata=A(address), ttl=1))
    return reply


def main():
    zone_path, port_path = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    with open(port_path + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(sock.getsockname()[1]))
    # Renamed into place, so the test never reads a half-written port.
    os.replace(port_path + ".tmp", port_path)
    while True:
        data, peer = sock.recvfrom(4096)
        try:
            query = DNSRecord.parse(data)
        except Exception:  # not DNS: ignore it, as a real server would
            continue
        zone = load(zone_path)
        name = str(query.q.qname).rstrip(".").lower()
        if name in zone.get("silent", []):
            continue
        sock.sendto(answer(query, zone).pack(), peer)


if __name__ == "__main__":
    main()
