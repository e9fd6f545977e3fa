// as-grpc: Trustee's Attestation Service gRPC API (attestation.AttestationService, and the
// RVPS reference.ReferenceValueProviderService) as a thin shell over libattest's C API,
// with the official gRPC C++ library (man as-grpc(1)).
//
// Status codes: INVALID_ARGUMENT for malformed requests, NOT_FOUND for an unknown policy,
// ABORTED for evidence that does not verify (as Trustee answers every failure), INTERNAL
// otherwise; the message is libattest's.
#include <getopt.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <cjson/cJSON.h>
#include <grpcpp/grpcpp.h>

#include <attest/attest.h>

#include "attestation.grpc.pb.h"
#include "ctxopts.h"
#include "reference.grpc.pb.h"

namespace {

const char *const PROG = "as-grpc";

struct App {
    attest_ctx *ctx = nullptr;
    attest_service *svc = nullptr;
    std::mutex lock; // one attest_service call at a time
};

grpc::Status failure(App &app, attest_status rc)
{
    grpc::StatusCode code;
    switch (attest_status_band(rc)) {
    case ATTEST_E_ARG:
    case ATTEST_E_PARSE:
    case ATTEST_E_UNSUPPORTED: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case ATTEST_E_NOT_FOUND: code = grpc::StatusCode::NOT_FOUND; break;
    case ATTEST_E_NOMEM:
    case ATTEST_E_INTERNAL:
    case ATTEST_E_IO: code = grpc::StatusCode::INTERNAL; break;
    default: code = grpc::StatusCode::ABORTED; break;
    }
    return grpc::Status(code, attest_ctx_last_error(app.ctx));
}

// {"raw": text} or {"structured": parsed text}; false when the JSON does not parse.
bool add_data(cJSON *req, const char *name, bool raw, const std::string &text)
{
    cJSON *o = cJSON_AddObjectToObject(req, name);
    if (o == nullptr)
        return false;
    if (raw)
        return cJSON_AddStringToObject(o, "raw", text.c_str()) != nullptr;
    cJSON *v = cJSON_ParseWithLength(text.data(), text.size());
    return v != nullptr && cJSON_AddItemToObject(o, "structured", v);
}

class AttestationService final : public attestation::AttestationService::Service {
public:
    explicit AttestationService(App &app) : app_(app) {}

    grpc::Status AttestationEvaluate(grpc::ServerContext *, const attestation::AttestationRequest *r,
                                     attestation::AttestationResponse *out) override
    {
        // the flat request of the seed's proto, as the JSON attest_service_attest() takes
        std::unique_ptr<cJSON, void (*)(cJSON *)> req(cJSON_CreateObject(), cJSON_Delete);
        cJSON *ids = cJSON_AddArrayToObject(req.get(), "policy_ids");
        bool ok = ids != nullptr && cJSON_AddStringToObject(req.get(), "tee", r->tee().c_str()) &&
                  cJSON_AddStringToObject(req.get(), "evidence", r->evidence().c_str()) &&
                  cJSON_AddStringToObject(req.get(), "runtime_data_hash_algorithm",
                                          r->runtime_data_hash_algorithm().c_str()) &&
                  cJSON_AddStringToObject(req.get(), "init_data_hash_algorithm",
                                          r->init_data_hash_algorithm().c_str());
        for (const auto &id : r->policy_ids())
            ok = ok && cJSON_AddItemToArray(ids, cJSON_CreateString(id.c_str()));
        if (ok && r->has_raw_runtime_data())
            ok = add_data(req.get(), "runtime_data", true, r->raw_runtime_data());
        else if (ok && r->has_structured_runtime_data())
            ok = add_data(req.get(), "runtime_data", false, r->structured_runtime_data());
        if (ok && r->has_raw_init_data())
            ok = add_data(req.get(), "init_data", true, r->raw_init_data());
        else if (ok && r->has_structured_init_data())
            ok = add_data(req.get(), "init_data", false, r->structured_init_data());
        if (!ok)
            return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "structured runtime or init data is not JSON");
        char *text = cJSON_PrintUnformatted(req.get());
        if (text == nullptr)
            return grpc::Status(grpc::StatusCode::INTERNAL, "out of memory");
        char *token = nullptr;
        std::lock_guard<std::mutex> guard(app_.lock);
        attest_status rc = attest_service_attest(app_.svc, text, std::strlen(text), &token);
        cJSON_free(text);
        if (rc != ATTEST_OK)
            return failure(app_, rc);
        out->set_attestation_token(token);
        attest_free(token);
        return grpc::Status::OK;
    }

    grpc::Status SetAttestationPolicy(grpc::ServerContext *, const attestation::SetPolicyRequest *r,
                                      attestation::SetPolicyResponse *) override
    {
        std::unique_ptr<cJSON, void (*)(cJSON *)> req(cJSON_CreateObject(), cJSON_Delete);
        char *text = nullptr;
        if (!cJSON_AddStringToObject(req.get(), "policy_id", r->policy_id().c_str()) ||
            !cJSON_AddStringToObject(req.get(), "policy", r->policy().c_str()) ||
            (text = cJSON_PrintUnformatted(req.get())) == nullptr)
            return grpc::Status(grpc::StatusCode::INTERNAL, "out of memory");
        std::lock_guard<std::mutex> guard(app_.lock);
        attest_status rc = attest_service_set_policy(app_.svc, text, std::strlen(text));
        cJSON_free(text);
        return rc == ATTEST_OK ? grpc::Status::OK : failure(app_, rc);
    }

