/*
 * config.h -- the store's configuration parameters (CONFIG GET/SET, INFO).
 *
 * One table in config.c declares every parameter: name, type, where it
 * lives, bounds or enum names, default.  The table drives CONFIG GET (glob),
 * CONFIG SET (validation with Redis's error texts), redis.conf-style files
 * and `--name value` command-line options.
 *
 * Concurrency: values are read by any thread with relaxed loads (they are
 * plain machine words); CONFIG SET stores them the same way.  String values
 * (requirepass) are swapped under a mutex and read with st_config_* helpers.
 */
#ifndef ST_CONFIG_H
#define ST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum st_maxmemory_policy {
	ST_MM_NOEVICTION = 0,
	ST_MM_ALLKEYS_LRU,
	ST_MM_VOLATILE_LRU,
	ST_MM_ALLKEYS_RANDOM,
	ST_MM_VOLATILE_RANDOM,
	ST_MM_VOLATILE_TTL,
};

struct st_config {
	long long maxmemory;
	int maxmemory_policy;
	int maxmemory_samples;
	long long proto_max_bulk_len;
	int hz;
	int active_expire_effort;
	int databases;
	long long list_max_listpack_size;	/* -2 as Redis default */
	long long hash_max_listpack_entries;
	long long hash_max_listpack_value;
	long long set_max_intset_entries;
	long long zset_max_listpack_entries;
	long long zset_max_listpack_value;
	int lazyfree_lazy_user_del;
	long long client_query_buffer_limit;
	long long client_output_buffer_limit_normal;	/* hard limit bytes, 0 = none */
	int timeout;
	int replica_read_only;
	int replica_serve_stale_data;
	int min_replicas_to_write;
	int min_replicas_max_lag;
	long long repl_backlog_size;
	int repl_ping_replica_period;
	int repl_timeout;
	/* replication, primary side (control/repl_*.c) */
	int repl_diskless_sync;			/* accepted; ferry is always diskless */
	int repl_diskless_sync_delay;		/* seconds to wait for more replicas */
	long long repl_backlog_ttl;		/* seconds without replicas, 0 = never */
	long long repl_batch_window_us;		/* 0 = publish every core iteration */
	long long repl_batch_bytes;		/* publish at least this often */
	long long repl_lag_probe_ms;		/* primary's probe stamp, 0 = off */
	long long client_output_buffer_limit_replica;	/* hard limit, 0 = none */
	/* client-output-buffer-limit's replica class: soft limit (bytes, 0 =
	 * none) and how long (s) a replica may stay over it */
	long long client_output_buffer_soft_replica;
	long long client_output_buffer_soft_seconds_replica;
	/* replication, replica side (control/repl_replica.c); the string
	 * parameters (masterauth, masteruser, replica-announce-ip, replicaof)
	 * are read with st_config_get */
	int replica_announce_port;		/* 0 = our port */
	int replica_priority;
	long long repl_rdb_max_bytes;		/* a full sync's RDB held in memory */
	long long repl_tcp_buffer;		/* replication links' TCP buffers */
	long long maxclients;
	int port;
};

extern struct st_config st_cfg;

void st_config_defaults(void);

/* requirepass ("" = none).  st_config_check_password compares in constant
 * time; true if it matches or no password is set and pass is NULL. */
bool st_config_has_password(void);
bool st_config_check_password(const char *pass, size_t len);

/* Set a parameter by name from a string (CONFIG SET, config file, --name).
 * 0, or -ENOENT (unknown), -EINVAL (bad value: 'err' gets Redis's text). */
int st_config_set(const char *name, const char *value, char *err, size_t errlen);
/* Get a parameter's current value as text; 0 or -ENOENT. */
int st_config_get(const char *name, char *out, size_t outlen);
/* Iterate parameter names (CONFIG GET pattern). */
size_t st_config_count(void);
const char *st_config_name_at(size_t i);
/* Load a redis.conf-style file; 0 or -errno ('err' says which line). */
int st_config_load_file(const char *path, char *err, size_t errlen);

#endif
