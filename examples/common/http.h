/*
 * A small HTTP server shell over libmicrohttpd for the example servers: it collects
 * request bodies (bounded), calls one handler per request, and writes its response.
 * Bad requests get a 4xx with a JSON error body; the server keeps serving.
 */
#ifndef ATTEST_EXAMPLES_HTTP_H
#define ATTEST_EXAMPLES_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <attest/attest.h>

struct http_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path, without the query */
    const uint8_t *body;
    size_t body_len;
    void *connection;   /* the MHD connection, for http_header() / http_cookie() */
};

struct http_response {
    unsigned status;
    const char *content_type;  /* static string */
    char *body;                /* malloc'd (freed by the shell), or NULL */
    size_t body_len;
    char set_cookie[256];      /* "" for none */
};

/* The value of a request header, or NULL. */
const char *http_header(const struct http_request *r, const char *name);
/* The value of a cookie, or NULL. */
const char *http_cookie(const struct http_request *r, const char *name);

/* Fill a response: a copy of text, or a JSON error {"error": code, "message": ...}. */
void http_text(struct http_response *out, unsigned status, const char *type, const char *text);
void http_error(struct http_response *out, unsigned status, const char *code, const char *msg);
/* The HTTP status and error code for a libattest status (400 malformed, 401 rejected
 * evidence or token, 403 policy, 404 not found, 413 too large, 500 internal). */
void http_attest_error(struct http_response *out, attest_status rc, const char *msg);

typedef void (*http_handler)(void *arg, const struct http_request *req,
                             struct http_response *out);

/*
 * Serve on addr ("IP:PORT"; port 0 picks a free one, printed on stdout as "listening on
 * IP:PORT") until SIGINT or SIGTERM. One request is handled at a time (the handler owns
 * single-threaded state such as an attest_service). Bodies over max_body get 413.
 * Returns 0 after a clean stop, -1 when the socket cannot be served (message printed).
 */
int http_serve(const char *prog, const char *addr, size_t max_body, http_handler handler,
               void *arg);

#endif
