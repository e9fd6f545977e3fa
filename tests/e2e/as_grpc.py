#!/usr/bin/env python3
"""as-grpc end to end with python3-grpcio: a client generated (grpc_tools.protoc) from the
same protos sends the seed-002 AttestationRequest with simulated SEV-SNP evidence, gets a
token that attest-token verifies; sets a policy; asks a challenge; registers and queries a
reference value over the RVPS service; bad requests get INVALID_ARGUMENT / ABORTED /
NOT_FOUND and the server keeps serving. The server binds 127.0.0.1 on a free port and is
always stopped.

usage: as_grpc.py SOURCE_ROOT BUILD_ROOT
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import grpc
    from grpc_tools import protoc
except ImportError:
    sys.exit("python3-grpcio and python3-grpc-tools are missing (tools/install-deps-debian.sh)")

src, build = sys.argv[1], sys.argv[2]
bin_ = os.path.join(build, "examples")
tmp = tempfile.mkdtemp()
protos = os.path.join(src, "examples", "as-grpc")
for p in ("attestation.proto", "reference.proto"):
    assert protoc.main(["protoc", f"-I{protos}", f"--python_out={tmp}", f"--grpc_python_out={tmp}",
                        os.path.join(protos, p)]) == 0, p
sys.path.insert(0, tmp)
import attestation_pb2 as apb  # noqa: E402
import attestation_pb2_grpc as agrpc  # noqa: E402
import reference_pb2 as rpb  # noqa: E402
import reference_pb2_grpc as rgrpc  # noqa: E402

failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    failures += 0 if cond else 1


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


dev = os.path.join(tmp, "dev")
runtime = {"nonce": "grpc-nonce", "tee-pubkey": {"kty": "EC", "crv": "P-256"}}
with open(os.path.join(tmp, "rt.json"), "w") as f:
    json.dump(runtime, f)
init = {"policy": "x"}
host_data = hashlib.sha256(json.dumps(init, separators=(",", ":")).encode()).hexdigest()
subprocess.run([os.path.join(bin_, "attest-collect"), "--simulate", "snp", "--state-dir", dev,
                "--host-data", host_data, "--runtime-data", os.path.join(tmp, "rt.json"),
                "--runtime-data-json", "-o", os.path.join(tmp, "ev.json")], check=True)
evidence = b64url(open(os.path.join(tmp, "ev.json"), "rb").read())

server = subprocess.Popen([os.path.join(bin_, "as-grpc"), "--socket", "127.0.0.1:0",
                           "--trust-dir", dev], stdout=subprocess.PIPE, text=True)
try:
    line = server.stdout.readline()
    port = int(line.strip().rsplit(":", 1)[1])
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=10)
    as_ = agrpc.AttestationServiceStub(channel)
    rvps = rgrpc.ReferenceValueProviderServiceStub(channel)

    req = apb.AttestationRequest(tee="snp", evidence=evidence,
                                 structured_runtime_data=json.dumps(runtime),
                                 structured_init_data=json.dumps(init),
                                 runtime_data_hash_algorithm="sha384",
                                 init_data_hash_algorithm="sha256", policy_ids=[])
    token = as_.AttestationEvaluate(req).attestation_token
    check(token.count(".") == 2, "AttestationEvaluate returns a JWT")
    # verify it with the token's header key pinned by its thumbprint (the kid)
    head = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    with open(os.path.join(tmp, "t.jwt"), "w") as f:
        f.write(token)
    r = subprocess.run([os.path.join(bin_, "attest-token"), "--pin-jwk", head["kid"],
                        os.path.join(tmp, "t.jwt")], capture_output=True, text=True)
    check(r.returncode == 0, "attest-token verifies it")
    if r.returncode == 0:
        ev = json.loads(r.stdout)["submods"]["cpu0"]["ear.veraison.annotated-evidence"]
        check(ev["runtime_data_claims"] == runtime and ev["init_data_claims"] == init,
              "runtime and init data claims")

    policy = b64url(b'{"version":"1.0","defaults":{"hardware":2}}')
    as_.SetAttestationPolicy(apb.SetPolicyRequest(policy_id="default_cpu", policy=policy))
    token = as_.AttestationEvaluate(req).attestation_token
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    check(claims["submods"]["cpu0"]["ear.status"] == "affirming", "the stored policy applies")
    ch = as_.GetAttestationChallenge(apb.ChallengeRequest(inner={"tee": "snp", "tee_params": ""}))
    check(ch.attestation_challenge == "", "GetAttestationChallenge")

    msg = {"version": "0.1.0", "type": "sample",
           "payload": base64.b64encode(b'{"snp_launch_measurement": ["aa"]}').decode()}
    rvps.RegisterReferenceValue(rpb.ReferenceValueRegisterRequest(message=json.dumps(msg)))
    q = rvps.QueryReferenceValue(rpb.ReferenceValueQueryRequest(
        reference_value_id="snp_launch_measurement"))
    check(q.reference_value_results != "" and json.loads(q.reference_value_results) == ["aa"],
          "RVPS register and query")
    q = rvps.QueryReferenceValue(rpb.ReferenceValueQueryRequest(reference_value_id="unknown"))
    check(q.reference_value_results == "", "RVPS unknown value is absent")

    def expect_code(call, code, what):
        try:
            call()
            check(False, f"{what}: no error")
        except grpc.RpcError as e:
            check(e.code() == code, f"{what}: {e.code().name} ({e.details()})")

    bad = apb.AttestationRequest(); bad.CopyFrom(req)
    bad.structured_runtime_data = '{"nonce": "other"}'
    expect_code(lambda: as_.AttestationEvaluate(bad), grpc.StatusCode.ABORTED, "binding mismatch")
    bad.structured_runtime_data = "{not json"
    expect_code(lambda: as_.AttestationEvaluate(bad), grpc.StatusCode.INVALID_ARGUMENT, "bad JSON")
    bad = apb.AttestationRequest(tee="snp", evidence="!!!")
    expect_code(lambda: as_.AttestationEvaluate(bad), grpc.StatusCode.INVALID_ARGUMENT, "bad base64")
    bad = apb.AttestationRequest(); bad.CopyFrom(req); bad.policy_ids.append("nosuch")
    expect_code(lambda: as_.AttestationEvaluate(bad), grpc.StatusCode.NOT_FOUND, "unknown policy")
    expect_code(lambda: as_.SetAttestationPolicy(apb.SetPolicyRequest(policy_id="x", policy="cGFja2FnZQ")),
                grpc.StatusCode.INVALID_ARGUMENT, "Rego policy refused")
    token = as_.AttestationEvaluate(req).attestation_token
    check(token.count(".") == 2, "still serving after errors")
finally:
    server.terminate()
    try:
        check(server.wait(timeout=10) == 0, "clean stop on SIGTERM")
    except subprocess.TimeoutExpired:
        server.kill()
        check(False, "clean stop on SIGTERM")

print(f"{failures} failures")
sys.exit(1 if failures else 0)
