/* cmd_multi.c -- being written */
