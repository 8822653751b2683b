/* t_hash.c -- being written */
