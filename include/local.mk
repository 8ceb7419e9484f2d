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
	"$$tmp/t" >"$$tmp/out" && grep -q '^ok 1 - installed::works$$' "$$tmp/out"; \
	rc=$$?; rm -rf "$$tmp"; \
	if test $$rc != 0; then echo "installcheck: a test built with 'pkg-config --cflags --libs assay' did not pass"; exit 1; fi; \
	echo "installcheck: pkg-config --cflags --libs assay: a test built with it passed"
