/* resp_parse.c -- being written */
