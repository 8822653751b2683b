/* cmd_server.c -- being written */
