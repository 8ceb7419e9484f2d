# include/local.mk - public headers, installed under $(includedir)/assay.
assayincludedir = $(includedir)/assay
assayinclude_HEADERS = include/assay/plugin.h include/assay/tap.h
