/* intset.c -- being written */
