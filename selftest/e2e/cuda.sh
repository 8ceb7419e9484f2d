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

# --each-gpu: each case runs on each device, a test of its own pinned
# to it (ID@gpuK), its device's suite in the report
mkdir -p e
printf '.global assay_gpu_shape_%s[2]\n' adds faults zlast >e/e.ptx
ASSAY_LIBCUDA=$fake run_assay run -v --state-dir '' --each-gpu --no-isolate-failures \
	--junit e.xml e
expect_rc 1
for d in 0 1; do
	for c in adds zlast; do
		grep -q "^PASS .* e.ptx@gpu$d::$c\$" "$W/out"
		check $? "--each-gpu: $c runs on GPU $d"
	done
	grep -q "^CRASH .* e.ptx@gpu$d::faults: the kernel: CUDA_ERROR_ILLEGAL_ADDRESS (700)\$" "$W/out"
	check $? "--each-gpu: faults crashes on GPU $d"
	[ "$(grep -c "<testcase classname=\"e.ptx@gpu$d\"" e.xml)" = 3 ]
	check $? "--each-gpu: the report's suite e.ptx@gpu$d holds GPU $d's 3 cases"
done
expect_out "assay: GPU 1 (GPU-10111213-1415-1617-1819-1a1b1c1d1e1f) passed its canary after e.ptx@gpu1::faults crashed on it"
expect_out "    note: on GPU 1 (GPU-10111213-1415-1617-1819-1a1b1c1d1e1f, Fake GPU 1)"
! grep -q 'classname="e.ptx"' e.xml
check $? "--each-gpu: no case reported outside its device's suite"
expect_last "assay: 4 passed, 2 failed, 0 skipped"
# a device quarantined takes its own tests with it; the other goes on
FAKECUDA_BAD=1 ASSAY_LIBCUDA=$fake run_assay run --state-dir '' --each-gpu \
	--no-isolate-failures -j1 --order given e
expect_rc 1
expect_out "NOT-RUN   0.000s  e.ptx@gpu1::zlast: not run (device lost): GPU 1 (GPU-10111213-1415-1617-1819-1a1b1c1d1e1f) quarantined: its canary failed after e.ptx@gpu1::faults crashed on it"
expect_out "assay: GPU 0 (GPU-00010203-0405-0607-0809-0a0b0c0d0e0f) passed its canary after e.ptx@gpu0::faults crashed on it"
expect_last "assay: 3 passed, 2 failed, 0 skipped"
# with a state directory, each device's copy has a history of its own
ASSAY_LIBCUDA=$fake run_assay run --state-dir st-e --each-gpu --no-isolate-failures e
ASSAY_LIBCUDA=$fake run_assay history --state-dir st-e
expect_out "e.ptx@gpu1::faults"

