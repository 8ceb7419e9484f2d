/* A C test program: built by `make`, run by assay like any executable. */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%s-%d", "assay", 1);
	if (strcmp(buf, "assay-1") != 0) {
		fprintf(stderr, "snprintf gave '%s'\n", buf);
		return 1;
	}
	puts("snprintf formats as expected");
	return 0;
}
