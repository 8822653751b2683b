/* cmd_keys.c -- being written */
