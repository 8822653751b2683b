/* wlog.c -- being written */
