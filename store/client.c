/* client.c -- being written */
