#!/usr/bin/python3
"""A PCCS stand-in for tests: serves the Intel collateral of one bundle (../shared/vectors,
dcap-qvl layout) over HTTP on 127.0.0.1 the way Intel PCS API v4 does: TCB info and QE
identity response bodies with their URL-encoded issuer-chain headers, the PCK CRL as DER
with its chain header, the root CA CRL as DER. Prints "listening on 127.0.0.1:PORT" and
logs each request path to stdout.

usage: pccs_server.py BUNDLE.json [TEE]
"""
import binascii
import http.server
import json
import sys
import urllib.parse

bundle = json.load(open(sys.argv[1]))
tee = sys.argv[2] if len(sys.argv) > 2 else "tdx"
fmspc = json.loads(bundle["tcb_info"])["fmspc"].lower()


def chain(name):
    return urllib.parse.quote(bundle[name], safe="")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        print("GET", self.path, flush=True)

    def send(self, body, ctype, headers=()):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == f"/{tee}/certification/v4/tcb" and q.get("fmspc", [""])[0].lower() == fmspc:
            body = '{"tcbInfo":%s,"signature":"%s"}' % (bundle["tcb_info"], bundle["tcb_info_signature"])
            self.send(body.encode(), "application/json",
                      [("TCB-Info-Issuer-Chain", chain("tcb_info_issuer_chain"))])
        elif u.path == f"/{tee}/certification/v4/qe/identity":
            body = '{"enclaveIdentity":%s,"signature":"%s"}' % (bundle["qe_identity"], bundle["qe_identity_signature"])
            self.send(body.encode(), "application/json",
                      [("SGX-Enclave-Identity-Issuer-Chain", chain("qe_identity_issuer_chain"))])
        elif u.path == "/sgx/certification/v4/pckcrl" and q.get("ca") in (["platform"], ["processor"]):
            self.send(binascii.unhexlify(bundle["pck_crl"]), "application/pkix-crl",
                      [("SGX-PCK-CRL-Issuer-Chain", chain("pck_crl_issuer_chain"))])
        elif u.path == "/sgx/certification/v4/rootcacrl":
            self.send(binascii.unhexlify(bundle["root_ca_crl"]), "application/pkix-crl")
        else:
            self.send_error(404)


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print("listening on 127.0.0.1:%d" % srv.server_port, flush=True)
srv.serve_forever()
