/* t_zset.c -- being written */
