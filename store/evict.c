/* evict.c -- being written */
