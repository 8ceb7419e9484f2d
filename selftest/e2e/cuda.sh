#!/bin/sh
# The cuda kind: GPU modules of assay/gpu.h test kernels, listed from
# the module itself and run, through the stand-in driver
# (selftest/gpu/fakecuda.c), by assay's own worker on the device each
# test was given: a pass, failed checks with their place and values, a
# fault (a crash, the canary after it, the rest of the batch still run),
# a hang (a timeout that says GPU hang), a device that cannot be opened,
# no driver at all. With nvcc, the real PTX of selftest/gpu/kernels.cu
# is listed too, and assay gpu-check's built-in suite is run.
. "$(dirname "$0")/lib.sh"

fake="$ASSAY_BUILDDIR/selftest/gpu/fakecuda.so"
if [ ! -f "$fake" ]; then
	skip "selftest/gpu/fakecuda.so is not built (make check builds it)"
	finish
fi

# a module as the fake driver takes it: text naming its tests' shapes
mkdir -p m
printf '.global assay_gpu_shape_adds[2]\n.global assay_gpu_shape_fails_checks[2]\n.global assay_gpu_shape_faults[2]\n.global assay_gpu_shape_hangs[2]\n.global assay_gpu_shape_zlast[2]\n' >m/t.ptx
printf '.entry some_kernel\n' >m/other.ptx             # no test kernels
cp m/t.ptx m/t.txt                                      # not a module's name

