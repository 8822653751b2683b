/*
 * options.h -- ferry-bench's command line, the DPDK way (as ferryd):
 *
 *   ferry-bench [EAL options] -- [bench options]
 *   ferry-bench --help
 *
 * The bench half uses redis-benchmark's names where they exist (-h -p -c
 * -n -P -d -r -t -a -q) plus ferry-bench's own long options (--addr,
 * --rate, --duration, --echo, ...).  The option table in options.c is the
 * one source of the names, the parser and the --help text.
 *
 * Call chain: main (main.c) -> dp_options_split (dataplane/dp_options.c:
 * the EAL / bench halves) -> fb_options_parse -> fb_workload_build.
 *
 * Contract: parsing never exits and never crashes; a bad option returns
 * -EINVAL with a one-line message in 'err' (main prints it, exits 2).
 * Strings in struct fb_options point into argv (never freed).
 */
#ifndef FB_OPTIONS_H
#define FB_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FB_MAX_TESTS 16
#define FB_MAX_VALUE (512u << 20)	/* proto-max-bulk-len */

/* The workloads of -t (and the implicit ones of --ratio / --command /
 * --preload); names in fb_test_names[]. */
enum fb_test {
	FB_TEST_PING,
	FB_TEST_SET,
	FB_TEST_GET,
	FB_TEST_INCR,
	FB_TEST_MGET,
	FB_TEST_MIX,		/* --ratio SET:GET */
	FB_TEST_CUSTOM,		/* --command TEMPLATE */
	FB_TEST_PRELOAD,	/* --preload: SET every key once */
	FB_TEST__COUNT
};

extern const char *const fb_test_names[FB_TEST__COUNT];

enum fb_dist { FB_DIST_UNIFORM, FB_DIST_ZIPF };

enum fb_echo { FB_ECHO_OFF, FB_ECHO_SERVER, FB_ECHO_CLIENT };

struct fb_options {
	/* the server */
	uint32_t host;			/* host order; 0 = not given */
	uint16_t port;
	const char *password;		/* -a, NULL = no AUTH */
	/* load */
	uint32_t clients;		/* -c, connections in all */
	uint64_t requests;		/* -n, per test (ignored with --duration) */
	uint32_t pipeline;		/* -P */
	double duration_s;		/* --duration, 0 = run -n requests */
	double rate;			/* --rate ops/s in all, 0 = closed loop */
	double warmup_s;		/* --warmup: not recorded */
	double timeout_s;		/* --timeout: connect / reply stall */
	/* workload */
	enum fb_test tests[FB_MAX_TESTS];
	unsigned ntests;
	uint32_t ratio_set, ratio_get;	/* --ratio (MIX when given) */
	const char *command;		/* --command TEMPLATE */
	uint32_t data_min, data_max;	/* -d / --data-size MIN-MAX */
	uint64_t keyspace;		/* -r, 0 = one key */
	const char *key_prefix;		/* --key-prefix (default "key:") */
	enum fb_dist dist;
	double zipf_s;
	unsigned mget_keys;		/* keys per MGET */
	bool preload;
	/* output */
	bool quiet;			/* -q */
	const char *json;		/* --json FILE */
	const char *hdr;		/* --hdr FILE */
	/* the port */
	uint32_t addr;			/* our address, host order; required */
	uint8_t prefix_len;
	uint32_t gateway;		/* 0 = none */
	uint16_t port_id;
	uint32_t mbufs;			/* per core */
	double link_wait_s;		/* wait for the port's link */
	enum fb_echo echo;
	bool help;
};

/* Defaults (redis-benchmark's: 50 clients, 100000 requests, 3-byte
 * values, tests set,get). */
void fb_options_defaults(struct fb_options *o);

/* Parse the bench half (argv without the program name).  0 or -EINVAL
 * with the reason in err. */
int fb_options_parse(struct fb_options *o, int argc, char **argv, char *err,
		     size_t errlen);

/* Does a net_memif vdev's argument string ("role=server,socket=...") make
 * it the server?  The PMD's own reading of role= (DPDK 22.11): a value with
 * "server" or the deprecated "master" is the server, "client"/"slave" or no
 * role= the client.  NULL is no arguments. */
bool fb_memif_args_server(const char *args);

/* Print the usage of the bench half (and how to get the EAL's). */
void fb_options_usage(FILE *f, const char *prog);

#endif
