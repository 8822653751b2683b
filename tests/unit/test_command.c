/*
 * test_command.c -- the command table (every family's st_cmds_*) and the
 * dispatcher's table-driven behaviour: lookup, unknown commands and
 * subcommands, arity errors, and COMMAND COUNT / LIST / INFO / DOCS /
 * GETKEYS / HELP.
 *
 * The reference table below is `COMMAND` of stock redis-server 7.0.15
 * (name, arity, flags, first key, last key, step, ACL categories) for every
 * command and subcommand Redis has; every entry ferry declares must match
 * its Redis counterpart.
 */
#include "harness.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

struct ref_cmd {
	const char *name;
	int arity;
	const char *flags;
	int first, last, step;
	const char *acl;
};

/* Generated from redis-server 7.0.15's COMMAND reply. */
static const struct ref_cmd redis_cmds[] = {
	{ "acl", -2, "", 0, 0, 0, "@slow" },
	{ "acl|cat", -2, "noscript loading stale", 0, 0, 0, "@slow" },
	{ "acl|deluser", -3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|dryrun", -4, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|genpass", -2, "noscript loading stale", 0, 0, 0, "@slow" },
	{ "acl|getuser", 3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "acl|list", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|load", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|log", -2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|save", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|setuser", -3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|users", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "acl|whoami", 2, "noscript loading stale", 0, 0, 0, "@slow" },
	{ "append", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast" },
	{ "asking", 1, "fast", 0, 0, 0, "@fast @connection" },
	{ "auth", -2, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
	  "@fast @connection" },
	{ "bgrewriteaof", 1, "admin noscript no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "bgsave", -1, "admin noscript no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "bitcount", -2, "readonly", 1, 1, 1, "@read @bitmap @slow" },
	{ "bitfield", -2, "write denyoom", 1, 1, 1, "@write @bitmap @slow" },
	{ "bitfield_ro", -2, "readonly fast", 1, 1, 1, "@read @bitmap @fast" },
	{ "bitop", -4, "write denyoom", 2, -1, 1, "@write @bitmap @slow" },
	{ "bitpos", -3, "readonly", 1, 1, 1, "@read @bitmap @slow" },
	{ "blmove", 6, "write denyoom noscript blocking", 1, 2, 1,
	  "@write @list @slow @blocking" },
	{ "blmpop", -5, "write blocking movablekeys", 0, 0, 0,
	  "@write @list @slow @blocking" },
	{ "blpop", -3, "write noscript blocking", 1, -2, 1,
	  "@write @list @slow @blocking" },
	{ "brpop", -3, "write noscript blocking", 1, -2, 1,
	  "@write @list @slow @blocking" },
	{ "brpoplpush", 4, "write denyoom noscript blocking", 1, 2, 1,
	  "@write @list @slow @blocking" },
	{ "bzmpop", -5, "write blocking movablekeys", 0, 0, 0,
	  "@write @sortedset @slow @blocking" },
	{ "bzpopmax", -3, "write noscript blocking fast", 1, -2, 1,
	  "@write @sortedset @fast @blocking" },
	{ "bzpopmin", -3, "write noscript blocking fast", 1, -2, 1,
	  "@write @sortedset @fast @blocking" },
	{ "client", -2, "", 0, 0, 0, "@slow" },
	{ "client|caching", 3, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|getname", 2, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|getredir", 2, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|help", 2, "loading stale", 0, 0, 0, "@slow @connection" },
	{ "client|id", 2, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|info", 2, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|kill", -3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous @connection" },
	{ "client|list", -2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous @connection" },
	{ "client|no-evict", 3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous @connection" },
	{ "client|pause", -3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous @connection" },
	{ "client|reply", 3, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|setname", 3, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|tracking", -3, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|trackinginfo", 2, "noscript loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "client|unblock", -3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous @connection" },
	{ "client|unpause", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous @connection" },
	{ "cluster", -2, "", 0, 0, 0, "@slow" },
	{ "cluster|addslots", -3, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|addslotsrange", -4, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|bumpepoch", 2, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|count-failure-reports", 3, "admin stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|countkeysinslot", 3, "stale", 0, 0, 0, "@slow" },
	{ "cluster|delslots", -3, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|delslotsrange", -4, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|failover", -2, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|flushslots", 2, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|forget", 3, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|getkeysinslot", 4, "stale", 0, 0, 0, "@slow" },
	{ "cluster|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "cluster|info", 2, "stale", 0, 0, 0, "@slow" },
	{ "cluster|keyslot", 3, "stale", 0, 0, 0, "@slow" },
	{ "cluster|links", 2, "stale", 0, 0, 0, "@slow" },
	{ "cluster|meet", -4, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|myid", 2, "stale", 0, 0, 0, "@slow" },
	{ "cluster|nodes", 2, "stale", 0, 0, 0, "@slow" },
	{ "cluster|replicas", 3, "admin stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|replicate", 3, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|reset", -2, "admin noscript stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|saveconfig", 2, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|set-config-epoch", 3, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|setslot", -4, "admin stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|shards", 2, "stale", 0, 0, 0, "@slow" },
	{ "cluster|slaves", 3, "admin stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "cluster|slots", 2, "stale", 0, 0, 0, "@slow" },
	{ "command", -1, "loading stale", 0, 0, 0, "@slow @connection" },
	{ "command|count", 2, "loading stale", 0, 0, 0, "@slow @connection" },
	{ "command|docs", -2, "loading stale", 0, 0, 0, "@slow @connection" },
	{ "command|getkeys", -4, "loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "command|getkeysandflags", -4, "loading stale", 0, 0, 0,
	  "@slow @connection" },
	{ "command|help", 2, "loading stale", 0, 0, 0, "@slow @connection" },
	{ "command|info", -2, "loading stale", 0, 0, 0, "@slow @connection" },
	{ "command|list", -2, "loading stale", 0, 0, 0, "@slow @connection" },
	{ "config", -2, "", 0, 0, 0, "@slow" },
	{ "config|get", -3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "config|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "config|resetstat", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "config|rewrite", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "config|set", -4, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "copy", -3, "write denyoom", 1, 2, 1, "@keyspace @write @slow" },
	{ "dbsize", 1, "readonly fast", 0, 0, 0, "@keyspace @read @fast" },
	{ "debug", -2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "decr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast" },
	{ "decrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast" },
	{ "del", -2, "write", 1, -1, 1, "@keyspace @write @slow" },
	{ "discard", 1, "noscript loading stale fast allow_busy", 0, 0, 0,
	  "@fast @transaction" },
	{ "dump", 2, "readonly", 1, 1, 1, "@keyspace @read @slow" },
	{ "echo", 2, "loading stale fast", 0, 0, 0, "@fast @connection" },
	{ "eval", -3, "noscript stale skip_monitor no_mandatory_keys movablekeys", 0, 0, 0,
	  "@slow @scripting" },
	{ "eval_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys movablekeys", 0, 0, 0,
	  "@slow @scripting" },
	{ "evalsha", -3, "noscript stale skip_monitor no_mandatory_keys movablekeys", 0, 0, 0,
	  "@slow @scripting" },
	{ "evalsha_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys movablekeys", 0, 0, 0,
	  "@slow @scripting" },
	{ "exec", 1, "noscript loading stale skip_slowlog", 0, 0, 0,
	  "@slow @transaction" },
	{ "exists", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast" },
	{ "expire", -3, "write fast", 1, 1, 1, "@keyspace @write @fast" },
	{ "expireat", -3, "write fast", 1, 1, 1, "@keyspace @write @fast" },
	{ "expiretime", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast" },
	{ "failover", -1, "admin noscript stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "fcall", -3, "noscript stale skip_monitor no_mandatory_keys movablekeys", 0, 0, 0,
	  "@slow @scripting" },
	{ "fcall_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys movablekeys", 0, 0, 0,
	  "@slow @scripting" },
	{ "flushall", -1, "write", 0, 0, 0,
	  "@keyspace @write @slow @dangerous" },
	{ "flushdb", -1, "write", 0, 0, 0,
	  "@keyspace @write @slow @dangerous" },
	{ "function", -2, "", 0, 0, 0, "@slow" },
	{ "function|delete", 3, "write noscript", 0, 0, 0,
	  "@write @slow @scripting" },
	{ "function|dump", 2, "noscript", 0, 0, 0, "@slow @scripting" },
	{ "function|flush", -2, "write noscript", 0, 0, 0,
	  "@write @slow @scripting" },
	{ "function|help", 2, "loading stale", 0, 0, 0, "@slow @scripting" },
	{ "function|kill", 2, "noscript allow_busy", 0, 0, 0,
	  "@slow @scripting" },
	{ "function|list", -2, "noscript", 0, 0, 0, "@slow @scripting" },
	{ "function|load", -3, "write denyoom noscript", 0, 0, 0,
	  "@write @slow @scripting" },
	{ "function|restore", -3, "write denyoom noscript", 0, 0, 0,
	  "@write @slow @scripting" },
	{ "function|stats", 2, "noscript allow_busy", 0, 0, 0,
	  "@slow @scripting" },
	{ "geoadd", -5, "write denyoom", 1, 1, 1, "@write @geo @slow" },
	{ "geodist", -4, "readonly", 1, 1, 1, "@read @geo @slow" },
	{ "geohash", -2, "readonly", 1, 1, 1, "@read @geo @slow" },
	{ "geopos", -2, "readonly", 1, 1, 1, "@read @geo @slow" },
	{ "georadius", -6, "write denyoom movablekeys", 1, 1, 1,
	  "@write @geo @slow" },
	{ "georadius_ro", -6, "readonly", 1, 1, 1, "@read @geo @slow" },
	{ "georadiusbymember", -5, "write denyoom movablekeys", 1, 1, 1,
	  "@write @geo @slow" },
	{ "georadiusbymember_ro", -5, "readonly", 1, 1, 1, "@read @geo @slow" },
	{ "geosearch", -7, "readonly", 1, 1, 1, "@read @geo @slow" },
	{ "geosearchstore", -8, "write denyoom", 1, 2, 1, "@write @geo @slow" },
	{ "get", 2, "readonly fast", 1, 1, 1, "@read @string @fast" },
	{ "getbit", 3, "readonly fast", 1, 1, 1, "@read @bitmap @fast" },
	{ "getdel", 2, "write fast", 1, 1, 1, "@write @string @fast" },
	{ "getex", -2, "write fast", 1, 1, 1, "@write @string @fast" },
	{ "getrange", 4, "readonly", 1, 1, 1, "@read @string @slow" },
	{ "getset", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast" },
	{ "hdel", -3, "write fast", 1, 1, 1, "@write @hash @fast" },
	{ "hello", -1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
	  "@fast @connection" },
	{ "hexists", 3, "readonly fast", 1, 1, 1, "@read @hash @fast" },
	{ "hget", 3, "readonly fast", 1, 1, 1, "@read @hash @fast" },
	{ "hgetall", 2, "readonly", 1, 1, 1, "@read @hash @slow" },
	{ "hincrby", 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast" },
	{ "hincrbyfloat", 4, "write denyoom fast", 1, 1, 1,
	  "@write @hash @fast" },
	{ "hkeys", 2, "readonly", 1, 1, 1, "@read @hash @slow" },
	{ "hlen", 2, "readonly fast", 1, 1, 1, "@read @hash @fast" },
	{ "hmget", -3, "readonly fast", 1, 1, 1, "@read @hash @fast" },
	{ "hmset", -4, "write denyoom fast", 1, 1, 1, "@write @hash @fast" },
	{ "hrandfield", -2, "readonly", 1, 1, 1, "@read @hash @slow" },
	{ "hscan", -3, "readonly", 1, 1, 1, "@read @hash @slow" },
	{ "hset", -4, "write denyoom fast", 1, 1, 1, "@write @hash @fast" },
	{ "hsetnx", 4, "write denyoom fast", 1, 1, 1, "@write @hash @fast" },
	{ "hstrlen", 3, "readonly fast", 1, 1, 1, "@read @hash @fast" },
	{ "hvals", 2, "readonly", 1, 1, 1, "@read @hash @slow" },
	{ "incr", 2, "write denyoom fast", 1, 1, 1, "@write @string @fast" },
	{ "incrby", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast" },
	{ "incrbyfloat", 3, "write denyoom fast", 1, 1, 1,
	  "@write @string @fast" },
	{ "info", -1, "loading stale", 0, 0, 0, "@slow @dangerous" },
	{ "keys", 2, "readonly", 0, 0, 0, "@keyspace @read @slow @dangerous" },
	{ "lastsave", 1, "loading stale fast", 0, 0, 0,
	  "@admin @fast @dangerous" },
	{ "latency", -2, "", 0, 0, 0, "@slow" },
	{ "latency|doctor", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "latency|graph", 3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "latency|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "latency|histogram", -2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "latency|history", 3, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "latency|latest", 2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "latency|reset", -2, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "lcs", -3, "readonly", 1, 2, 1, "@read @string @slow" },
	{ "lindex", 3, "readonly", 1, 1, 1, "@read @list @slow" },
	{ "linsert", 5, "write denyoom", 1, 1, 1, "@write @list @slow" },
	{ "llen", 2, "readonly fast", 1, 1, 1, "@read @list @fast" },
	{ "lmove", 5, "write denyoom", 1, 2, 1, "@write @list @slow" },
	{ "lmpop", -4, "write movablekeys", 0, 0, 0, "@write @list @slow" },
	{ "lolwut", -1, "readonly fast", 0, 0, 0, "@read @fast" },
	{ "lpop", -2, "write fast", 1, 1, 1, "@write @list @fast" },
	{ "lpos", -3, "readonly", 1, 1, 1, "@read @list @slow" },
	{ "lpush", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast" },
	{ "lpushx", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast" },
	{ "lrange", 4, "readonly", 1, 1, 1, "@read @list @slow" },
	{ "lrem", 4, "write", 1, 1, 1, "@write @list @slow" },
	{ "lset", 4, "write denyoom", 1, 1, 1, "@write @list @slow" },
	{ "ltrim", 4, "write", 1, 1, 1, "@write @list @slow" },
	{ "memory", -2, "", 0, 0, 0, "@slow" },
	{ "memory|doctor", 2, "", 0, 0, 0, "@slow" },
	{ "memory|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "memory|malloc-stats", 2, "", 0, 0, 0, "@slow" },
	{ "memory|purge", 2, "", 0, 0, 0, "@slow" },
	{ "memory|stats", 2, "", 0, 0, 0, "@slow" },
	{ "memory|usage", -3, "readonly", 2, 2, 1, "@read @slow" },
	{ "mget", -2, "readonly fast", 1, -1, 1, "@read @string @fast" },
	{ "migrate", -6, "write movablekeys", 3, 3, 1,
	  "@keyspace @write @slow @dangerous" },
	{ "module", -2, "", 0, 0, 0, "@slow" },
	{ "module|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "module|list", 2, "admin noscript", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "module|load", -3, "admin noscript no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "module|loadex", -3, "admin noscript no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "module|unload", 3, "admin noscript no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "monitor", 1, "admin noscript loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "move", 3, "write fast", 1, 1, 1, "@keyspace @write @fast" },
	{ "mset", -3, "write denyoom", 1, -1, 2, "@write @string @slow" },
	{ "msetnx", -3, "write denyoom", 1, -1, 2, "@write @string @slow" },
	{ "multi", 1, "noscript loading stale fast allow_busy", 0, 0, 0,
	  "@fast @transaction" },
	{ "object", -2, "", 0, 0, 0, "@slow" },
	{ "object|encoding", 3, "readonly", 2, 2, 1, "@keyspace @read @slow" },
	{ "object|freq", 3, "readonly", 2, 2, 1, "@keyspace @read @slow" },
	{ "object|help", 2, "loading stale", 0, 0, 0, "@keyspace @slow" },
	{ "object|idletime", 3, "readonly", 2, 2, 1, "@keyspace @read @slow" },
	{ "object|refcount", 3, "readonly", 2, 2, 1, "@keyspace @read @slow" },
	{ "persist", 2, "write fast", 1, 1, 1, "@keyspace @write @fast" },
	{ "pexpire", -3, "write fast", 1, 1, 1, "@keyspace @write @fast" },
	{ "pexpireat", -3, "write fast", 1, 1, 1, "@keyspace @write @fast" },
	{ "pexpiretime", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast" },
	{ "pfadd", -2, "write denyoom fast", 1, 1, 1,
	  "@write @hyperloglog @fast" },
	{ "pfcount", -2, "readonly", 1, -1, 1, "@read @hyperloglog @slow" },
	{ "pfdebug", 3, "write denyoom admin", 2, 2, 1,
	  "@write @hyperloglog @admin @slow @dangerous" },
	{ "pfmerge", -2, "write denyoom", 1, -1, 1,
	  "@write @hyperloglog @slow" },
	{ "pfselftest", 1, "admin", 0, 0, 0,
	  "@hyperloglog @admin @slow @dangerous" },
	{ "ping", -1, "fast", 0, 0, 0, "@fast @connection" },
	{ "psetex", 4, "write denyoom", 1, 1, 1, "@write @string @slow" },
	{ "psubscribe", -2, "pubsub noscript loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "psync", -3, "admin noscript no_async_loading no_multi", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "pttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast" },
	{ "publish", 3, "pubsub loading stale fast", 0, 0, 0, "@pubsub @fast" },
	{ "pubsub", -2, "", 0, 0, 0, "@slow" },
	{ "pubsub|channels", -2, "pubsub loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "pubsub|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "pubsub|numpat", 2, "pubsub loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "pubsub|numsub", -2, "pubsub loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "pubsub|shardchannels", -2, "pubsub loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "pubsub|shardnumsub", -2, "pubsub loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "punsubscribe", -1, "pubsub noscript loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "quit", -1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
	  "@fast @connection" },
	{ "randomkey", 1, "readonly", 0, 0, 0, "@keyspace @read @slow" },
	{ "readonly", 1, "loading stale fast", 0, 0, 0, "@fast @connection" },
	{ "readwrite", 1, "loading stale fast", 0, 0, 0, "@fast @connection" },
	{ "rename", 3, "write", 1, 2, 1, "@keyspace @write @slow" },
	{ "renamenx", 3, "write fast", 1, 2, 1, "@keyspace @write @fast" },
	{ "replconf", -1, "admin noscript loading stale allow_busy", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "replicaof", 3, "admin noscript stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "reset", 1, "noscript loading stale fast no_auth allow_busy", 0, 0, 0,
	  "@fast @connection" },
	{ "restore", -4, "write denyoom", 1, 1, 1,
	  "@keyspace @write @slow @dangerous" },
	{ "restore-asking", -4, "write denyoom asking", 1, 1, 1,
	  "@keyspace @write @slow @dangerous" },
	{ "role", 1, "noscript loading stale fast", 0, 0, 0,
	  "@admin @fast @dangerous" },
	{ "rpop", -2, "write fast", 1, 1, 1, "@write @list @fast" },
	{ "rpoplpush", 3, "write denyoom", 1, 2, 1, "@write @list @slow" },
	{ "rpush", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast" },
	{ "rpushx", -3, "write denyoom fast", 1, 1, 1, "@write @list @fast" },
	{ "sadd", -3, "write denyoom fast", 1, 1, 1, "@write @set @fast" },
	{ "save", 1, "admin noscript no_async_loading no_multi", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "scan", -2, "readonly", 0, 0, 0, "@keyspace @read @slow" },
	{ "scard", 2, "readonly fast", 1, 1, 1, "@read @set @fast" },
	{ "script", -2, "", 0, 0, 0, "@slow" },
	{ "script|debug", 3, "noscript", 0, 0, 0, "@slow @scripting" },
	{ "script|exists", -3, "noscript", 0, 0, 0, "@slow @scripting" },
	{ "script|flush", -2, "noscript", 0, 0, 0, "@slow @scripting" },
	{ "script|help", 2, "loading stale", 0, 0, 0, "@slow @scripting" },
	{ "script|kill", 2, "noscript allow_busy", 0, 0, 0,
	  "@slow @scripting" },
	{ "script|load", 3, "noscript stale", 0, 0, 0, "@slow @scripting" },
	{ "sdiff", -2, "readonly", 1, -1, 1, "@read @set @slow" },
	{ "sdiffstore", -3, "write denyoom", 1, -1, 1, "@write @set @slow" },
	{ "select", 2, "loading stale fast", 0, 0, 0, "@fast @connection" },
	{ "set", -3, "write denyoom", 1, 1, 1, "@write @string @slow" },
	{ "setbit", 4, "write denyoom", 1, 1, 1, "@write @bitmap @slow" },
	{ "setex", 4, "write denyoom", 1, 1, 1, "@write @string @slow" },
	{ "setnx", 3, "write denyoom fast", 1, 1, 1, "@write @string @fast" },
	{ "setrange", 4, "write denyoom", 1, 1, 1, "@write @string @slow" },
	{ "shutdown", -1, "admin noscript loading stale no_multi allow_busy", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "sinter", -2, "readonly", 1, -1, 1, "@read @set @slow" },
	{ "sintercard", -3, "readonly movablekeys", 0, 0, 0,
	  "@read @set @slow" },
	{ "sinterstore", -3, "write denyoom", 1, -1, 1, "@write @set @slow" },
	{ "sismember", 3, "readonly fast", 1, 1, 1, "@read @set @fast" },
	{ "slaveof", 3, "admin noscript stale no_async_loading", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "slowlog", -2, "", 0, 0, 0, "@slow" },
	{ "slowlog|get", -2, "admin loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "slowlog|help", 2, "loading stale", 0, 0, 0, "@slow" },
	{ "slowlog|len", 2, "admin loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "slowlog|reset", 2, "admin loading stale", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "smembers", 2, "readonly", 1, 1, 1, "@read @set @slow" },
	{ "smismember", -3, "readonly fast", 1, 1, 1, "@read @set @fast" },
	{ "smove", 4, "write fast", 1, 2, 1, "@write @set @fast" },
	{ "sort", -2, "write denyoom movablekeys", 1, 1, 1,
	  "@write @set @sortedset @list @slow @dangerous" },
	{ "sort_ro", -2, "readonly movablekeys", 1, 1, 1,
	  "@read @set @sortedset @list @slow @dangerous" },
	{ "spop", -2, "write fast", 1, 1, 1, "@write @set @fast" },
	{ "spublish", 3, "pubsub loading stale fast", 1, 1, 1,
	  "@pubsub @fast" },
	{ "srandmember", -2, "readonly", 1, 1, 1, "@read @set @slow" },
	{ "srem", -3, "write fast", 1, 1, 1, "@write @set @fast" },
	{ "sscan", -3, "readonly", 1, 1, 1, "@read @set @slow" },
	{ "ssubscribe", -2, "pubsub noscript loading stale", 1, -1, 1,
	  "@pubsub @slow" },
	{ "strlen", 2, "readonly fast", 1, 1, 1, "@read @string @fast" },
	{ "subscribe", -2, "pubsub noscript loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "substr", 4, "readonly", 1, 1, 1, "@read @string @slow" },
	{ "sunion", -2, "readonly", 1, -1, 1, "@read @set @slow" },
	{ "sunionstore", -3, "write denyoom", 1, -1, 1, "@write @set @slow" },
	{ "sunsubscribe", -1, "pubsub noscript loading stale", 1, -1, 1,
	  "@pubsub @slow" },
	{ "swapdb", 3, "write fast", 0, 0, 0,
	  "@keyspace @write @fast @dangerous" },
	{ "sync", 1, "admin noscript no_async_loading no_multi", 0, 0, 0,
	  "@admin @slow @dangerous" },
	{ "time", 1, "loading stale fast", 0, 0, 0, "@fast" },
	{ "touch", -2, "readonly fast", 1, -1, 1, "@keyspace @read @fast" },
	{ "ttl", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast" },
	{ "type", 2, "readonly fast", 1, 1, 1, "@keyspace @read @fast" },
	{ "unlink", -2, "write fast", 1, -1, 1, "@keyspace @write @fast" },
	{ "unsubscribe", -1, "pubsub noscript loading stale", 0, 0, 0,
	  "@pubsub @slow" },
	{ "unwatch", 1, "noscript loading stale fast allow_busy", 0, 0, 0,
	  "@fast @transaction" },
	{ "wait", 3, "noscript", 0, 0, 0, "@slow @connection" },
	{ "watch", -2, "noscript loading stale fast allow_busy", 1, -1, 1,
	  "@fast @transaction" },
	{ "xack", -4, "write fast", 1, 1, 1, "@write @stream @fast" },
	{ "xadd", -5, "write denyoom fast", 1, 1, 1, "@write @stream @fast" },
	{ "xautoclaim", -6, "write fast", 1, 1, 1, "@write @stream @fast" },
	{ "xclaim", -6, "write fast", 1, 1, 1, "@write @stream @fast" },
	{ "xdel", -3, "write fast", 1, 1, 1, "@write @stream @fast" },
	{ "xgroup", -2, "", 0, 0, 0, "@slow" },
	{ "xgroup|create", -5, "write denyoom", 2, 2, 1,
	  "@write @stream @slow" },
	{ "xgroup|createconsumer", 5, "write denyoom", 2, 2, 1,
	  "@write @stream @slow" },
	{ "xgroup|delconsumer", 5, "write", 2, 2, 1, "@write @stream @slow" },
	{ "xgroup|destroy", 4, "write", 2, 2, 1, "@write @stream @slow" },
	{ "xgroup|help", 2, "loading stale", 0, 0, 0, "@stream @slow" },
	{ "xgroup|setid", -5, "write", 2, 2, 1, "@write @stream @slow" },
	{ "xinfo", -2, "", 0, 0, 0, "@slow" },
	{ "xinfo|consumers", 4, "readonly", 2, 2, 1, "@read @stream @slow" },
	{ "xinfo|groups", 3, "readonly", 2, 2, 1, "@read @stream @slow" },
	{ "xinfo|help", 2, "loading stale", 0, 0, 0, "@stream @slow" },
	{ "xinfo|stream", -3, "readonly", 2, 2, 1, "@read @stream @slow" },
	{ "xlen", 2, "readonly fast", 1, 1, 1, "@read @stream @fast" },
	{ "xpending", -3, "readonly", 1, 1, 1, "@read @stream @slow" },
	{ "xrange", -4, "readonly", 1, 1, 1, "@read @stream @slow" },
	{ "xread", -4, "readonly blocking movablekeys", 0, 0, 0,
	  "@read @stream @slow @blocking" },
	{ "xreadgroup", -7, "write blocking movablekeys", 0, 0, 0,
	  "@write @stream @slow @blocking" },
	{ "xrevrange", -4, "readonly", 1, 1, 1, "@read @stream @slow" },
	{ "xsetid", -3, "write denyoom fast", 1, 1, 1, "@write @stream @fast" },
	{ "xtrim", -4, "write", 1, 1, 1, "@write @stream @slow" },
	{ "zadd", -4, "write denyoom fast", 1, 1, 1,
	  "@write @sortedset @fast" },
	{ "zcard", 2, "readonly fast", 1, 1, 1, "@read @sortedset @fast" },
	{ "zcount", 4, "readonly fast", 1, 1, 1, "@read @sortedset @fast" },
	{ "zdiff", -3, "readonly movablekeys", 0, 0, 0,
	  "@read @sortedset @slow" },
	{ "zdiffstore", -4, "write denyoom movablekeys", 1, 1, 1,
	  "@write @sortedset @slow" },
	{ "zincrby", 4, "write denyoom fast", 1, 1, 1,
	  "@write @sortedset @fast" },
	{ "zinter", -3, "readonly movablekeys", 0, 0, 0,
	  "@read @sortedset @slow" },
	{ "zintercard", -3, "readonly movablekeys", 0, 0, 0,
	  "@read @sortedset @slow" },
	{ "zinterstore", -4, "write denyoom movablekeys", 1, 1, 1,
	  "@write @sortedset @slow" },
	{ "zlexcount", 4, "readonly fast", 1, 1, 1, "@read @sortedset @fast" },
	{ "zmpop", -4, "write movablekeys", 0, 0, 0,
	  "@write @sortedset @slow" },
	{ "zmscore", -3, "readonly fast", 1, 1, 1, "@read @sortedset @fast" },
	{ "zpopmax", -2, "write fast", 1, 1, 1, "@write @sortedset @fast" },
	{ "zpopmin", -2, "write fast", 1, 1, 1, "@write @sortedset @fast" },
	{ "zrandmember", -2, "readonly", 1, 1, 1, "@read @sortedset @slow" },
	{ "zrange", -4, "readonly", 1, 1, 1, "@read @sortedset @slow" },
	{ "zrangebylex", -4, "readonly", 1, 1, 1, "@read @sortedset @slow" },
	{ "zrangebyscore", -4, "readonly", 1, 1, 1, "@read @sortedset @slow" },
	{ "zrangestore", -5, "write denyoom", 1, 2, 1,
	  "@write @sortedset @slow" },
	{ "zrank", 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast" },
	{ "zrem", -3, "write fast", 1, 1, 1, "@write @sortedset @fast" },
	{ "zremrangebylex", 4, "write", 1, 1, 1, "@write @sortedset @slow" },
	{ "zremrangebyrank", 4, "write", 1, 1, 1, "@write @sortedset @slow" },
	{ "zremrangebyscore", 4, "write", 1, 1, 1, "@write @sortedset @slow" },
	{ "zrevrange", -4, "readonly", 1, 1, 1, "@read @sortedset @slow" },
	{ "zrevrangebylex", -4, "readonly", 1, 1, 1, "@read @sortedset @slow" },
	{ "zrevrangebyscore", -4, "readonly", 1, 1, 1,
	  "@read @sortedset @slow" },
	{ "zrevrank", 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast" },
	{ "zscan", -3, "readonly", 1, 1, 1, "@read @sortedset @slow" },
	{ "zscore", 3, "readonly fast", 1, 1, 1, "@read @sortedset @fast" },
	{ "zunion", -3, "readonly movablekeys", 0, 0, 0,
	  "@read @sortedset @slow" },
	{ "zunionstore", -4, "write denyoom movablekeys", 1, 1, 1,
	  "@write @sortedset @slow" },
};

#define NREF (sizeof(redis_cmds) / sizeof(redis_cmds[0]))

static const struct ref_cmd *
ref_lookup(const char *name)
{
	for (size_t i = 0; i < NREF; i++)
		if (strcmp(redis_cmds[i].name, name) == 0)
			return &redis_cmds[i];
	return NULL;
}

/* Every family table, as command.c gathers them. */
static const struct st_cmd *const family_tables[] = {
	st_cmds_string, st_cmds_keys, st_cmds_list, st_cmds_hash,
	st_cmds_set, st_cmds_zset, st_cmds_server, st_cmds_multi,
};
#define NFAMILIES (sizeof(family_tables) / sizeof(family_tables[0]))

/* Call fn for every entry: top-level commands and their subcommands. */
static void
for_each_cmd(void (*fn)(const struct st_cmd *cmd, const struct st_cmd *parent,
			void *arg), void *arg)
{
	for (size_t i = 0; i < st_cmd_count(); i++) {
		const struct st_cmd *cmd = st_cmd_at(i);

		fn(cmd, NULL, arg);
		for (const struct st_cmd *s = cmd->subcmds; s && s->name; s++)
			fn(s, cmd, arg);
	}
}

static int
setup(void **state)
{
	(void)state;
	th_init();
	th_flushall();
	return 0;
}

/* ---- the table itself ------------------------------------------------------- */

static void
check_entry(const struct st_cmd *cmd, const struct st_cmd *parent, void *arg)
{
	int *count = arg;
	int minargs = cmd->arity > 0 ? cmd->arity : -cmd->arity;

	(*count)++;
	assert_non_null(cmd->name);
	for (const char *p = cmd->name; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) ||
		      *p == '|' || *p == '-' || *p == '_'))
			fail_msg("command name '%s' is not lower case", cmd->name);
	if (cmd->arity == 0)
		fail_msg("'%s' has arity 0", cmd->name);
	if (cmd->proc == NULL)
		fail_msg("'%s' has no handler", cmd->name);
	if (cmd->group == NULL || !cmd->group[0])
		fail_msg("'%s' has no group", cmd->name);
	if (cmd->summary == NULL || !cmd->summary[0])
		fail_msg("'%s' has no summary", cmd->name);
	if (cmd->since == NULL || !cmd->since[0])
		fail_msg("'%s' has no since", cmd->name);
	if (cmd->acl == NULL || !cmd->acl[0])
		fail_msg("'%s' has no ACL categories", cmd->name);
	if ((cmd->flags & ST_CMD_WRITE) && (cmd->flags & ST_CMD_LOCKFREE))
		fail_msg("'%s' is WRITE and LOCKFREE", cmd->name);
	if ((cmd->flags & ST_CMD_WRITE) && (cmd->flags & ST_CMD_READONLY))
		fail_msg("'%s' is WRITE and READONLY", cmd->name);
	if ((cmd->flags & ST_CMD_LOCKFREE) && !(cmd->flags & ST_CMD_READONLY))
		fail_msg("'%s' is LOCKFREE but not READONLY", cmd->name);
	if ((cmd->flags & ST_CMD_DENYOOM) && !(cmd->flags & ST_CMD_WRITE))
		fail_msg("'%s' is DENYOOM but not WRITE", cmd->name);

	/* key positions within the arity */
	if (cmd->getkeys == NULL) {
		if (cmd->first_key < 0)
			fail_msg("'%s': negative first key", cmd->name);
		if (cmd->first_key == 0) {
			if (cmd->last_key != 0 || cmd->step != 0)
				fail_msg("'%s': keyless but last/step set", cmd->name);
		} else {
			if (cmd->step < 1)
				fail_msg("'%s': step < 1", cmd->name);
			if (cmd->first_key >= minargs)
				fail_msg("'%s': first key %d beyond arity %d",
					 cmd->name, cmd->first_key, cmd->arity);
			if (cmd->last_key > 0 && (cmd->last_key < cmd->first_key ||
						  cmd->last_key >= minargs))
				fail_msg("'%s': last key %d out of range", cmd->name,
					 cmd->last_key);
			if (cmd->last_key < -2)
				fail_msg("'%s': last key %d", cmd->name, cmd->last_key);
			if (cmd->arity > 0 && cmd->last_key < 0 &&
			    cmd->arity + cmd->last_key < cmd->first_key)
				fail_msg("'%s': last key before first", cmd->name);
		}
	}

	/* container commands and subcommands */
	if (parent != NULL) {
		size_t pl = strlen(parent->name);

		if (strncmp(cmd->name, parent->name, pl) != 0 || cmd->name[pl] != '|' ||
		    cmd->name[pl + 1] == '\0')
			fail_msg("subcommand '%s' not named '%s|...'", cmd->name,
				 parent->name);
		if (cmd->subcmds != NULL)
			fail_msg("'%s': nested subcommands", cmd->name);
		if (cmd->arity > 0 ? cmd->arity < 2 : cmd->arity > -2)
			fail_msg("'%s': a subcommand's arity counts both words", cmd->name);
	} else {
		if (strchr(cmd->name, '|') != NULL)
			fail_msg("top-level '%s' has a '|'", cmd->name);
		if (cmd->subcmds != NULL && cmd->subcmds[0].name == NULL)
			fail_msg("container '%s' has no subcommands", cmd->name);
	}
}

static void
test_table_entries(void **state)
{
	int n = 0;

	(void)state;
	for_each_cmd(check_entry, &n);
	assert_true(n > (int)st_cmd_count());
	/* the commands the server family must provide */
	static const char *const must[] = {
		"ping", "echo", "hello", "auth", "quit", "reset", "info", "config",
		"client", "command", "time", "lastsave", NULL
	};
	for (int i = 0; must[i]; i++)
		if (st_cmd_lookup(must[i], strlen(must[i])) == NULL)
			fail_msg("no '%s'", must[i]);
}

struct names {
	const char *v[1024];
	int n;
};

static void
collect_name(const struct st_cmd *cmd, const struct st_cmd *parent, void *arg)
{
	struct names *nm = arg;

	(void)parent;
	assert_true(nm->n < 1024);
	nm->v[nm->n++] = cmd->name;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
test_no_duplicates(void **state)
{
	struct names nm = { .n = 0 };
	size_t total = 0;

	(void)state;
	for_each_cmd(collect_name, &nm);
	qsort(nm.v, (size_t)nm.n, sizeof(nm.v[0]), cmp_str);
	for (int i = 1; i < nm.n; i++)
		if (strcmp(nm.v[i - 1], nm.v[i]) == 0)
			fail_msg("'%s' declared twice", nm.v[i]);
	/* st_cmd_at is sorted and covers every family table exactly */
	for (size_t i = 1; i < st_cmd_count(); i++)
		assert_true(strcmp(st_cmd_at(i - 1)->name, st_cmd_at(i)->name) < 0);
	for (size_t f = 0; f < NFAMILIES; f++)
		for (const struct st_cmd *c = family_tables[f]; c->name; c++) {
			total++;
			assert_ptr_equal(st_cmd_lookup(c->name, strlen(c->name)), c);
		}
	assert_int_equal(total, st_cmd_count());
	assert_null(st_cmd_at(st_cmd_count()));
}

static void
check_lookup(const struct st_cmd *cmd, const struct st_cmd *parent, void *arg)
{
	char up[64];
	size_t len = strlen(cmd->name);

	(void)arg;
	assert_true(len < sizeof(up));
	for (size_t i = 0; i <= len; i++)
		up[i] = (char)toupper((unsigned char)cmd->name[i]);
	if (parent == NULL) {
		assert_ptr_equal(st_cmd_lookup(cmd->name, len), cmd);
		assert_ptr_equal(st_cmd_lookup(up, len), cmd);
		/* a prefix or a longer name is another command */
		if (len > 1) {
			const struct st_cmd *p = st_cmd_lookup(cmd->name, len - 1);

			assert_true(p != cmd);
		}
	} else {
		size_t pl = strlen(parent->name) + 1;

		assert_ptr_equal(st_cmd_lookup_sub(parent, cmd->name + pl, len - pl), cmd);
		assert_ptr_equal(st_cmd_lookup_sub(parent, up + pl, len - pl), cmd);
		/* "config|get" is not a top-level name */
		assert_null(st_cmd_lookup(cmd->name, len));
	}
}

static void
test_lookup(void **state)
{
	const struct st_cmd *get = st_cmd_lookup("get", 3);
	const struct st_cmd *config = st_cmd_lookup("config", 6);

	(void)state;
	for_each_cmd(check_lookup, NULL);
	assert_non_null(get);
	assert_string_equal(get->name, "get");
	assert_ptr_equal(st_cmd_lookup("GeT", 3), get);
	assert_ptr_equal(st_cmd_lookup("GETX", 3), get);	/* length counts */
	assert_null(st_cmd_lookup("getx", 4));
	assert_null(st_cmd_lookup("get ", 4));
	assert_null(st_cmd_lookup("", 0));
	assert_null(st_cmd_lookup("nosuchcommand", 13));
	{
		char longname[300];

		memset(longname, 'a', sizeof(longname));
		assert_null(st_cmd_lookup(longname, sizeof(longname)));
	}
	assert_non_null(config);
	assert_non_null(config->subcmds);
	assert_string_equal(st_cmd_lookup_sub(config, "GET", 3)->name, "config|get");
	assert_string_equal(st_cmd_lookup_sub(config, "Set", 3)->name, "config|set");
	assert_null(st_cmd_lookup_sub(config, "ge", 2));
	assert_null(st_cmd_lookup_sub(config, "gett", 4));
	assert_null(st_cmd_lookup_sub(get, "x", 1));
}

/* ---- against Redis 7.0 --------------------------------------------------------- */

/* ferry's flag bits as Redis names them, in the order COMMAND lists them. */
static void
flag_words(const struct st_cmd *cmd, char *out, size_t outlen)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} order[] = {
		{ ST_CMD_WRITE, "write" }, { ST_CMD_READONLY, "readonly" },
		{ ST_CMD_DENYOOM, "denyoom" }, { ST_CMD_ADMIN, "admin" },
		{ ST_CMD_PUBSUB, "pubsub" }, { ST_CMD_NOSCRIPT, "noscript" },
		{ ST_CMD_LOADING, "loading" }, { ST_CMD_STALE, "stale" },
		{ ST_CMD_SKIP_MONITOR, "skip_monitor" },
		{ ST_CMD_SKIP_SLOWLOG, "skip_slowlog" }, { ST_CMD_FAST, "fast" },
		{ ST_CMD_NO_AUTH, "no_auth" }, { ST_CMD_NO_MULTI, "no_multi" },
		{ 0, "movablekeys" }, { ST_CMD_ALLOW_BUSY, "allow_busy" },
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		bool on = order[i].bit ? (cmd->flags & order[i].bit) != 0
				       : cmd->getkeys != NULL;

		if (on)
			len += (size_t)snprintf(out + len, outlen - len, "%s%s",
						len ? " " : "", order[i].name);
	}
}

static void
check_against_redis(const struct st_cmd *cmd, const struct st_cmd *parent,
		    void *arg)
{
	const struct ref_cmd *r = ref_lookup(cmd->name);
	char flags[256];

	(void)parent;
	(void)arg;
	if (r == NULL)
		fail_msg("'%s' is not a Redis 7.0 command", cmd->name);
	if (cmd->arity != r->arity)
		fail_msg("'%s': arity %d, Redis %d", cmd->name, cmd->arity, r->arity);
	flag_words(cmd, flags, sizeof(flags));
	if (strcmp(flags, r->flags) != 0)
		fail_msg("'%s': flags '%s', Redis '%s'", cmd->name, flags, r->flags);
	if (cmd->getkeys == NULL &&
	    (cmd->first_key != r->first || cmd->last_key != r->last ||
	     cmd->step != r->step))
		fail_msg("'%s': keys %d %d %d, Redis %d %d %d", cmd->name,
			 cmd->first_key, cmd->last_key, cmd->step, r->first,
			 r->last, r->step);
	if (strcmp(cmd->acl, r->acl) != 0)
		fail_msg("'%s': ACL '%s', Redis '%s'", cmd->name, cmd->acl, r->acl);
}

static void
test_table_matches_redis(void **state)
{
	(void)state;
	for_each_cmd(check_against_redis, NULL);
}

/* Append the RESP2 array of simple strings for a space-separated list. */
static size_t
words_proto(char *out, size_t cap, const char *words)
{
	size_t n = 0, len;
	char tmp[512], *save, *w;

	for (const char *p = words; *p;) {
		while (*p == ' ')
			p++;
		if (*p)
			n++;
		while (*p && *p != ' ')
			p++;
	}
	len = (size_t)snprintf(out, cap, "*%zu\r\n", n);
	snprintf(tmp, sizeof(tmp), "%s", words);
	for (w = strtok_r(tmp, " ", &save); w; w = strtok_r(NULL, " ", &save))
		len += (size_t)snprintf(out + len, cap - len, "+%s\r\n", w);
	return len;
}

/* The first seven fields of Redis's COMMAND INFO entry for r (the tips,
 * key specs and subcommands that follow are not compared). */
static void
info_prefix(const struct ref_cmd *r, char *out, size_t cap)
{
	size_t len;

	len = (size_t)snprintf(out, cap, "*10\r\n$%zu\r\n%s\r\n:%d\r\n",
			       strlen(r->name), r->name, r->arity);
	len += words_proto(out + len, cap - len, r->flags);
	len += (size_t)snprintf(out + len, cap - len, ":%d\r\n:%d\r\n:%d\r\n",
				r->first, r->last, r->step);
	words_proto(out + len, cap - len, r->acl);
}

static void
check_info_reply(const struct st_cmd *cmd, const struct st_cmd *parent, void *arg)
{
	struct st_client *c = arg;
	const struct ref_cmd *r = ref_lookup(cmd->name);
	char exp[2048];
	const char *reply;

	(void)parent;
	assert_non_null(r);
	info_prefix(r, exp, sizeof(exp));
	reply = th_cmd(c, "COMMAND", "INFO", cmd->name, NULL);
	assert_memory_equal(reply, "*1\r\n", 4);
	if (strncmp(reply + 4, exp, strlen(exp)) != 0)
		fail_msg("COMMAND INFO %s:\n%s\nRedis starts:\n%s", cmd->name,
			 reply + 4, exp);
}

static void
test_command_info(void **state)
{
	struct st_client *c = th_client();
	const char *r;

	(void)state;
	/* Redis 7.0.15, byte for byte up to the ACL categories */
	r = th_cmd(c, "COMMAND", "INFO", "get", NULL);
	th_assert_prefix(r, "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n"
			       "+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n"
			       "+@fast\r\n");
	assert_string_equal(th_cmd(c, "COMMAND", "INFO", "GET", NULL), r);
	/* every command, through the protocol */
	for_each_cmd(check_info_reply, c);
	/* movable keys: positions 0 */
	r = th_cmd(c, "COMMAND", "INFO", "sintercard", NULL);
	th_assert_prefix(r, "*1\r\n*10\r\n$10\r\nsintercard\r\n:-3\r\n*2\r\n"
			       "+readonly\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n");
	/* subcommands by full name, any case */
	th_assert_reply(c, "*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n"
			"+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n"
			"+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n",
			"COMMAND", "INFO", "CONFIG|GET");
	/* a container lists its subcommands */
	r = th_cmd(c, "COMMAND", "INFO", "config", NULL);
	th_assert_prefix(r, "*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n"
			       ":0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*5\r\n*10\r\n");
	/* unknown names: a null per name */
	th_assert_reply(c, "*1\r\n$-1\r\n", "COMMAND", "INFO", "nosuch");
	th_assert_reply(c, "*1\r\n$-1\r\n", "COMMAND", "INFO", "config|nosuch");
	r = th_cmd(c, "COMMAND", "INFO", "nosuch", "ping", NULL);
	th_assert_prefix(r, "*2\r\n$-1\r\n*10\r\n$4\r\nping\r\n");
	th_cmd(c, "HELLO", "3", NULL);
	th_assert_reply(c, "*1\r\n_\r\n", "COMMAND", "INFO", "nosuch");
	/* RESP3: flags and ACL categories are sets */
	r = th_cmd(c, "COMMAND", "INFO", "get", NULL);
	th_assert_prefix(r, "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n"
			       "+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n"
			       "+@fast\r\n");
	st_client_free(c);
}

/* ---- errors the dispatcher gives from the table ------------------------------- */

static void
test_unknown_command(void **state)
{
	struct st_client *c = th_client();
	char a200[201], b100[101], exp[512];

	(void)state;
	th_assert_reply(c, "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
			"foo", "a", "b");
	th_assert_reply(c, "-ERR unknown command 'FOO', with args beginning with: \r\n",
			"FOO");
	th_assert_reply(c, "-ERR unknown command '', with args beginning with: 'x' \r\n",
			"", "x");
	th_assert_reply(c, "-ERR unknown command 'NO SUCH', with args beginning with: 'a b' '' \r\n",
			"NO SUCH", "a b", "");
	/* arguments: each quoted, cut once the list reaches 128 characters */
	memset(a200, 'a', 200);
	a200[200] = '\0';
	memset(b100, 'b', 100);
	b100[100] = '\0';
	snprintf(exp, sizeof(exp), "-ERR unknown command 'FOO', with args "
		 "beginning with: '%.128s' \r\n", a200);
	th_assert_reply(c, exp, "FOO", a200);
	snprintf(exp, sizeof(exp), "-ERR unknown command 'FOO', with args "
		 "beginning with: '%s' '%.25s' \r\n", b100, b100);
	th_assert_reply(c, exp, "FOO", b100, b100);
	/* the command name is cut at 128 */
	snprintf(exp, sizeof(exp), "-ERR unknown command '%.128s', with args "
		 "beginning with: 'x' \r\n", a200);
	th_assert_reply(c, exp, a200, "x");
	th_assert_reply(c, "-ERR unknown command 'FOO', with args beginning with: "
			"'a' 'b' 'c' 'd' 'e' 'f' 'g' 'h' 'i' 'j' 'k' 'l' 'm' 'n' 'o' "
			"'p' 'q' 'r' 's' 't' 'u' 'v' 'w' 'x' 'y' 'z' '1' '2' '3' '4' "
			"'5' '6' \r\n", "FOO", "a", "b", "c", "d", "e", "f", "g", "h",
			"i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u",
			"v", "w", "x", "y", "z", "1", "2", "3", "4", "5", "6", "7", "8",
			"9", "10");
	/* in MULTI it also aborts the transaction */
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, "-ERR unknown command 'foo', with args beginning with: \r\n",
			"foo");
	th_assert_reply(c, "-EXECABORT Transaction discarded because of previous errors.\r\n",
			"EXEC");
	st_client_free(c);
}

static void
test_arity_errors(void **state)
{
	struct st_client *c = th_client();

	(void)state;
#define ARITY(name) "-ERR wrong number of arguments for '" name "' command\r\n"
	th_assert_reply(c, ARITY("get"), "GET");
	th_assert_reply(c, ARITY("get"), "GET", "a", "b");
	th_assert_reply(c, ARITY("get"), "gEt", "a", "b");
	th_assert_reply(c, ARITY("set"), "SET", "a");
	th_assert_reply(c, ARITY("mget"), "MGET");
	th_assert_reply(c, ARITY("del"), "DEL");
	th_assert_reply(c, ARITY("hset"), "HSET", "h", "f");
	th_assert_reply(c, ARITY("lpush"), "LPUSH", "l");
	th_assert_reply(c, ARITY("sadd"), "SADD", "s");
	th_assert_reply(c, ARITY("zadd"), "ZADD", "z", "1");
	th_assert_reply(c, ARITY("expire"), "EXPIRE", "k");
	th_assert_reply(c, ARITY("ping"), "PING", "a", "b");
	th_assert_reply(c, ARITY("echo"), "ECHO");
	th_assert_reply(c, ARITY("time"), "TIME", "x");
	th_assert_reply(c, ARITY("multi"), "MULTI", "x");
	/* containers: the parent's arity, then the subcommand's */
	th_assert_reply(c, ARITY("config"), "CONFIG");
	th_assert_reply(c, ARITY("client"), "CLIENT");
	th_assert_reply(c, ARITY("config|get"), "CONFIG", "GET");
	th_assert_reply(c, ARITY("config|get"), "config", "get");
	th_assert_reply(c, ARITY("config|set"), "CONFIG", "SET", "hz");
	th_assert_reply(c, ARITY("config|resetstat"), "CONFIG", "RESETSTAT", "x");
	th_assert_reply(c, ARITY("config|help"), "CONFIG", "HELP", "x");
	th_assert_reply(c, ARITY("client|setname"), "CLIENT", "SETNAME");
	th_assert_reply(c, ARITY("client|id"), "CLIENT", "ID", "x");
	th_assert_reply(c, ARITY("command|count"), "COMMAND", "COUNT", "x");
	th_assert_reply(c, ARITY("command|getkeys"), "COMMAND", "GETKEYS");
	th_assert_reply(c, ARITY("command|getkeys"), "COMMAND", "GETKEYS", "GET");
	th_assert_reply(c, ARITY("command|help"), "COMMAND", "HELP", "x");
#undef ARITY
	/* an arity error inside MULTI aborts the transaction */
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, "-ERR wrong number of arguments for 'config|get' command\r\n",
			"CONFIG", "GET");
	th_assert_reply(c, "+QUEUED\r\n", "PING");
	th_assert_reply(c, "-EXECABORT Transaction discarded because of previous errors.\r\n",
			"EXEC");
	st_client_free(c);
}

static void
test_unknown_subcommand(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c, "-ERR unknown subcommand 'x'. Try CONFIG HELP.\r\n",
			"CONFIG", "x");
	th_assert_reply(c, "-ERR unknown subcommand 'bogus'. Try CONFIG HELP.\r\n",
			"config", "bogus");
	th_assert_reply(c, "-ERR unknown subcommand 'Foo'. Try CLIENT HELP.\r\n",
			"Client", "Foo");
	th_assert_reply(c, "-ERR unknown subcommand 'bogus'. Try COMMAND HELP.\r\n",
			"COMMAND", "bogus", "x");
	th_assert_reply(c, "-ERR unknown subcommand ''. Try CONFIG HELP.\r\n",
			"CONFIG", "");
	/* a subcommand name is not looked up at top level, and vice versa */
	th_assert_reply(c, "-ERR unknown subcommand 'config'. Try CLIENT HELP.\r\n",
			"CLIENT", "config");
	th_assert_reply(c, "-ERR unknown command 'config|get', with args beginning with: 'hz' \r\n",
			"config|get", "hz");
	st_client_free(c);
}

/* ---- COMMAND COUNT / LIST / DOCS / GETKEYS / HELP ----------------------------- */

static void
test_command_count_list(void **state)
{
	struct st_client *c = th_client();
	char exp[64];
	const char *r;
	size_t total = 0;

	(void)state;
	for (size_t f = 0; f < NFAMILIES; f++)
		for (const struct st_cmd *e = family_tables[f]; e->name; e++)
			total++;
	assert_int_equal(st_cmd_count(), total);
	snprintf(exp, sizeof(exp), ":%zu\r\n", total);
	th_assert_reply(c, exp, "COMMAND", "COUNT");
	th_assert_reply(c, exp, "command", "count");

	/* COMMAND LIST: every command and subcommand name */
	{
		struct names nm = { .n = 0 };

		for_each_cmd(collect_name, &nm);
		snprintf(exp, sizeof(exp), "*%d\r\n", nm.n);
		r = th_cmd(c, "COMMAND", "LIST", NULL);
		th_assert_prefix(r, exp);
		for (int i = 0; i < nm.n; i++) {
			char item[80];

			snprintf(item, sizeof(item), "\r\n$%zu\r\n%s\r\n",
				 strlen(nm.v[i]), nm.v[i]);
			if (strstr(r + strlen(exp) - 2, item) == NULL)
				fail_msg("COMMAND LIST lacks %s", nm.v[i]);
		}
	}
	th_assert_reply(c, "*1\r\n$10\r\nconfig|get\r\n",
			"COMMAND", "LIST", "FILTERBY", "PATTERN", "config|get");
	th_assert_reply(c, "*1\r\n$10\r\nconfig|get\r\n",
			"command", "list", "filterby", "pattern", "CONFIG|GET");
	th_assert_reply(c, "*0\r\n", "COMMAND", "LIST", "FILTERBY", "PATTERN", "nomatch*");
	th_assert_reply(c, "*0\r\n", "COMMAND", "LIST", "FILTERBY", "MODULE", "x");
	th_assert_reply(c, "*0\r\n", "COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcat");
	th_assert_reply(c, "*0\r\n", "COMMAND", "LIST", "FILTERBY", "ACLCAT", "@connection");
	r = th_cmd(c, "COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection", NULL);
	assert_non_null(strstr(r, "\r\n$4\r\nping\r\n"));
	assert_non_null(strstr(r, "\r\n$14\r\nclient|setname\r\n"));
	assert_null(strstr(r, "\r\n$3\r\nget\r\n"));
	assert_null(strstr(r, "\r\n$6\r\nclient\r\n"));	/* the container is @slow */
	th_assert_reply(c, "-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "BOGUS", "x");
	th_assert_reply(c, "-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "PATTERN");
	th_assert_reply(c, "-ERR syntax error\r\n", "COMMAND", "LIST", "FILTERBY", "PATTERN",
			"a", "b");
	th_assert_reply(c, "-ERR syntax error\r\n", "COMMAND", "LIST", "x");

	/* COMMAND alone: every command's info */
	snprintf(exp, sizeof(exp), "*%zu\r\n", total);
	r = th_cmd(c, "COMMAND", NULL);
	assert_memory_equal(r, exp, strlen(exp));
	assert_non_null(strstr(r, "*10\r\n$3\r\nget\r\n:2\r\n"));
	assert_non_null(strstr(r, "*10\r\n$6\r\nconfig\r\n:-2\r\n"));
	/* COMMAND INFO with no name is the same */
	assert_int_equal(strlen(th_cmd(c, "COMMAND", "INFO", NULL)), strlen(r));
	st_client_free(c);
}

static void
test_command_docs(void **state)
{
	struct st_client *c = th_client();
	const struct st_cmd *get = st_cmd_lookup("get", 3);
	char exp[1024];
	const char *r;

	(void)state;
	snprintf(exp, sizeof(exp), "*2\r\n$3\r\nget\r\n*6\r\n$7\r\nsummary\r\n$%zu\r\n%s\r\n"
		 "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n",
		 strlen(get->summary), get->summary);
	th_assert_reply(c, exp, "COMMAND", "DOCS", "get");
	/* unknown names are left out */
	th_assert_reply(c, exp, "COMMAND", "DOCS", "nosuch", "GET");
	th_assert_reply(c, "*0\r\n", "COMMAND", "DOCS", "nosuch");
	/* subcommands by full name; containers nest theirs */
	r = th_cmd(c, "COMMAND", "DOCS", "config|get", NULL);
	th_assert_prefix(r, "*2\r\n$10\r\nconfig|get\r\n*6\r\n$7\r\nsummary\r\n");
	assert_non_null(strstr(r, "$5\r\ngroup\r\n$6\r\nserver\r\n"));
	r = th_cmd(c, "COMMAND", "DOCS", "client", NULL);
	th_assert_prefix(r, "*2\r\n$6\r\nclient\r\n*8\r\n");
	assert_non_null(strstr(r, "$11\r\nsubcommands\r\n"));
	assert_non_null(strstr(r, "$11\r\nclient|list\r\n"));
	/* all */
	{
		char hdr[32];

		snprintf(hdr, sizeof(hdr), "*%zu\r\n", 2 * st_cmd_count());
		r = th_cmd(c, "COMMAND", "DOCS", NULL);
		assert_memory_equal(r, hdr, strlen(hdr));
	}
	/* RESP3: maps */
	th_cmd(c, "HELLO", "3", NULL);
	snprintf(exp, sizeof(exp), "%%1\r\n$3\r\nget\r\n%%3\r\n$7\r\nsummary\r\n$%zu\r\n%s\r\n"
		 "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n",
		 strlen(get->summary), get->summary);
	th_assert_reply(c, exp, "COMMAND", "DOCS", "get");
	th_assert_reply(c, "%0\r\n", "COMMAND", "DOCS", "nosuch");
	st_client_free(c);
}

static void
test_command_getkeys(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c, "*1\r\n$1\r\na\r\n", "COMMAND", "GETKEYS", "SET", "a", "b");
	th_assert_reply(c, "*1\r\n$1\r\nk\r\n", "COMMAND", "GETKEYS", "get", "k");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nc\r\n",
			"COMMAND", "GETKEYS", "MSET", "a", "b", "c", "d");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nc\r\n",
			"COMMAND", "GETKEYS", "MSET", "a", "b", "c");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
			"COMMAND", "GETKEYS", "LMOVE", "a", "b", "LEFT", "RIGHT");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
			"COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
			"COMMAND", "GETKEYS", "LMPOP", "2", "a", "b", "LEFT");
	th_assert_reply(c, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
			"COMMAND", "GETKEYS", "DEL", "a", "b", "c");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\na\r\n",
			"COMMAND", "GETKEYS", "EXISTS", "a", "a");
	th_assert_reply(c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n",
			"COMMAND", "GETKEYS", "RENAME", "a", "b");
	th_assert_reply(c, "*1\r\n$1\r\nz\r\n", "COMMAND", "GETKEYS", "ZRANGE", "z", "0", "1");
	/* errors, in Redis's order of checks */
	th_assert_reply(c, "-ERR Invalid command specified\r\n",
			"COMMAND", "GETKEYS", "nosuch", "x");
	th_assert_reply(c, "-ERR The command has no key arguments\r\n",
			"COMMAND", "GETKEYS", "PING", "x");
	th_assert_reply(c, "-ERR The command has no key arguments\r\n",
			"COMMAND", "GETKEYS", "ECHO", "a", "b");
	th_assert_reply(c, "-ERR The command has no key arguments\r\n",
			"COMMAND", "GETKEYS", "CONFIG", "GET", "x");
	th_assert_reply(c, "-ERR Invalid number of arguments specified for command\r\n",
			"COMMAND", "GETKEYS", "SET", "a");
	th_assert_reply(c, "-ERR Invalid number of arguments specified for command\r\n",
			"COMMAND", "GETKEYS", "GET", "a", "b");
	th_assert_reply(c, "-ERR Invalid arguments specified for command\r\n",
			"COMMAND", "GETKEYS", "SINTERCARD", "0", "a");
	th_assert_reply(c, "-ERR Invalid arguments specified for command\r\n",
			"COMMAND", "GETKEYS", "SINTERCARD", "3", "a");
	th_assert_reply(c, "-ERR Invalid arguments specified for command\r\n",
			"COMMAND", "GETKEYS", "SINTERCARD", "x", "a");
	st_client_free(c);
}

static void
test_command_help(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c,
		"*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
		"+(no subcommand)\r\n"
		"+    Return details about all Redis commands.\r\n"
		"+COUNT\r\n"
		"+    Return the total number of commands in this Redis server.\r\n"
		"+LIST\r\n"
		"+    Return a list of all commands in this Redis server.\r\n"
		"+INFO [<command-name> ...]\r\n"
		"+    Return details about multiple Redis commands.\r\n"
		"+    If no command names are given, documentation details for all\r\n"
		"+    commands are returned.\r\n"
		"+DOCS [<command-name> ...]\r\n"
		"+    Return documentation details about multiple Redis commands.\r\n"
		"+    If no command names are given, documentation details for all\r\n"
		"+    commands are returned.\r\n"
		"+GETKEYS <full-command>\r\n"
		"+    Return the keys from a full Redis command.\r\n"
		"+GETKEYSANDFLAGS <full-command>\r\n"
		"+    Return the keys and the access flags from a full Redis command.\r\n"
		"+HELP\r\n"
		"+    Prints this help.\r\n", "COMMAND", "HELP");
	st_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_table_entries, setup),
		cmocka_unit_test_setup(test_no_duplicates, setup),
		cmocka_unit_test_setup(test_lookup, setup),
		cmocka_unit_test_setup(test_table_matches_redis, setup),
		cmocka_unit_test_setup(test_command_info, setup),
		cmocka_unit_test_setup(test_unknown_command, setup),
		cmocka_unit_test_setup(test_arity_errors, setup),
		cmocka_unit_test_setup(test_unknown_subcommand, setup),
		cmocka_unit_test_setup(test_command_count_list, setup),
		cmocka_unit_test_setup(test_command_docs, setup),
		cmocka_unit_test_setup(test_command_getkeys, setup),
		cmocka_unit_test_setup(test_command_help, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
