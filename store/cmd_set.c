/* cmd_set.c -- being written */
