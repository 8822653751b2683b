/*
 * repl_state.c -- the process's replication state (repl.h): ctl_repl, its
 * initialisation (random replid, the command table and role hooks), the
 * link-state name tables, replid shifting and Redis's PSYNC rule.
 *
 * Call chain: ferryd main -> ctl_repl_init -> st_cmd_register_family +
 * st_set_role_hooks (before st_store_init); PSYNC (repl_master.c) ->
 * ctl_repl_can_continue; REPLICAOF NO ONE (repl_replica.c) ->
 * ctl_repl_shift_replid.
 */
#include "repl_master.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "command.h"
#include "repl_lagprobe.h"
#include "wlog.h"
#include "role.h"

#define ZERO_ID "0000000000000000000000000000000000000000"

struct ctl_repl ctl_repl = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.role = CTL_ROLE_MASTER,
	.replid = ZERO_ID,
	.replid2 = ZERO_ID,
	.second_repl_offset = -1,
	.master_repl_offset = 0,
	.master_port = 0,
	.link_state = CTL_LINK_NONE,
};

struct ctl_repl_stats ctl_repl_stats;

static const char *const link_state_names[CTL_LINK_NSTATES] = {
	[CTL_LINK_NONE] = "none",
	[CTL_LINK_CONNECT] = "connect",
	[CTL_LINK_CONNECTING] = "connecting",
	[CTL_LINK_HANDSHAKE] = "handshake",
	[CTL_LINK_TRANSFER] = "transfer",
	[CTL_LINK_CONNECTED] = "connected",
};

/* ROLE's words (Redis replicationGetSlaveStateString... for the replica
 * side: slaveStateToString). */
static const char *const link_state_role_words[CTL_LINK_NSTATES] = {
	[CTL_LINK_NONE] = "none",
	[CTL_LINK_CONNECT] = "connect",
	[CTL_LINK_CONNECTING] = "connecting",
	[CTL_LINK_HANDSHAKE] = "handshake",
	[CTL_LINK_TRANSFER] = "sync",
	[CTL_LINK_CONNECTED] = "connected",
};

const char *
ctl_link_state_name(enum ctl_link_state s)
{
	return (unsigned)s < CTL_LINK_NSTATES ? link_state_names[s] : "unknown";
}

const char *
ctl_link_state_role_word(enum ctl_link_state s)
{
	return (unsigned)s < CTL_LINK_NSTATES ? link_state_role_words[s] :
						 "unknown";
}

void
ctl_repl_random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[64];
	size_t got = 0;

	if (n > sizeof(rnd))
		n = sizeof(rnd);
	while (got < n) {
		ssize_t r = getrandom(rnd + got, n - got, 0);

		if (r <= 0) {
			/* no entropy source: time and pid, still unique enough */
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			for (; got < n; got++)
				rnd[got] = (unsigned char)((ts.tv_nsec >> (got % 24)) ^
					   (getpid() << (got % 8)) ^ (got * 131));
			break;
		}
		got += (size_t)r;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = hex[rnd[i] & 15];
	out[n] = '\0';
}

void
ctl_repl_new_replid_locked(void)
{
	ctl_repl_random_hex(ctl_repl.replid, CTL_REPLID_LEN);
	memcpy(ctl_repl.replid2, ZERO_ID, CTL_REPLID_LEN + 1);
	ctl_repl.second_repl_offset = -1;
}

/* INFO stats' sync_full / sync_partial_ok / sync_partial_err. */
static void
repl_sync_stats(unsigned long long *full, unsigned long long *partial_ok,
		unsigned long long *partial_err)
{
	*full = atomic_load_explicit(&ctl_repl_stats.sync_full,
				     memory_order_relaxed);
	*partial_ok = atomic_load_explicit(&ctl_repl_stats.sync_partial_ok,
					   memory_order_relaxed);
	*partial_err = atomic_load_explicit(&ctl_repl_stats.sync_partial_err,
					    memory_order_relaxed);
}

static const struct st_role_hooks repl_hooks = {
	.check = ctl_repl_check,
	.info = ctl_repl_info,
	.client_free = ctl_replica_free_client,
	.sync_stats = repl_sync_stats,
	.resetstat = ctl_lagprobe_reset,
};

int
ctl_repl_init(void)
{
	int rc;

	pthread_mutex_lock(&ctl_repl.lock);
	ctl_repl_random_hex(ctl_repl.replid, CTL_REPLID_LEN);
	memcpy(ctl_repl.replid2, ZERO_ID, CTL_REPLID_LEN + 1);
	ctl_repl.second_repl_offset = -1;
	pthread_mutex_unlock(&ctl_repl.lock);
	rc = st_cmd_register_family(ctl_cmds_repl);
	if (rc < 0 && rc != -EEXIST)
		return rc;
	st_set_role_hooks(&repl_hooks);
	return 0;
}

/* The last promotion: every write record up to promo_seq belongs to the
 * history that ended at promo_off (applied from the old master, whose
 * bytes are already in the backlog). */
static _Atomic uint64_t promo_seq;
static _Atomic long long promo_off;

/* The last demotion: records after demo_seq were drawn as a replica. */
static _Atomic uint64_t demo_seq;

uint64_t
ctl_repl_promotion_seq(long long *off)
{
	uint64_t seq = atomic_load_explicit(&promo_seq, memory_order_acquire);

	if (off != NULL)
		*off = atomic_load_explicit(&promo_off, memory_order_relaxed);
	return seq;
}

void
ctl_repl_mark_promotion(void)
{
	atomic_store_explicit(&promo_off,
			      atomic_load(&ctl_repl.master_repl_offset),
			      memory_order_relaxed);
	atomic_store_explicit(&promo_seq, st_wlog_last_seq(),
			      memory_order_release);
}

void
ctl_repl_mark_demotion(void)
{
	atomic_store_explicit(&demo_seq, st_wlog_last_seq(),
			      memory_order_release);
}

bool
ctl_repl_seq_is_ours(uint64_t seq)
{
	/* the role first (acquire): the marks were stored before it */
	bool master = ctl_repl_role() == CTL_ROLE_MASTER;
	uint64_t p = atomic_load_explicit(&promo_seq, memory_order_acquire);
	uint64_t d = atomic_load_explicit(&demo_seq, memory_order_acquire);

	if (master)
		return seq > p;
	return seq > p && seq <= d;
}

void
ctl_repl_shift_replid(void)
{
	long long off = atomic_load(&ctl_repl.master_repl_offset);

	memcpy(ctl_repl.replid2, ctl_repl.replid, CTL_REPLID_LEN + 1);
	ctl_repl.second_repl_offset = off + 1;
	ctl_repl_random_hex(ctl_repl.replid, CTL_REPLID_LEN);
	ctl_repl_core_reset_seldb();
	ctl_replicas_disconnect_all();
}

bool
ctl_repl_can_continue(const char *replid, long long off)
{
	long long first, histlen;

	if (replid == NULL || strcmp(replid, "?") == 0)
		return false;
	if (strcasecmp(replid, ctl_repl.replid) != 0 &&
	    (strcasecmp(replid, ctl_repl.replid2) != 0 ||
	     off > ctl_repl.second_repl_offset))
		return false;
	if (!ctl_backlog_exists())
		return false;
	first = ctl_backlog_first_byte();
	histlen = ctl_backlog_histlen();
	return off >= first && off <= first + histlen;
}
