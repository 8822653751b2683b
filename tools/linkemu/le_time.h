/*
 * le_time.h -- time units of the link emulator's models.
 *
 * The models (le_delay, le_rate) count time in "ticks" of a clock whose
 * rate the caller gives (hz): the DPDK program passes the TSC rate, the unit
 * tests a virtual clock (hz = 1e9: one tick per nanosecond).  Configuration
 * is in nanoseconds and bits per second and is converted here.
 */
#ifndef LE_TIME_H
#define LE_TIME_H

#include <stdint.h>

#define LE_NS_PER_SEC 1000000000ULL

/* ns -> ticks of a clock running at hz (rounded to nearest). */
static inline uint64_t
le_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)ns * hz + LE_NS_PER_SEC / 2) /
			  LE_NS_PER_SEC);
}

/* ticks -> ns (rounded to nearest). */
static inline uint64_t
le_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	if (hz == 0)
		return 0;
	return (uint64_t)(((unsigned __int128)ticks * LE_NS_PER_SEC + hz / 2) /
			  hz);
}

#endif
