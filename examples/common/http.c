/* The HTTP server shell (http.h) over libmicrohttpd. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct server {
    size_t max_body;
    http_handler handler;
    void *arg;
    pthread_mutex_t lock; /* one request at a time through the handler */
};

struct upload {
    uint8_t *buf;
    size_t len, cap;
    bool too_large;
};

const char *http_header(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, name);
}

const char *http_cookie(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->connection, MHD_COOKIE_KIND, name);
}

void http_text(struct http_response *out, unsigned status, const char *type, const char *text)
{
    out->status = status;
    out->content_type = type;
    out->body_len = text != NULL ? strlen(text) : 0;
    out->body = text != NULL ? strdup(text) : NULL;
    if (text != NULL && out->body == NULL) {
        out->status = 500;
        out->body_len = 0;
    }
}

/* Append s as a JSON string literal. */
static void json_str(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(dst);
    if (n + 2 >= cap)
        return;
    dst[n++] = '"';
    for (; *s != '\0' && n + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            dst[n++] = '\\';
            dst[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(dst + n, cap - n, "\\u%04x", c);
        } else {
            dst[n++] = (char)c;
        }
    }
    dst[n++] = '"';
    dst[n] = '\0';
}

void http_error(struct http_response *out, unsigned status, const char *code, const char *msg)
{
    char body[1400] = "{\"error\":";
    json_str(body, sizeof(body), code);
    strcat(body, ",\"message\":");
    json_str(body, sizeof(body), msg != NULL ? msg : "");
    strcat(body, "}");
    free(out->body);
    out->body = NULL;
    http_text(out, status, "application/json", body);
}

void http_attest_error(struct http_response *out, attest_status rc, const char *msg)
{
    unsigned status;
    switch (attest_status_band(rc)) {
    case ATTEST_E_ARG:
    case ATTEST_E_PARSE: status = 400; break;
    case ATTEST_E_SIGNATURE:
    case ATTEST_E_CHAIN:
    case ATTEST_E_TCB:
    case ATTEST_E_BINDING:
    case ATTEST_E_EXPIRED: status = 401; break;
    case ATTEST_E_POLICY: status = 403; break;
    case ATTEST_E_NOT_FOUND: status = 404; break;
    case ATTEST_E_UNSUPPORTED: status = 400; break;
    default: status = 500; break;
    }
    http_error(out, status, attest_strerror(rc), msg);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct http_response *r)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        r->body_len, r->body != NULL ? r->body : (void *)"", MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret = MHD_NO;
    if (resp != NULL) {
        if (r->content_type != NULL)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
        if (r->set_cookie[0] != '\0')
            MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
        ret = MHD_queue_response(c, r->status, resp);
        MHD_destroy_response(resp);
    }
    free(r->body);
    r->body = NULL;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *data, size_t *data_size, void **con_cls)
{
    struct server *srv = cls;
    struct upload *up = *con_cls;
    (void)version;

    if (up == NULL) { /* first call: headers only */
        if ((up = calloc(1, sizeof(*up))) == NULL)
            return MHD_NO;
        *con_cls = up;
        return MHD_YES;
    }
    if (*data_size > 0) { /* a body chunk */
        if (!up->too_large && up->len + *data_size > srv->max_body)
            up->too_large = true;
        if (!up->too_large) {
            if (up->len + *data_size + 1 > up->cap) {
                size_t cap = (up->len + *data_size + 1) * 2;
                if (cap > srv->max_body + 1)
                    cap = srv->max_body + 1;
                uint8_t *g = realloc(up->buf, cap);
                if (g == NULL)
                    return MHD_NO;
                up->buf = g;
                up->cap = cap;
            }
            memcpy(up->buf + up->len, data, *data_size);
            up->len += *data_size;
            up->buf[up->len] = '\0';
        }
        *data_size = 0;
        return MHD_YES;
    }
    struct http_response resp;
    memset(&resp, 0, sizeof(resp));
    if (up->too_large) {
        http_error(&resp, 413, "PayloadTooLarge", "request body too large");
    } else {
        struct http_request req = {method, url, up->buf != NULL ? up->buf : (const uint8_t *)"",
                                   up->len, c};
        pthread_mutex_lock(&srv->lock);
        srv->handler(srv->arg, &req, &resp);
        pthread_mutex_unlock(&srv->lock);
        if (resp.status == 0)
            http_error(&resp, 500, "Internal", "no response");
    }
    return respond(c, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct upload *up = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (up != NULL) {
        free(up->buf);
        free(up);
        *con_cls = NULL;
    }
}

int http_serve(const char *prog, const char *addr, size_t max_body, http_handler handler,
               void *arg)
{
    char host[64];
    const char *colon = strrchr(addr, ':');
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    if (colon == NULL || (size_t)(colon - addr) >= sizeof(host)) {
        fprintf(stderr, "%s: --socket wants IP:PORT, got \"%s\"\n", prog, addr);
        return -1;
    }
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || end == colon + 1 || *end != '\0' ||
        port < 0 || port > 65535) {
        fprintf(stderr, "%s: --socket wants an IPv4 address and a port, got \"%s\"\n", prog,
                addr);
        return -1;
    }
    sa.sin_port = htons((uint16_t)port);

    struct server srv = {max_body, handler, arg, PTHREAD_MUTEX_INITIALIZER};
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* the MHD threads inherit the mask */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "%s: cannot serve on %s: %s\n", prog, addr, strerror(errno));
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on %s:%u\n", host, info != NULL ? info->port : (unsigned)port);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&srv.lock);
    return 0;
}
