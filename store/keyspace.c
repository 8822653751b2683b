/* keyspace.c -- being written */
