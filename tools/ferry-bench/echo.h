/*
 * echo.h -- the port's ceiling: raw frame round trips, no TCP, no server
 * work (--echo server | client).
 *
 *   server: rx_burst -> swap the Ethernet addresses -> tx_burst, on queue 0,
 *           until SIGINT/SIGTERM (or --duration); idle over 1 ms it polls
 *           every 50 us (a measurement keeps it busy).
 *   client: keeps -c frames of -d bytes (Ethernet type 0x88b5, local
 *           experimental; to the broadcast address, or to the server's MAC
 *           once learnt) in flight for --duration seconds (default 5);
 *           each frame carries its send TSC, the RTT goes into an HDR
 *           histogram, the frame is sent again at once.  A frame not back
 *           within 100 ms is counted lost and replaced.
 * One round trip is a request frame and a reply frame, as an unpipelined
 * RESP request and its reply (data and ACKs piggybacked).
 *
 * Call chain: main -> fb_echo_run -> echo_server | echo_client ->
 *   dp_port_rx / dp_port_tx -> fb_report_echo.
 * Concurrency: runs on the main lcore only (one queue); the stop flag is
 * set by the signal handler.
 */
#ifndef FB_ECHO_H
#define FB_ECHO_H

#include "bench.h"

#define FB_ECHO_ETHERTYPE 0x88b5

/* Run --echo on dcores[0]; returns the exit status. */
int fb_echo_run(struct fb_run *run);

#endif
