/*
 * repl_info.c -- INFO's "# Replication" body and ROLE, for both roles,
 * with Redis 7.0's fields, order and bytes (shared/reference/
 * redis_repl_interop.md §4).
 *
 * Call chain: INFO (store/cmd_server.c) -> role hook ctl_repl_info;
 * ROLE -> ctl_role_command.  Any polling core; reads ctl_repl under its
 * lock (replids) and the replica registry (ctl_replicas_snapshot).
 */
#include "repl.h"
#include "repl_replica.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "config.h"
#include "repl_lagprobe.h"
#include "resp_compose.h"
#include "util.h"

#define INFO_MAX_REPLICAS 256

/* Our master's host (copied into host, sizeof(ctl_repl.master_host)
 * bytes) and port, read under ctl_repl.lock. */
static int
master_addr(char *host)
{
	int port;

	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(host, ctl_repl.master_host, sizeof(ctl_repl.master_host));
	host[sizeof(ctl_repl.master_host) - 1] = '\0';
	port = ctl_repl.master_port;
	pthread_mutex_unlock(&ctl_repl.lock);
	return port;
}

static void
info_replica_side(struct st_buf *b, int64_t now)
{
	int ls = atomic_load(&ctl_repl.link_state);
	long long off = atomic_load(&ctl_repl.master_repl_offset);
	int64_t last_io = atomic_load(&ctl_repl.last_io_ms);
	int64_t down = atomic_load(&ctl_repl.link_down_since_ms);
	char host[sizeof(ctl_repl.master_host)];
	int port = master_addr(host);

	st_buf_printf(b, "role:slave\r\nmaster_host:%s\r\nmaster_port:%d\r\n"
		"master_link_status:%s\r\n"
		"master_last_io_seconds_ago:%lld\r\n"
		"master_sync_in_progress:%d\r\n"
		"slave_read_repl_offset:%lld\r\n"
		"slave_repl_offset:%lld\r\n",
		host, port, ls == CTL_LINK_CONNECTED ? "up" : "down",
		ls == CTL_LINK_CONNECTED && last_io ?
			(long long)((now - last_io) / 1000) : -1LL,
		ls == CTL_LINK_TRANSFER, off, off);
	if (ls == CTL_LINK_TRANSFER) {
		/* Redis 7.0 sets repl_transfer_size to 0 for $EOF:
		 * transfers (left_bytes then negative, perc 0) */
		long long total, read;
		double perc = 0;

		ctl_replica_sync_progress(&total, &read);
		if (total < 0)
			total = 0;
		if (total != 0)
			perc = ((double)read / (double)total) * 100;
		st_buf_printf(b, "master_sync_total_bytes:%lld\r\n"
			"master_sync_read_bytes:%lld\r\n"
			"master_sync_left_bytes:%lld\r\n"
			"master_sync_perc:%.2f\r\n"
			"master_sync_last_io_seconds_ago:%d\r\n",
			total, read, total - read, perc,
			last_io ? (int)((now - last_io) / 1000) : -1);
	}
	if (ls != CTL_LINK_CONNECTED)
		st_buf_printf(b, "master_link_down_since_seconds:%lld\r\n",
			down ? (long long)((now - down) / 1000) : -1LL);
	st_buf_printf(b, "slave_priority:%d\r\nslave_read_only:%d\r\n"
		"replica_announced:1\r\n", CTL_CFG(replica_priority),
		CTL_CFG(replica_read_only) ? 1 : 0);
}

