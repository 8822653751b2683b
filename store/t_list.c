/* t_list.c -- being written */
