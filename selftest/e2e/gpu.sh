#!/bin/sh
# GPUs: assay devices through a stand-in for the CUDA driver
# (selftest/gpu/fakecuda.c, loaded through ASSAY_LIBCUDA), and what it
# says when the driver is missing, a stub, too old, or finds no device.
. "$(dirname "$0")/lib.sh"

fake="$ASSAY_BUILDDIR/selftest/gpu/fakecuda.so"
if [ ! -f "$fake" ]; then
	skip "selftest/gpu/fakecuda.so is not built (make check builds it)"
	finish
fi

# two fake devices, each fact in its column
ASSAY_LIBCUDA=$fake run_assay devices
expect_rc 0
expect_out "assay: 2 CUDA devices, driver 12.4"
grep -Eq "^  0 +GPU-00010203-0405-0607-0809-0a0b0c0d0e0f +9\.0 +1\.0 GiB +0000:01:00\.0 +Fake GPU 0$" "$W/out"
check $? "a device's index, UUID, compute capability, memory, PCI id and name"
expect_out "GPU-10111213-1415-1617-1819-1a1b1c1d1e1f"

# nothing to use: a line that says which part is missing, and exit 0
ASSAY_LIBCUDA=/nonexistent/libcuda.so.1 run_assay devices
expect_rc 0 "no driver"
expect_out "assay: no CUDA driver: /nonexistent/libcuda.so.1 cannot be loaded ("
expect_out "assay: tests that need a GPU will be skipped"
FAKECUDA_DEVICES=0 ASSAY_LIBCUDA=$fake run_assay devices
expect_rc 0 "no device"
expect_out "assay: no CUDA device: the driver found none"
CUDA_VISIBLE_DEVICES=7 FAKECUDA_INIT=100 ASSAY_LIBCUDA=$fake run_assay devices
expect_out "assay: no CUDA device: the driver found none (CUDA_VISIBLE_DEVICES=7 hides the others)"
FAKECUDA_INIT=999 ASSAY_LIBCUDA=$fake run_assay devices
expect_rc 0 "a driver that does not start"
expect_out "assay: the CUDA driver did not start: cuInit: CUDA_ERROR_UNKNOWN (999)"
ASSAY_LIBCUDA="$ASSAY_BUILDDIR/selftest/gpu/fakecuda-old.so" run_assay devices
expect_rc 0 "a driver without an entry point assay needs"
expect_out "lacks cuDeviceTotalMem_v2: it is older than assay needs (CUDA 11.4 or later)"
stub=/usr/local/cuda/lib64/stubs/libcuda.so
if [ -f "$stub" ]; then
	ASSAY_LIBCUDA=$stub run_assay devices
	expect_out "assay: no CUDA driver: $stub is the CUDA toolkit's stub library, not a driver (CUDA_ERROR_STUB_LIBRARY)"
else
	skip "no CUDA toolkit stub library at $stub"
fi
run_assay devices extra
expect_rc 2 "an operand"
expect_err "'assay devices' takes no operand, got 'extra'"
finish