run_assay list m
expect_rc 0
[ "$(cat "$W/out")" = "t.ptx::adds
t.ptx::fails_checks
t.ptx::faults
t.ptx::hangs
t.ptx::zlast" ]
check $? "a module's test kernels are its cases; other modules and files are not tests"

ASSAY_LIBCUDA=$fake run_assay run --state-dir '' -j2 --timeout 2 --no-isolate-failures m
expect_rc 1
grep -q '^PASS .* t.ptx::adds$' "$W/out"
check $? "a kernel with no failed check passes"
expect_out "FAIL      "
grep -q '^FAIL .* t.ptx::fails_checks: fake.cu:12: 3 failed checks; the first: x + 1 == y: 3 != 4 (block (1,0,0) thread (5,0,0))$' "$W/out"
check $? "failed checks: how many, the first with its place, values, block and thread"
expect_out "    | fake.cu:14: x < 2 (block (1,0,0) thread (7,0,0))"
grep -q '^CRASH .* t.ptx::faults: the kernel: CUDA_ERROR_ILLEGAL_ADDRESS (700)$' "$W/out"
check $? "a fault in the kernel is the case's crash, with the driver's error"
grep -Eq '^assay: GPU [01] \(GPU-[0-9a-f-]+\) passed its canary after t.ptx::faults crashed on it$' "$W/out"
check $? "the device a kernel faulted on runs its canary before another test"
grep -q '^TIMEOUT .* t.ptx::hangs: timeout after 2s (GPU hang)' "$W/out"
check $? "a kernel that never ends is a timeout that says GPU hang"
grep -q '^PASS .* t.ptx::zlast$' "$W/out"
check $? "the cases after a fault or a hang still run, in a fresh worker"
expect_last "assay: 2 passed, 3 failed, 0 skipped"
no_process "__cuda-run"

# the device cannot be opened: each case is an error saying why
FAKECUDA_CTX=999 ASSAY_LIBCUDA=$fake run_assay run --state-dir '' -j1 --no-isolate-failures m/t.ptx
expect_rc 1
grep -q '^ERROR .* m/t.ptx::adds: the program ended (exit 99) before its first case: m/t.ptx: the device or the module cannot be opened: CUDA_ERROR_UNKNOWN (999)$' "$W/out"
check $? "a worker that cannot open its device: its cases are errors, with its words"
expect_last "assay: 0 passed, 5 failed, 0 skipped"

# no driver: skipped with the reason, never passed
ASSAY_LIBCUDA=/nonexistent/libcuda.so.1 run_assay run --state-dir '' m/t.ptx
expect_rc 0
expect_out "SKIP      0.000s  m/t.ptx::adds: it needs a GPU: no CUDA driver: /nonexistent/libcuda.so.1 cannot be loaded"
expect_last "assay: 0 passed, 0 failed, 5 skipped"

# the real thing, compiled by nvcc: the PTX carries its tests' list
ptx="$ASSAY_BUILDDIR/selftest/gpu/kernels.ptx"
if [ -f "$ptx" ]; then
	cp "$ptx" m/kernels.ptx
	run_assay list m/kernels.ptx
	[ "$(cat "$W/out")" = "m/kernels.ptx::integer_ops
m/kernels.ptx::shared_atomics
m/kernels.ptx::warp_vote_shuffle" ]
	check $? "nvcc's PTX of assay/gpu.h tests lists them (got: $(tr '\n' ' ' <"$W/out"))"
	grep -q '^\.visible \.entry assay_gpu_test_integer_ops(' m/kernels.ptx
	check $? "each test is a kernel of its own name"
else
	skip "selftest/gpu/kernels.ptx is not built (no nvcc): the real PTX not listed"
fi

# assay gpu-check: the built-in suite, carried in assay as nvcc's PTX
run_assay gpu-check m
expect_rc 2
expect_err "'assay gpu-check' runs its own suite and takes no path, got 'm'"
suite="$ASSAY_BUILDDIR/harness/gpucheck.ptx"
if [ -f "$suite" ]; then
	FAKECUDA_LOG="$W/jit.log" ASSAY_LIBCUDA=$fake run_assay gpu-check --state-dir st
	expect_rc 0
	cmp -s st/gpu-check/gpu-check.ptx "$suite"
	check $? "gpu-check writes its module into the state directory and runs it"
	grep -q '^PASS .* gpu-check.ptx::litmus_store_buffering$' "$W/out"
	check $? "its cases are the module's kernels"
	n=$("$ASSAY" list st/gpu-check | wc -l)
	[ "$n" -ge 14 ]
	check $? "the suite's kernels are listed from its PTX (got $n)"
	expect_last "assay: $n passed, 0 failed, 0 skipped"
	grep -qx 'CUDA_CACHE_DISABLE=1' "$W/jit.log" && ! grep -qvx 'CUDA_CACHE_DISABLE=1' "$W/jit.log"
	check $? "the driver's JIT compiles it afresh each time (CUDA_CACHE_DISABLE=1)"
	# run again: the module, as it was, is not written again (its
	# listing stays cached)
	inode=$(stat -c %i st/gpu-check/gpu-check.ptx)
	ASSAY_LIBCUDA=$fake run_assay gpu-check --state-dir st
	expect_rc 0
	[ "$(stat -c %i st/gpu-check/gpu-check.ptx)" = "$inode" ]
	check $? "a second run leaves the module as it was"
	# no driver: skipped, saying why; --require-gpu: failed. Without a
	# state directory the module is written to a temporary one, removed
	mkdir -p tmp
	TMPDIR=$W/tmp ASSAY_LIBCUDA=/nonexistent/libcuda.so.1 run_assay gpu-check --state-dir ''
	expect_rc 0
	expect_out "gpu-check.ptx::barriers: it needs a GPU: no CUDA driver"
	expect_last "assay: 0 passed, 0 failed, $n skipped"
	[ -z "$(ls tmp)" ]
	check $? "its temporary directory is gone after the run (left: $(ls tmp))"
	ASSAY_LIBCUDA=/nonexistent/libcuda.so.1 run_assay gpu-check --state-dir '' --require-gpu
	expect_rc 1
	expect_last "assay: 0 passed, $n failed, 0 skipped"
	# the PTX is sound for the devices assay is built for: ptxas
	# assembles it (the driver's JIT does the same on the device)
	ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
	if [ -x "$ptxas" ]; then
		for a in sm_75 sm_90; do
			"$ptxas" -arch=$a "$suite" -o "$W/suite-$a.cubin" 2>"$W/ptxas.err"
			check $? "ptxas assembles the suite for $a$(sed 's/^/: /' "$W/ptxas.err" | head -n 3)"
		done
	else
		skip "no ptxas: the suite's PTX not assembled"
	fi
else
	run_assay gpu-check --state-dir ''
	expect_rc 3
	expect_err "this assay was built without nvcc, so it carries no GPU suite"
fi
finish