    grpc::Status GetAttestationChallenge(grpc::ServerContext *,
                                         const attestation::ChallengeRequest *r,
                                         attestation::ChallengeResponse *out) override
    {
        std::unique_ptr<cJSON, void (*)(cJSON *)> req(cJSON_CreateObject(), cJSON_Delete);
        for (const auto &kv : r->inner())
            cJSON_AddStringToObject(req.get(), kv.first.c_str(), kv.second.c_str());
        char *text = cJSON_PrintUnformatted(req.get()), *challenge = nullptr;
        if (text == nullptr)
            return grpc::Status(grpc::StatusCode::INTERNAL, "out of memory");
        std::lock_guard<std::mutex> guard(app_.lock);
        attest_status rc = attest_service_challenge(app_.svc, text, std::strlen(text), &challenge);
        cJSON_free(text);
        if (rc != ATTEST_OK)
            return failure(app_, rc);
        out->set_attestation_challenge(challenge);
        attest_free(challenge);
        return grpc::Status::OK;
    }

private:
    App &app_;
};

class ReferenceService final : public reference::ReferenceValueProviderService::Service {
public:
    explicit ReferenceService(App &app) : app_(app) {}

    grpc::Status QueryReferenceValue(grpc::ServerContext *,
                                     const reference::ReferenceValueQueryRequest *r,
                                     reference::ReferenceValueQueryResponse *out) override
    {
        char *value = nullptr;
        std::lock_guard<std::mutex> guard(app_.lock);
        attest_status rc = attest_service_query_refval(app_.svc, r->reference_value_id().c_str(),
                                                       &value);
        if (rc != ATTEST_OK)
            return failure(app_, rc);
        if (value != nullptr) // absent when unknown or expired
            out->set_reference_value_results(value);
        attest_free(value);
        return grpc::Status::OK;
    }

    grpc::Status RegisterReferenceValue(grpc::ServerContext *,
                                        const reference::ReferenceValueRegisterRequest *r,
                                        reference::ReferenceValueRegisterResponse *) override
    {
        std::lock_guard<std::mutex> guard(app_.lock);
        attest_status rc = attest_service_register_refval(app_.svc, r->message().data(),
                                                          r->message().size());
        return rc == ATTEST_OK ? grpc::Status::OK : failure(app_, rc);
    }

private:
    App &app_;
};

void usage(FILE *f)
{
    std::fprintf(f, "usage: %s [-c|--config-file CONFIG] [--socket ADDR:PORT]\n"
                    "and the trust and collateral options:\n" CTXOPTS_USAGE, PROG);
}

} // namespace

int main(int argc, char **argv)
{
    enum { O_SOCKET = 256, O_HELP, O_VERSION };
    static const struct option longopts[] = {
        {"config-file", required_argument, nullptr, 'c'},
        {"socket", required_argument, nullptr, O_SOCKET},
        CTXOPTS_LONGOPTS,
        {"help", no_argument, nullptr, O_HELP},
        {"version", no_argument, nullptr, O_VERSION},
        {nullptr, 0, nullptr, 0},
    };
    App app;
    ctxopts sources{};
    const char *config = nullptr;
    std::string socket = "127.0.0.1:50004";
    int c, rc = 2;

    if (attest_ctx_new(&app.ctx) != ATTEST_OK)
        return 2;
    while ((c = getopt_long(argc, argv, "c:", longopts, nullptr)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case O_SOCKET: socket = optarg; break;
        case O_HELP: usage(stdout); rc = 0; goto out;
        case O_VERSION: std::printf("%s %s\n", PROG, attest_version()); rc = 0; goto out;
        default: // ours, or unknown (getopt printed why)
            if (ctxopts_take(&sources, PROG, c, optarg) != 1) {
                usage(stderr);
                goto out;
            }
        }
    }
    if (optind != argc) {
        usage(stderr);
        goto out;
    }
    if (!ctxopts_apply(&sources, app.ctx, PROG))
        goto out;
    if ((config != nullptr ? attest_service_load(&app.svc, app.ctx, config)
                           : attest_service_new(&app.svc, app.ctx, nullptr, 0)) != ATTEST_OK) {
        std::fprintf(stderr, "%s: %s\n", PROG, attest_ctx_last_error(app.ctx));
        goto out;
    }
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, nullptr); // gRPC's threads inherit the mask
        AttestationService as(app);
        ReferenceService rvps(app);
        int port = 0;
        grpc::ServerBuilder builder;
        builder.AddListeningPort(socket, grpc::InsecureServerCredentials(), &port);
        builder.RegisterService(&as);
        builder.RegisterService(&rvps);
        std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
        if (server == nullptr || port == 0) {
            std::fprintf(stderr, "%s: cannot serve on %s\n", PROG, socket.c_str());
            rc = 1;
            goto out;
        }
        std::string host = socket.substr(0, socket.rfind(':'));
        std::printf("listening on %s:%d\n", host.c_str(), port);
        std::fflush(stdout);
        int sig = 0;
        sigwait(&set, &sig);
        server->Shutdown();
        rc = 0;
    }
out:
    attest_service_free(app.svc);
    attest_ctx_free(app.ctx);
    return rc;
}
