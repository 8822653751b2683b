/* cmd_string.c -- being written */
