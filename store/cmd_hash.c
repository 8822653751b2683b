/* cmd_hash.c -- being written */
