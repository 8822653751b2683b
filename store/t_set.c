/* t_set.c -- being written */
