/* cmd_zset.c -- being written */
