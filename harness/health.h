/*
 * health.h - the health of the GPUs a run uses.
 *
 * After a GPU test crashed or ran past its deadline, each of its
 * devices is checked by a canary (gpuhelper.h: a kernel JIT-compiled
 * from PTX, its result checked), run as `assay __gpu-canary 0` with
 * CUDA_VISIBLE_DEVICES naming the device, as a test given it sees it, in
 * a helper process timed by HEALTH_CANARY_NS. Its owner drains the
 * device meanwhile, and
 * opens it again when the canary passes or quarantines it for good when
 * it fails (sched_gpu_set); health only says which. Never judges a
 * test, never touches the scheduler, never blocks: a canary runs as a
 * proc on the run's loop, and its end is read after the loop's phase.
 */
#ifndef ASSAY_HEALTH_H
#define ASSAY_HEALTH_H

#include <stdbool.h>

#include "gpu.h"
#include "proc.h"

#define HEALTH_CANARY_NS 30000000000u   /* a canary, at most */

struct health_dev {
	struct health *h;
	struct proc proc;
	bool running, ended, again;     /* again: broken once more while its
	                                 * canary ran: check it again */
	char *after;                    /* what broke it */
	char **envp;                    /* its canary's environment */
	char out[256];                  /* what the canary wrote */
	size_t out_len;
};

struct health {
	const struct gpu_list *gpus;
	char *const *base_env;
	struct health_dev *dev;         /* per device */
	unsigned running;               /* canaries now */
	bool stopped;
};

void health_init(struct health *h, const struct gpu_list *gpus,
		 const struct proc_env *env, char *const *base_env);
void health_release(struct health *h);
/* Device d must be checked: after is what broke it ("TEST crashed"). A
 * canary starts unless one runs already (it then runs again after). */
void health_check(struct health *h, unsigned d, const char *after);
/*
 * A device whose canary ended: true with its index in *d, and in *why
 * NULL when it passed, or what failed (valid until the next call);
 * *after is what broke it. false when none ended since the last call.
 */
bool health_next(struct health *h, unsigned *d, const char **why,
		 const char **after);
/* Stops every canary (an interrupted run): they end as failed. */
void health_stop(struct health *h);

#endif
