/*
 * test_tcp_scripts.c -- the TCP conformance suite: one cmocka test per
 * packetdrill-like script in tests/netstack/scripts/ (TCP_SCRIPTS_DIR),
 * run by tcp_script.c over the nstest harness.  Each test fails with the
 * script's file:line and reason; each checks for leaked mbufs.
 *
 * Usage: test_tcp_scripts [FILTER]   (runs scripts whose name contains
 * FILTER; all by default)
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nstest.h"
#include "tcp_script.h"

#ifndef TCP_SCRIPTS_DIR
#error "TCP_SCRIPTS_DIR must name the scripts directory"
#endif

static void
run_one(void **state)
{
	const char *path = *state;
	char err[1024];

	if (tcp_script_run_file(path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	DIR *d = opendir(TCP_SCRIPTS_DIR);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct CMUnitTest *tests;
	int rc;

	if (d == NULL) {
		fprintf(stderr, "cannot open %s\n", TCP_SCRIPTS_DIR);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".pkt") != 0)
			continue;
		if (argc > 1 && strstr(e->d_name, argv[1]) == NULL)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				return 1;
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "no scripts in %s\n", TCP_SCRIPTS_DIR);
		return 1;
	}
	qsort(names, n, sizeof(*names), name_cmp);
	if (nst_eal_init() != 0 || nst_pool() == NULL)
		return 1;
	tests = calloc(n, sizeof(*tests));
	for (size_t i = 0; i < n; i++) {
		char *path = malloc(strlen(TCP_SCRIPTS_DIR) + strlen(names[i]) +
				    2);

		sprintf(path, "%s/%s", TCP_SCRIPTS_DIR, names[i]);
		tests[i].name = names[i];
		tests[i].test_func = run_one;
		tests[i].initial_state = path;
	}
	rc = _cmocka_run_group_tests("tcp_scripts", tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		free((void *)tests[i].initial_state);
		free(names[i]);
	}
	free(tests);
	free(names);
	return rc;
}
