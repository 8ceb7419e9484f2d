// selftest/api/checks-cxx.cc - checks.c built as C++ (see there).
#include "checks.c"
