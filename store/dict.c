/* dict.c -- being written */
