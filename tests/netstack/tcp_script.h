/*
 * tcp_script.h -- a packetdrill-like scenario interpreter for the TCP layer,
 * driven over the nstest harness (fake port, virtual time).
 *
 * A script is a text file, one event per line ('//' or '#' comments):
 *
 *   config KEY VALUE            stack config before the first event: any
 *                               dp_tcp_config field (rcv_buf, snd_buf, mss,
 *                               wscale, syn_backlog, max_conns, rto_min_us,
 *                               rto_max_us, rto_initial_us, delack_us,
 *                               time_wait_us, keepalive_idle_us,
 *                               keepalive_intvl_us, keepalive_probes,
 *                               max_retries, tlp 0|1, cc newreno|cubic)
 *                               or the runner's peer_isn, tolerance_us
 *   [TIME] < FLAGS S:E(L) [ack A] [win W] [<opts>] [port P] [bad_csum]
 *            [doff N] [trunc N] [dport P]
 *                               inject a segment from the peer
 *   [TIME] > FLAGS S:E(L) [ack A] [win W] [<opts>] [port P]
 *                               expect the stack to send this
 *   [TIME] app VERB ARGS [port P]
 *                               application action / assertion
 *   [TIME] expect_stat NAME N   a core->stats counter or drop reason
 *
 * TIME is "+SECONDS" (after the previous event) or "SECONDS" (from the
 * start); absent means +0.  Virtual time advances in 1 ms steps, so
 * timers fire on the way; a segment sent earlier than tolerance_us before
 * the expected time, or not by tolerance_us after it, fails the script.
 *
 * FLAGS: S SYN, F FIN, R RST, P PSH, . ACK (e.g. "S.", "P.", "F.", "R.").
 * Sequence numbers are relative (like packetdrill): the peer's to
 * peer_isn (default 0), ours to the ISN learned from the first SYN we send
 * to that peer port.  "ack" of an injected segment is relative to our
 * ISN, of an expected one to peer_isn.  Any number may be "*".
 * Options (in order, checked exactly on expected segments when given):
 *   mss N, wscale N, sackOK, TS val V ecr E, nop, eol,
 *   sack S:E [S:E...] (relative to the receiver's side of the numbering),
 *   on injected segments also "ecr last" (our latest TS value), "ecr
 *   last-N" (N ticks of our 1 ms TS clock before it: the TS an earlier
 *   transmission carried) and
 *   "raw B B ..." (bytes as given, for malformed lists).
 * doff / trunc corrupt the header length / cut the segment (IP length
 * fixed up); dport sends to another local port (default: the listener's).
 * Payloads are a fixed function of the relative sequence number, checked
 * on both sides (so reordering bugs show up as content mismatches).
 * "port P" chooses the peer's port (default 40000): several connections.
 *
 * app verbs: listen PORT | connect IP:PORT | send N [accept M] | close |
 *   abort | resume | recv_limit N|off | reply N (send N bytes on each
 *   recv) | expect_recv N | expect_closed REASON (normal reset timeout
 *   refused aborted) | expect_open | expect_peer_closed |
 *   expect_accepted N | expect_state NAME | expect_nconns N |
 *   expect_send_space N | expect_sendable N | expect_ssthresh N |
 *   expect_cwnd N (bytes) | expect_hystart_base N (CUBIC, us) |
 *   greet N (send N bytes from accepted()) | reject on|off (accepted()
 *   refuses) | on_recv abort|close|none (called from inside recv();
 *   "abort_on_accept": dp_tcp_abort from inside accepted()) |
 *   on_peer_closed close|none (dp_tcp_close from inside peer_closed())
 * closed() must come at most once per connection.
 *
 * After the last line: no unexpected segment may be pending, then the
 * stack is torn down and the mbuf pool must be back to its initial count.
 */
#ifndef TCP_SCRIPT_H
#define TCP_SCRIPT_H

#include <stddef.h>

/* Run a script (text in memory).  0 = passed; -1 = failed, err holds
 * "name:line: reason". */
int tcp_script_run(const char *name, const char *text, char *err,
		   size_t errlen);
/* Same for a file. */
int tcp_script_run_file(const char *path, char *err, size_t errlen);

#endif
