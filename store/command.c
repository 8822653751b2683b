/* command.c -- being written */