void
ctl_repl_info(struct st_buf *b)
{
	static struct ctl_replica_view v[INFO_MAX_REPLICAS];
	static pthread_mutex_t v_lock = PTHREAD_MUTEX_INITIALIZER;
	int64_t now = st_mstime();
	char id[CTL_REPLID_LEN + 1], id2[CTL_REPLID_LEN + 1];
	long long off2;
	int n;

	if (ctl_repl_role() == CTL_ROLE_REPLICA)
		info_replica_side(b, now);
	else
		st_buf_printf(b, "role:master\r\n");
	pthread_mutex_lock(&v_lock);
	n = ctl_replicas_snapshot(v, INFO_MAX_REPLICAS);
	st_buf_printf(b, "connected_slaves:%d\r\n", n);
	if (CTL_CFG(min_replicas_to_write) > 0 && CTL_CFG(min_replicas_max_lag) > 0)
		st_buf_printf(b, "min_slaves_good_slaves:%d\r\n",
			atomic_load(&ctl_repl.good_replicas));
	for (int i = 0; i < n; i++)
		st_buf_printf(b, "slave%d:ip=%s,port=%d,state=%s,offset=%lld,lag=%lld\r\n",
			i, v[i].ip, v[i].port, ctl_replica_state_name(v[i].state),
			v[i].ack_off, v[i].lag_s);
	pthread_mutex_unlock(&v_lock);
	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(id, ctl_repl.replid, sizeof(id));
	memcpy(id2, ctl_repl.replid2, sizeof(id2));
	off2 = ctl_repl.second_repl_offset;
	pthread_mutex_unlock(&ctl_repl.lock);
	st_buf_printf(b, "master_failover_state:%s\r\n"
		"master_replid:%s\r\nmaster_replid2:%s\r\n"
		"master_repl_offset:%lld\r\nsecond_repl_offset:%lld\r\n"
		"repl_backlog_active:%d\r\nrepl_backlog_size:%lld\r\n"
		"repl_backlog_first_byte_offset:%lld\r\n"
		"repl_backlog_histlen:%lld\r\n",
		ctl_failover_state_name(ctl_failover_state()),
		id, id2, (long long)atomic_load(&ctl_repl.master_repl_offset), off2,
		ctl_backlog_exists() ? 1 : 0,
		ctl_backlog_exists() ? ctl_backlog_size() : CTL_CFG(repl_backlog_size),
		ctl_backlog_first_byte(), ctl_backlog_histlen());
	ctl_lagprobe_info(b);
}

void
ctl_role_command(struct st_client *c)
{
	if (ctl_repl_role() == CTL_ROLE_REPLICA) {
		int ls = atomic_load(&ctl_repl.link_state);
		char host[sizeof(ctl_repl.master_host)];
		int port = master_addr(host);

		st_reply_array_len(c, 5);
		st_reply_bulk_cstr(c, "slave");
		st_reply_bulk_cstr(c, host);
		st_reply_int(c, port);
		st_reply_bulk_cstr(c, ctl_link_state_role_word(ls));
		st_reply_int(c, ls == CTL_LINK_CONNECTED ?
			     atomic_load(&ctl_repl.master_repl_offset) : -1);
		return;
	}
	{
		static struct ctl_replica_view v[INFO_MAX_REPLICAS];
		static pthread_mutex_t v_lock = PTHREAD_MUTEX_INITIALIZER;
		int n, online = 0;

		pthread_mutex_lock(&v_lock);
		n = ctl_replicas_snapshot(v, INFO_MAX_REPLICAS);
		for (int i = 0; i < n; i++)
			online += v[i].state == CTL_REPLICA_ONLINE;
		st_reply_array_len(c, 3);
		st_reply_bulk_cstr(c, "master");
		st_reply_int(c, atomic_load(&ctl_repl.master_repl_offset));
		st_reply_array_len(c, online);
		for (int i = 0; i < n; i++) {
			if (v[i].state != CTL_REPLICA_ONLINE)
				continue;
			st_reply_array_len(c, 3);
			st_reply_bulk_cstr(c, v[i].ip);
			st_reply_bulk_ll(c, v[i].port);
			st_reply_bulk_ll(c, v[i].ack_off);
		}
		pthread_mutex_unlock(&v_lock);
	}
}
