/* cmd_list.c -- being written */
