/*
 * role.c -- the replication layer's hooks into the store (role.h).
 */
#include "role.h"

#include <stdatomic.h>
#include <stddef.h>

static const struct st_role_hooks *_Atomic role_hooks;

void
st_set_role_hooks(const struct st_role_hooks *h)
{
	atomic_store_explicit(&role_hooks, h, memory_order_release);
}

const struct st_role_hooks *
st_role_hooks(void)
{
	return atomic_load_explicit(&role_hooks, memory_order_acquire);
}
