/* util.c -- being written */
