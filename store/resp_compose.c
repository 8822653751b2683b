/* resp_compose.c -- being written */
