/* expire.c -- being written */
