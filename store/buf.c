/* buf.c -- being written */
