#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel as the oracle for xdping_server: crafted echo requests, one
per class the server must get right, sent from IFACE to the host behind
it; the replies that come back, by request.

  oracle.py send IFACE PEER_MAC OUR4 PEER4 OUR6 PEER6 OUR_LL PEER_LL > FILE
      Sends every request once (its own echo identifier), listens 1.5 s
      more, prints one JSON object: {label: reply frame in hex, or null}.
  oracle.py compare KERNEL_FILE XDP_FILE MUST...
      XDP_FILE holds what came back while only XDP could answer (the
      host's own responder off), KERNEL_FILE what the host answered with
      no XDP program. Checks that XDP answered a subset of what the kernel
      answered, every label in MUST, and that each XDP reply is the
      kernel's in every field the stack decides (the IPv4 ID and the IPv6
      flow label aside: both are the stack's own numbering). Prints one
      line per label; exit 1 on any violation.

Addresses must come from 198.18.0.0/15 and 2001:db8::/32; the frames
never leave the namespaces a test made. Needs python3-scapy.
"""
import json
import sys
import time

from scapy.all import (ICMP, IP, Dot1Q, Ether, ICMPv6EchoReply, ICMPv6EchoRequest, IPOption,
                       IPv6, IPv6ExtHdrHopByHop, AsyncSniffer, fragment, get_if_hwaddr, raw,
                       sendp)

PAYLOAD = bytes(range(56))


def requests(iface, peer_mac, our4, peer4, our6, peer6, our_ll, peer_ll):
    """(label, frames) for every class: one echo id per label."""
    mac = get_if_hwaddr(iface)
    net4 = peer4.rsplit(".", 1)[0]
    net6 = peer6.rsplit("::", 1)[0]
    e = Ether(src=mac, dst=peer_mac)
    other = "02:00:5e:10:00:99"

    def v4(**kw):
        ip = dict(src=our4, dst=peer4)
        ip.update(kw)
        return e / IP(**ip)

    def v6(**kw):
        ip = dict(src=our6, dst=peer6)
        ip.update(kw)
        return e / IPv6(**ip)

    rows = [
        ("v4-plain", v4()),
        ("v4-ttl1", v4(ttl=1)),
        ("v4-tos-df", v4(tos=0xb8, flags="DF")),
        ("v4-big", v4(), 1400),
        ("v4-dst-other-host", v4(dst=net4 + ".3")),
        ("v4-dst-off-link", v4(dst="198.19.250.9")),
        ("v4-dst-directed-broadcast", v4(dst=net4 + ".255")),
        ("v4-dst-broadcast-unicast-mac", v4(dst="255.255.255.255")),
        ("v4-dst-loopback", v4(dst="127.0.0.1")),
        ("v4-src-loopback", v4(src="127.0.0.1")),
        ("v4-src-zeronet", v4(src="0.0.0.1")),
        ("v4-src-own", v4(src=peer4)),
        ("v4-src-no-route", v4(src="198.19.250.9")),
        ("v4-src-on-link-unknown", v4(src=net4 + ".7")),
        ("v4-src-multicast", v4(src="224.0.0.9")),
        ("v4-src-directed-broadcast", v4(src=net4 + ".255")),
        ("v4-dst-mac-other", Ether(src=mac, dst=other) / IP(src=our4, dst=peer4)),
        ("v4-dst-mac-broadcast", Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src=our4, dst=peer4)),
        ("v4-src-mac-group", Ether(src="03:00:5e:10:00:01", dst=peer_mac) / IP(src=our4, dst=peer4)),
        ("v4-src-mac-zero", Ether(src="00:00:00:00:00:00", dst=peer_mac) / IP(src=our4, dst=peer4)),
        ("v4-opt-rr", v4(options=[IPOption(b"\x07\x07\x04\x00\x00\x00\x00\x00")])),
        ("v4-opt-lsrr", v4(options=[IPOption(b"\x83\x07\x04" + bytes(map(int, peer4.split(".")))
                                              + b"\x00")])),
        ("v4-opt-ssrr", v4(options=[IPOption(b"\x89\x07\x04" + bytes(map(int, peer4.split(".")))
                                              + b"\x00")])),
        ("v4-opt-ts", v4(options=[IPOption(b"\x44\x0c\x05\x00" + bytes(8))])),
        ("v4-opt-malformed", v4(options=[IPOption(b"\x07\x02\x04\x00")])),
        ("v4-bad-icmp-csum", v4(), 56, "icmp"),
        ("v4-bad-ip-csum", v4(), 56, "ip"),
        ("v4-tag-100", Ether(src=mac, dst=peer_mac) / Dot1Q(vlan=100) / IP(src=our4, dst=peer4)),
        ("v4-fragments", v4(), 1000, "frag"),
        ("v6-plain", v6()),
        ("v6-hlim1", v6(hlim=1)),
        ("v6-tclass", v6(tc=0xb8, fl=0x12345)),
        ("v6-big", v6(), 1400),
        ("v6-dst-other-host", v6(dst=net6 + "::3")),
        ("v6-dst-off-link", v6(dst="2001:db8:ffff::9")),
        ("v6-dst-subnet-anycast", v6(dst=net6 + "::")),
        ("v6-dst-loopback", v6(dst="::1")),
        ("v6-src-loopback", v6(src="::1")),
        ("v6-src-own", v6(src=peer6)),
        ("v6-src-multicast", v6(src="ff02::1")),
        ("v6-src-v4mapped", v6(src="::ffff:" + our4)),
        ("v6-src-no-route", v6(src="2001:db8:ffff::9")),
        ("v6-src-on-link-unknown", v6(src=net6 + "::7")),
        ("v6-src-link-local", v6(src=our_ll)),
        ("v6-link-local", v6(src=our_ll, dst=peer_ll)),
        ("v6-dst-mac-other", Ether(src=mac, dst=other) / IPv6(src=our6, dst=peer6)),
        ("v6-src-mac-group", Ether(src="03:00:5e:10:00:01", dst=peer_mac) / IPv6(src=our6, dst=peer6)),
        ("v6-bad-csum", v6(), 56, "icmp"),
        ("v6-hop-by-hop", v6() / IPv6ExtHdrHopByHop()),
        ("v6-tag-7", Ether(src=mac, dst=peer_mac) / Dot1Q(vlan=7) / IPv6(src=our6, dst=peer6)),
    ]
    out = []
    for n, row in enumerate(rows):
        label, base = row[0], row[1]
        size = row[2] if len(row) > 2 else 56
        how = row[3] if len(row) > 3 else ""
        ident = 0x5100 + n
        data = (PAYLOAD * 30)[:size]
        if IPv6 in base:
            f = base / ICMPv6EchoRequest(id=ident, seq=1, data=data)
        else:
            f = base / ICMP(id=ident, seq=1) / data
        if how == "icmp":
            f = Ether(raw(f))
            if IPv6 in f:
                f[ICMPv6EchoRequest].cksum ^= 0x0101
            else:
                f[ICMP].chksum ^= 0x0101
        elif how == "ip":
            f = Ether(raw(f))
            f[IP].chksum ^= 0x0101
        frames = [f]
        if how == "frag":
            frames = [Ether(src=mac, dst=peer_mac) / p for p in fragment(f[IP], fragsize=504)]
        out.append((label, ident, frames))
    return out


def reply_id(p):
    if ICMP in p and p[ICMP].type == 0:
        return p[ICMP].id
    if ICMPv6EchoReply in p:
        return p[ICMPv6EchoReply].id
    return None


def send(args):
    iface = args[0]
    rows = requests(*args)
    sniffer = AsyncSniffer(iface=iface, store=True,
                           lfilter=lambda p: reply_id(p) is not None)
    sniffer.start()
    time.sleep(0.5)
    for _, _, frames in rows:
        sendp(frames, iface=iface, verbose=False)
        time.sleep(0.02)
    time.sleep(1.5)
    got = sniffer.stop()
    by_id = {}
    for p in got:
        by_id.setdefault(reply_id(p), raw(p).hex())
    print(json.dumps({label: by_id.get(ident) for label, ident, _ in rows}, indent=0))


def fields(hexframe):
    """What the stack decides in a reply, by name."""
    p = Ether(bytes.fromhex(hexframe))
    f = {"eth.src": p.src, "eth.dst": p.dst, "vlan": p[Dot1Q].vlan if Dot1Q in p else None}
    if IP in p:
        ip = p[IP]
        f.update({"ip.src": ip.src, "ip.dst": ip.dst, "ip.ttl": ip.ttl, "ip.tos": ip.tos,
                  "ip.flags": int(ip.flags), "ip.ihl": ip.ihl, "ip.len": ip.len,
                  "icmp.type": p[ICMP].type, "icmp.code": p[ICMP].code,
                  "icmp.id": p[ICMP].id, "icmp.seq": p[ICMP].seq,
                  "payload": raw(p[ICMP].payload).hex()})
        c = Ether(raw(p))
        del c[IP].chksum
        del c[ICMP].chksum
        c = Ether(raw(c))
        f["csums"] = (c[IP].chksum, c[ICMP].chksum) == (ip.chksum, p[ICMP].chksum)
    else:
        ip = p[IPv6]
        r = p[ICMPv6EchoReply]
        f.update({"ip.src": ip.src, "ip.dst": ip.dst, "ip.hlim": ip.hlim, "ip.tc": ip.tc,
                  "ip.nh": ip.nh, "ip.plen": ip.plen, "icmp.code": r.code, "icmp.id": r.id,
                  "icmp.seq": r.seq, "payload": raw(r.data).hex() if r.data else ""})
        c = Ether(raw(p))
        del c[ICMPv6EchoReply].cksum
        c = Ether(raw(c))
        f["csums"] = c[ICMPv6EchoReply].cksum == r.cksum
    return f


def compare(args):
    kernel = json.load(open(args[0]))
    xdp = json.load(open(args[1]))
    must = args[2:]
    bad = 0
    for label in kernel:
        k, x = kernel[label], xdp.get(label)
        if x is None:
            why = "not answered in XDP" + ("" if k is None else " (the kernel answers)")
            if label in must:
                print(f"FAIL {label}: {why}, and it must be")
                bad += 1
            else:
                print(f"ok   {label}: {why}")
            continue
        if k is None:
            print(f"FAIL {label}: answered in XDP, the kernel does not answer it")
            bad += 1
            continue
        fk, fx = fields(k), fields(x)
        diff = [f"{n}: kernel {fk[n]!r} xdp {fx.get(n)!r}" for n in fk if fk[n] != fx.get(n)]
        if diff:
            print(f"FAIL {label}: the reply differs: " + "; ".join(diff))
            bad += 1
        else:
            print(f"ok   {label}: answered in XDP, as the kernel answers it")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) >= 10 and sys.argv[1] == "send":
        send(sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2:]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
