/*
 * workload.h -- what ferry-bench sends and what it expects back.
 *
 * A run is a list of phases (fb_workload_build, from the options): the
 * optional PRELOAD (SET of every key once, not measured), then one phase
 * per -t test, or the one MIX (--ratio) or CUSTOM (--command) phase.
 * fb_workload_compose writes one request of a phase as RESP multibulk and
 * fills the in-flight record (kind, key, time) that fb_workload_verify later
 * checks the reply against:
 *
 *   AUTH, SET, PRELOAD  +OK
 *   PING                +PONG
 *   GET                 the key's value (keygen.h: size and bytes follow
 *                       from the key); nil is accepted unless --preload
 *   INCR                an integer > 0 (keys PREFIX counter:NNN...)
 *   MGET                an array of mget_keys such values / nils, the keys
 *                       k..k+m-1 (mod the keyspace)
 *   CUSTOM              any reply but an error
 *
 * Concurrency: the workload is immutable after fb_workload_build and shared
 * by every core; compose and verify write only the caller's buffers.
 */
#ifndef FB_WORKLOAD_H
#define FB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keygen.h"
#include "options.h"
#include "reply.h"

#define FB_MAX_PHASES (FB_MAX_TESTS + 1)

/* What an in-flight request was; the reply is checked against it. */
enum fb_req_kind {
	FB_REQ_AUTH, FB_REQ_PING, FB_REQ_SET, FB_REQ_GET, FB_REQ_INCR,
	FB_REQ_MGET, FB_REQ_CUSTOM, FB_REQ__COUNT
};

struct fb_req {
	uint64_t t0;		/* TSC: sent (closed loop) or scheduled (--rate) */
	uint64_t key;
	uint8_t kind;		/* enum fb_req_kind */
};

/* Why a request did not verify; names in fb_err_names[]. */
enum fb_err {
	FB_ERR_NONE = 0,
	FB_ERR_REPLY,		/* the server answered -ERR... */
	FB_ERR_TYPE,		/* a reply of the wrong type */
	FB_ERR_VALUE,		/* right type, wrong size / bytes / number */
	FB_ERR_MISSING,		/* nil for a key --preload wrote */
	FB_ERR_PROTOCOL,	/* unparsable or unsolicited bytes */
	FB_ERR_LOST,		/* connection closed before the reply */
	FB_ERR_TIMEOUT,		/* no reply within --timeout */
	FB_ERR_CONNECT,		/* connection refused / timed out */
	FB_ERR_AUTH,		/* AUTH not answered +OK */
	FB_ERR__COUNT
};

extern const char *const fb_err_names[FB_ERR__COUNT];

struct fb_phase {
	enum fb_test test;
	uint64_t requests;		/* 0: by duration */
	double duration_s;		/* 0: by requests */
};

/* One argument of the --command template. */
struct fb_tmpl_arg {
	const char *text;		/* into the workload's copy */
	size_t len;
	unsigned nkey, ndata;		/* __key__ / __data__ occurrences */
};

struct fb_workload {
	struct fb_phase phases[FB_MAX_PHASES];
	unsigned nphases;
	struct fb_keygen kg;
	bool preloaded;			/* GETs must find their value */
	uint32_t ratio_set, ratio_get;
	unsigned mget_keys;
	const char *password;
	char *tmpl_copy;		/* --command, split in place */
	struct fb_tmpl_arg *tmpl;
	int tmpl_argc;
	bool tmpl_has_key;
};

/* A growable byte buffer (requests out, partial replies in). */
struct fb_buf {
	char *p;
	size_t len, cap, off;		/* bytes [off, len) are pending */
};

/* 0 or -ENOMEM; *grow* the buffer to hold len + extra bytes. */
int fb_buf_reserve(struct fb_buf *b, size_t extra);
int fb_buf_append(struct fb_buf *b, const void *data, size_t len);
/* Drop the consumed bytes [0, off). */
void fb_buf_compact(struct fb_buf *b);
void fb_buf_free(struct fb_buf *b);

/* Phases from the options; 0, -EINVAL (err says why) or -ENOMEM. */
int fb_workload_build(struct fb_workload *w, const struct fb_options *o,
		      char *err, size_t errlen);
void fb_workload_fini(struct fb_workload *w);

/* The name of a phase ("SET", "PRELOAD", ...). */
const char *fb_phase_name(const struct fb_workload *w, unsigned phase);

/* Append one request of 'phase' to out and describe it in *req (t0 is the
 * caller's).  preload_key: the key a PRELOAD request writes.  rng: the
 * calling core's random state.  0 or -ENOMEM. */
int fb_workload_compose(const struct fb_workload *w, unsigned phase,
			uint64_t preload_key, uint64_t *rng, struct fb_buf *out,
			struct fb_req *req);

/* Append AUTH password. 0 or -ENOMEM. */
int fb_workload_compose_auth(const struct fb_workload *w, struct fb_buf *out,
			     struct fb_req *req);

/* Check a reply against its request: FB_ERR_NONE or why not. */
enum fb_err fb_workload_verify(const struct fb_workload *w,
			       const struct fb_req *req,
			       const struct fb_reply *r);

#endif