# the copies are named by the device's id: a resource spec's, here
printf '{"version": {"major": 1, "minor": 0}, "local": [{"gpus": [{"id": "0", "slots": 1}, {"id": "7", "slots": 1}]}]}\n' >spec.json
run_assay list --each-gpu --resource-spec spec.json e
expect_rc 0
[ "$(cat "$W/out")" = "e.ptx@gpu0::adds
e.ptx@gpu7::adds
e.ptx@gpu0::faults
e.ptx@gpu7::faults
e.ptx@gpu0::zlast
e.ptx@gpu7::zlast" ]
check $? "--each-gpu names each copy by its device's id ($(tr '\n' ' ' <"$W/out"))"

# the host-driven tests of assay gpu-check (harness/gpuhost.c): a marker
# in the module names each, and the kernels they launch are the
# module's; the fake runs those kernels on the host as their code would
mkdir -p h
printf '.global assay_gpu_host_%s\n' device_facts context_churn jit_good_module \
	jit_bad_module launch_storm copy_bandwidth stream_event_order \
	illegal_address infinite_loop nosuch >h/h.ptx
printf '.visible .entry assay_gpucheck_%s\n' count spin_set read step store \
	spin_forever >>h/h.ptx
FAKECUDA_DEVICES=1 ASSAY_LIBCUDA=$fake run_assay run -v --state-dir '' -j1 \
	--no-isolate-failures --junit h.xml --junit-output all h
expect_rc 1
for t in device_facts context_churn jit_good_module jit_bad_module launch_storm \
	copy_bandwidth stream_event_order illegal_address infinite_loop; do
	grep -q "^PASS .* h.ptx::$t\$" "$W/out"
	check $? "host-driven test $t passes on a sound device"
done
expect_out "h.ptx::nosuch: assay has no host test nosuch: the module names one (assay_gpu_host_nosuch) that this assay does not know"
expect_last "assay: 9 passed, 1 failed, 0 skipped"
# what each saw and measured is its output
for line in "device: Fake GPU 0, GPU-00010203-0405-0607-0809-0a0b0c0d0e0f, compute capability 9.0" \
	"132 multiprocessors, warps of 32, at most 1024 threads a block, L2 50.0 MiB, compute mode 0" \
	"8 contexts made and destroyed, 32 MiB used in each: 924.0 MiB free before, 924.0 MiB after" \
	"refused: CUDA_ERROR_INVALID_PTX (218)" \
	"its log: ptxas application ptx input, line 8; error   : Unknown symbol '%assay_undeclared'" \
	"a kernel's store to address 16: CUDA_ERROR_ILLEGAL_ADDRESS (700), and the context refused what came after (cuMemAlloc: CUDA_ERROR_ILLEGAL_ADDRESS (700))" \
	"a kernel that spins for ever: still running after 1 s, its process killed (SIGKILL)" \
	"then the canary, in a fresh process: passed in" \
	"64 MiB from pinned memory, 4 rounds, each verified: host to device" \
	"10000 launches of 4 x 64 in" \
	"a kernel of 5.00 ms between two events on one stream; the other stream waited for the second; 64 steps in order"; do
	grep -qF "$line" h.xml
	check $? "the report holds what a host-driven test said: $line"
done
no_process "$ASSAY __gpu-fault"
# each fails, saying what went wrong, when the device does
run_hosts() {   # run_hosts "TEST..." ENV...: a module of those tests alone, run
		# one at a time in their order, with the fake and ENV
	t=$1
	shift
	m=${t%% *}
	mkdir -p "$m"
	printf '.global assay_gpu_host_%s\n' $t >"$m/h.ptx"
	grep entry h/h.ptx >>"$m/h.ptx"
	env "$@" FAKECUDA_DEVICES=1 ASSAY_LIBCUDA=$fake "$ASSAY" run --state-dir '' \
		--no-isolate-failures -j1 --order given "$m" >"$W/out" 2>"$W/err"
	RC=$?
}
run_hosts context_churn FAKECUDA_LEAK=1
expect_rc 1
expect_out "h.ptx::context_churn: device memory leaked: 128.0 MiB less free after 8 contexts were made and destroyed, twice (at most 64 MiB may differ)"
run_hosts copy_bandwidth FAKECUDA_BAD=0
expect_rc 1
grep -Eq "^FAIL .* h.ptx::copy_bandwidth: round 1: the copy back differs at byte 4096 of 67108864: 0x[0-9a-f]{16}, not 0x[0-9a-f]{16}$" "$W/out"
check $? "a copy that comes back wrong fails, naming the byte and both values"
# a canary that fails after the fault or the hang is the device's
# crash: assay checks the device, quarantines it, and what was to run
# there does not
run_hosts "illegal_address launch_storm" FAKECUDA_BAD=0
expect_rc 1
expect_out "CRASH     "
expect_out "h.ptx::illegal_address: the canary after a fault failed: the kernel's result is wrong at 7 of 65536"
expect_out "assay: GPU 0 (GPU-00010203-0405-0607-0809-0a0b0c0d0e0f) quarantined: its canary failed after h.ptx::illegal_address crashed on it"
expect_out "NOT-RUN   0.000s  h.ptx::launch_storm: not run (device lost)"
run_hosts infinite_loop FAKECUDA_BAD=0
expect_rc 1
expect_out "h.ptx::infinite_loop: the canary after a hang failed: the kernel's result is wrong at 7 of 65536"
expect_out "quarantined: its canary failed after h.ptx::infinite_loop crashed on it"
# on a device only one process may open, the fault and the hang cannot
# have their child: skipped, saying so
run_hosts infinite_loop FAKECUDA_MODE=3
expect_rc 0
expect_out "h.ptx::infinite_loop: the device is in exclusive-process compute mode: its child cannot open it while this worker holds it"
expect_last "assay: 0 passed, 0 failed, 1 skipped"
# the child of the fault and hang tests, by itself
"$ASSAY" __gpu-fault h/h.ptx sideways >"$W/out"
RC=$?
expect_rc 2
expect_out "fail usage: assay __gpu-fault MODULE illegal-address|hang"
ASSAY_LIBCUDA=/nonexistent/libcuda.so.1 "$ASSAY" __gpu-fault h/h.ptx hang >"$W/out"
RC=$?
expect_rc 1
expect_out "fail no CUDA driver: /nonexistent/libcuda.so.1 cannot be loaded"

# assay gpu-check: the built-in suite, carried in assay as nvcc's PTX
run_assay gpu-check m
expect_rc 2
expect_err "'assay gpu-check' runs its own suite and takes no path, got 'm'"
suite="$ASSAY_BUILDDIR/harness/gpucheck.ptx"
if [ -f "$suite" ]; then
	FAKECUDA_LOG="$W/jit.log" ASSAY_LIBCUDA=$fake run_assay gpu-check -v --state-dir st
	expect_rc 0
	cmp -s st/gpu-check/gpu-check.ptx "$suite"
	check $? "gpu-check writes its module into the state directory and runs it"
	grep -q '^PASS .* gpu-check.ptx@gpu0::litmus_store_buffering$' "$W/out"
	check $? "its cases are the module's kernels"
	grep -q '^PASS .* gpu-check.ptx@gpu1::stream_event_order$' "$W/out"
	check $? "and its host-driven tests"
	n=$("$ASSAY" list st/gpu-check | wc -l)
	[ "$n" -eq 23 ]
	check $? "the suite's 14 kernels and 9 host-driven tests are listed from its PTX (got $n)"
	# the whole suite on each of the fake's two devices
	for d in 0 1; do
		[ "$(grep -c "^PASS .* gpu-check.ptx@gpu$d::" "$W/out")" = "$n" ]
		check $? "gpu-check runs the whole suite on GPU $d"
	done
	expect_last "assay: $((2 * n)) passed, 0 failed, 0 skipped"
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
