/* worker.c -- being written */
