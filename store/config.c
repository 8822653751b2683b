/* config.c -- being written */
