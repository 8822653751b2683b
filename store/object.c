/* object.c -- being written */
