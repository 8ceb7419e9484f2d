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

# --- GPU tests scheduled on the two fake devices ---
# each marks its device busy in $W/busy while it runs, and fails when
# another test holds the device too (or, gpu-exclusive, any slot of it);
# it notes which device it got, and whether another device was busy
mkdir -p busy seen
gt() {
	mk "$1" "d=\$CUDA_VISIBLE_DEVICES
mkdir '$W/busy/'\"\$d.\$\$\" || exit 1
env | grep -E '^(CUDA_|ASSAY_GPU|CTEST_RESOURCE)' | sort >'$W/seen/'\"\$(basename \$0)\"
sleep ${2:-0.5}
n=\$(ls '$W/busy' | grep -c \"^\$d\")
ls '$W/busy' | grep -vq \"^\$d\" && echo \$d >>'$W/seen/together'
rmdir '$W/busy/'\"\$d.\$\$\"
[ \"\$n\" -le ${3:-1} ]"
}
for i in 1 2 3 4; do gt g/t$i; done
gt g/wide
mk g/plain "! env | grep -q '^CUDA_VISIBLE_DEVICES='"   # the control
printf '[tests "g/t*"]\n\tgpus = 1\n[tests "g/wide"]\n\tgpus = 3\n' >gpu.conf
ASSAY_LIBCUDA=$fake run_assay run -j4 --state-dir '' --config gpu.conf g
expect_rc 0
expect_last "assay: 5 passed, 0 failed, 1 skipped"
expect_err "assay: 5 tests need GPUs: 2 CUDA devices, 1 at once on each"
expect_out "SKIP      0.000s  wide: it needs 3 GPUs, and this machine has 2"
[ "$(cat seen/t1 seen/t2 seen/t3 seen/t4 | grep '^CUDA_VISIBLE_DEVICES=' | sort -u | wc -l)" = 2 ]
check $? "the GPU tests ran on both devices"
[ -s seen/together ]
check $? "both devices were busy at once"
grep -qx "CUDA_DEVICE_ORDER=PCI_BUS_ID" seen/t1 &&
	grep -Eqx "CUDA_VISIBLE_DEVICES=GPU-(00010203-0405-0607-0809-0a0b0c0d0e0f|10111213-1415-1617-1819-1a1b1c1d1e1f)" seen/t1 &&
	grep -Eqx "ASSAY_GPUS=[01]" seen/t1 && grep -qx "CTEST_RESOURCE_GROUP_COUNT=1" seen/t1 &&
	grep -qx "CTEST_RESOURCE_GROUP_0=gpus" seen/t1 &&
	grep -Eqx "CTEST_RESOURCE_GROUP_0_GPUS=id:[01],slots:1" seen/t1
check $? "a GPU test is told its device: CUDA_VISIBLE_DEVICES, ASSAY_GPUS, CTest's variables"

# a CTest resource spec in place of the driver: its ids and slots
rm -f seen/*
cat >spec.json <<'EOF'
{"version": {"major": 1, "minor": 0},
 "local": [{"gpus": [{"id": "3", "slots": 1}, {"id": "7", "slots": 1}],
            "crypto_chips": [{"id": "card0", "slots": 4}]}]}
EOF
printf '[tests "g/t*"]\n\tgpus = 1\n[tests "g/wide"]\n\tgpus = 3\n' >gpu.conf
ASSAY_LIBCUDA=/nonexistent run_assay run -j4 --state-dir '' --config gpu.conf \
	--resource-spec spec.json g
expect_rc 0 "a resource spec's devices, without a driver"
expect_last "assay: 5 passed, 0 failed, 1 skipped"
expect_err "assay: 5 tests need GPUs: 2 devices of spec.json"
expect_err "assay: warning: spec.json: assay schedules its gpus only, not: crypto_chips"
[ "$(cat seen/t1 seen/t2 seen/t3 seen/t4 | grep '^CUDA_VISIBLE_DEVICES=' | sort -u | tr '\n' ' ')" = "CUDA_VISIBLE_DEVICES=3 CUDA_VISIBLE_DEVICES=7 " ]
check $? "the tests got the spec's two devices by their ids"
grep -Eqx "CTEST_RESOURCE_GROUP_0_GPUS=id:(3|7),slots:1" seen/t1 && grep -Eqx "ASSAY_GPUS=(3|7)" seen/t1
check $? "CTest's variables and ASSAY_GPUS name the spec's ids"
printf '{"version": {"major": 2, "minor": 0}, "local": [{}]}' >bad.json
run_assay run --resource-spec bad.json g
expect_rc 2 "a spec of another version"
expect_err "assay: bad.json: resource spec version 2.0: assay reads 1.0"
printf '{"version": {"major": 1, "minor": 0}, "local": [{"gpus": [{"id": "0"}]}]}' >bad.json
run_assay run --resource-spec bad.json g
expect_err "assay: bad.json: gpus[0] (id 0) needs \"slots\": a whole number from 1 to 64"
printf '{"version": {"major": 1, "minor": 0}, "local": [{"gpus": [{"id": "0", "slots": 1}, {"id": "0", "slots": 2}]}]}' >bad.json
run_assay run --resource-spec bad.json g
expect_err "assay: bad.json: gpu id 0 is there twice"
printf '{"version": ' >bad.json
run_assay run --resource-spec bad.json g
expect_rc 2 "a spec that is not JSON"
expect_err "assay: bad.json:1: not JSON, so not a resource spec: "

# two slots a device: two tests share one, an exclusive test has it alone
rm -f seen/*
for i in 1 2 3 4; do gt s/t$i 0.5 2; done
gt s/ex 0.5 1
printf '[tests "s/t*"]\n\tgpus = 1\n[tests "s/ex"]\n\tgpu-exclusive = true\n' >gpu.conf
ASSAY_LIBCUDA=$fake run_assay run -j5 --gpu-slots 2 --state-dir '' --config gpu.conf s
expect_rc 0
expect_last "assay: 5 passed, 0 failed, 0 skipped"
grep -Eqx "CTEST_RESOURCE_GROUP_0_GPUS=id:[01],slots:2" seen/ex
check $? "an exclusive test holds every slot of its device"

# a program written with assay/test.h says it in its attributes (gpus=1)
if [ -x "$ASSAY_BUILDDIR/selftest/api/attrs" ]; then
	mkdir -p api && cp "$ASSAY_BUILDDIR/selftest/api/attrs" api/attrs
	ASSAY_LIBCUDA=$fake run_assay run --state-dir '' --tag gpu api
	expect_rc 0 "a test API program's GPU test"
	expect_out "PASS"
	expect_out "attrs::gpu::told"
	expect_err "assay: 1 test needs GPUs: 2 CUDA devices, 1 at once on each"
else
	skip "selftest/api/attrs is not built"
	skip "selftest/api/attrs is not built"
	skip "selftest/api/attrs is not built"
	skip "selftest/api/attrs is not built"
fi

# device health: a GPU test that crashes drains its device (the first,
# with -j1 and the given order) until a canary (a kernel JIT-compiled
# from PTX, here run by the fake driver) says it is well; one whose
# canary fails is quarantined, and a test that needs both devices is
# not run, while the other device goes on
mk h/a_crash 'kill -SEGV $$'
mk h/b_two "echo \$CUDA_VISIBLE_DEVICES >'$W/h.two'"
mk h/c_one "echo \$CUDA_VISIBLE_DEVICES >'$W/h.one'"
printf '[tests "h/*"]\n\tgpus = 1\n[tests "h/b_two"]\n\tgpus = 2\n' >health.conf
FAKECUDA_BAD=0 ASSAY_LIBCUDA=$fake run_assay run -j1 --order given --state-dir '' \
	--no-isolate-failures --config health.conf h
expect_rc 1
expect_out "CRASH     "
expect_out "    note: on GPU 0 (GPU-00010203-0405-0607-0809-0a0b0c0d0e0f, Fake GPU 0)"
expect_out "assay: GPU 0 (GPU-00010203-0405-0607-0809-0a0b0c0d0e0f) quarantined: its canary failed after a_crash crashed on it: the kernel's result is wrong at 7 of 65536"
expect_out "b_two: not run (device lost): GPU 0 (GPU-00010203-0405-0607-0809-0a0b0c0d0e0f) quarantined"
[ ! -e h.two ] && [ "$(cat h.one)" = GPU-10111213-1415-1617-1819-1a1b1c1d1e1f ]
check $? "the quarantined device takes no more tests; the other one does"
rm -f h.one h.two
# copies of a test the lost device strands: one not-run result for it
FAKECUDA_BAD=0 ASSAY_LIBCUDA=$fake run_assay run -j1 --order given --state-dir '' \
	--no-isolate-failures --stress 2 --config health.conf h
[ "$(grep -c 'b_two: not run (device lost)' "$W/out")" = 1 ]
check $? "a stranded test with --stress copies is not run once, not once per copy"
rm -f h.one h.two
ASSAY_LIBCUDA=$fake run_assay run -j1 --order given --state-dir '' \
	--no-isolate-failures --config health.conf h
expect_out "assay: GPU 0 (GPU-00010203-0405-0607-0809-0a0b0c0d0e0f) passed its canary after a_crash crashed on it"
[ "$(cat h.two)" = "GPU-00010203-0405-0607-0809-0a0b0c0d0e0f,GPU-10111213-1415-1617-1819-1a1b1c1d1e1f" ]
check $? "a device that passed its canary takes tests again"
expect_last "assay: 2 passed, 1 failed, 0 skipped"
# the canary sees its device as a test does (CUDA_VISIBLE_DEVICES): a
# resource spec's device 7 is checked, not the driver's second device
printf '{"version": {"major": 1, "minor": 0}, "local": [{"gpus": [{"id": "3", "slots": 1}, {"id": "7", "slots": 1}]}]}' >spec2.json
mk h2/a_crash 'kill -SEGV $$'
mk h2/b_crash 'kill -SEGV $$'
printf '[tests "h2/*"]\n\tgpus = 1\n' >h2.conf
FAKECUDA_DEVICES=8 FAKECUDA_BAD=7 ASSAY_LIBCUDA=$fake run_assay run -j1 --order given \
	--state-dir '' --no-isolate-failures --resource-spec spec2.json --config h2.conf h2
expect_out "assay: GPU 3 (3) passed its canary after a_crash crashed on it"
expect_out "assay: GPU 7 (7) quarantined: its canary failed after b_crash crashed on it: the kernel's result is wrong at 7 of 65536"

# the canary's kernel is PTX the driver's JIT compiles: ptxas, where the
# CUDA toolkit is installed, compiles it for the oldest and a new device
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
if [ -x "$ptxas" ]; then
	"$ASSAY" __gpu-canary --ptx >canary.ptx
	"$ptxas" --gpu-name sm_75 canary.ptx -o canary75.cubin &&
		"$ptxas" --gpu-name sm_90 canary.ptx -o canary90.cubin
	check $? "ptxas compiles the canary's PTX for sm_75 and sm_90"
else
	skip "no ptxas (the CUDA toolkit) to compile the canary's PTX with"
fi

# a CUDA program built with nvcc (selftest/gpu/vecadd.cu), as a GPU test:
# with the machine's own driver, it passes on a GPU and is skipped,
# saying why, without one; never passed without running
vecadd="$ASSAY_BUILDDIR/selftest/gpu/vecadd"
if [ -x "$vecadd" ]; then
	mkdir -p cu && cp "$vecadd" cu/vecadd
	printf '[tests "cu/*"]\n\tgpus = 1\n' >cu.conf
	run_assay devices
	if grep -q "CUDA device" "$W/out" && ! grep -q "no CUDA" "$W/out"; then
		run_assay run --state-dir '' --config cu.conf cu
		expect_rc 0 "the CUDA program on this machine's GPU"
		expect_out "PASS"
	else
		run_assay run --state-dir '' --config cu.conf cu
		expect_rc 0 "the CUDA program, without a GPU here"
		expect_out "SKIP      0.000s  vecadd: it needs a GPU: "
		# and by itself: its own skip
		./cu/vecadd >"$W/out" 2>&1
		RC=$?
		expect_rc 77 "the CUDA program by itself, without a GPU"
	fi
else
	skip "selftest/gpu/vecadd is not built (configure found no nvcc)"
	skip "selftest/gpu/vecadd is not built"
	skip "selftest/gpu/vecadd is not built"
fi

# no device: skipped with the reason; --require-gpu: they fail
FAKECUDA_DEVICES=0 ASSAY_LIBCUDA=$fake run_assay run --state-dir '' --config gpu.conf s
expect_rc 0 "GPU tests without a GPU are skipped"
expect_last "assay: 0 passed, 0 failed, 5 skipped"
expect_out "ex: it needs a GPU: no CUDA device: the driver found none"
expect_err "assay: 5 tests that need GPUs cannot have them: no CUDA device: the driver found none (they are skipped)"
FAKECUDA_DEVICES=0 ASSAY_LIBCUDA=$fake run_assay run --state-dir '' --require-gpu --config gpu.conf s
expect_rc 1 "--require-gpu"
expect_last "assay: 0 passed, 5 failed, 0 skipped"
expect_out "it needs a GPU: no CUDA device: the driver found none (--require-gpu)"
finish
