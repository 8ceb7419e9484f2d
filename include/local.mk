# include/local.mk - public headers, installed under $(includedir)/assay.
assayincludedir = $(includedir)/assay
assayinclude_HEADERS = include/assay/gpu.h include/assay/plugin.h include/assay/tap.h include/assay/test.h

# libassay's pkg-config file: `pkg-config --cflags --libs assay`
pkgconfig_DATA = include/assay.pc
EXTRA_DIST += include/assay.pc.in

# After `make install` (make distcheck runs this): a program written
# with assay/test.h, built with `pkg-config --cflags --libs assay` alone
# against what was installed, must pass.
EXTRA_DIST += selftest/api/installed.c
installcheck-local:
	@tmp=`mktemp -d` || exit 1; \
	PKG_CONFIG_PATH="$(DESTDIR)$(pkgconfigdir)"; export PKG_CONFIG_PATH; \
	flags=`$(PKG_CONFIG) --define-prefix --cflags --libs assay` && \
	$(CC) $(SAN_CFLAGS) -o "$$tmp/t" "$(srcdir)/selftest/api/installed.c" $$flags \
		$(SAN_LDFLAGS) -Wl,-rpath,"$(DESTDIR)$(libdir)" && \
	"$$tmp/t" -j 2 >"$$tmp/out" && grep -q '^1\.\.7$$' "$$tmp/out" && \
	test `grep -c '^ok [0-9]* - installed::' "$$tmp/out"` = 7; \
	rc=$$?; \
	if test $$rc != 0; then rm -rf "$$tmp"; echo "installcheck: a test built with 'pkg-config --cflags --libs assay' did not pass"; exit 1; fi; \
	echo "installcheck: pkg-config --cflags --libs assay: a test built with it passed"; \
	mkdir "$$tmp/d" && mv "$$tmp/t" "$$tmp/d/t" && \
	(cd "$$tmp" && INSTALLED_BAD=1 "$(DESTDIR)$(bindir)/assay" run --state-dir '' \
		--no-isolate-failures --no-backtrace --threads 2 --gtest-granularity binary \
		d >out 2>err); \
	tail -n 1 "$$tmp/out" | grep -q '^assay: 5 passed, 2 failed, 0 skipped$$' && \
	grep -q 'CRASH  *t::installed::crashes' "$$tmp/out" && \
	grep -q 'TIMEOUT  *t::installed::hangs' "$$tmp/out"; \
	rc=$$?; \
	if test $$rc != 0; then cat "$$tmp/out" "$$tmp/err"; rm -rf "$$tmp"; \
		echo "installcheck: under the installed assay, a crash and a hang did not cost exactly their own tests"; exit 1; fi; \
	rm -rf "$$tmp"; \
	echo "installcheck: under the installed assay, a crash and a hang cost exactly their own tests"
