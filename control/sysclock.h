/*
 * sysclock: steer the host's CLOCK_REALTIME to the clock linetimed serves
 * (steer_system_clock), so logs, TLS and the host agree with the wire.
 *
 * Once per update the caller measures x = served - system (s). The loop
 * sets only the kernel frequency, never its phase, as a PI controller:
 *
 *     freq = r0 + Kp x + Ki integral(x dt),  Kp = 1/T,  Ki = 1/(4 T^2)
 *
 * The system clock's offset then obeys x'' + Kp x' + Ki x = 0 (it drifts
 * at -freq and the frequency error), a second-order loop with a double
 * pole at -1/(2T): critically damped, and the integrator (type II) leaves
 * no standing offset under a constant frequency error e, converging to -e.
 * A phase error x0 decays as x0 (1 - t/2T) e^(-t/2T) (the zero of the PI
 * gives one undershoot, 13.5% at t = 4T) and is 99.8% gone after about
 * 16 T; a frequency error e alone gives -e t e^(-t/2T), peaking at 0.74 e T.
 * The discrete loop is stable while updates are less than 1.6 T apart.
 * The output is held to +-max_ppm; while it is held the integrator stops
 * (anti-windup), so a long slew does not leave a frequency to unwind.
 * An offset above step_threshold is stepped instead (within step_limit);
 * after a step the proportional term is zero, the integrator kept. An
 * update after a gap above 10 T (suspend, stall) does not integrate: that
 * offset says nothing about the frequency the loop was running at.
 *
 * sysclock_update is pure arithmetic; the two syscall wrappers below it
 * are the only code that touches the kernel clock.
 */
#ifndef LT_SYSCLOCK_H
#define LT_SYSCLOCK_H

#define SYSCLOCK_KERNEL_MAX_PPM 500.0   /* Linux MAXFREQ */

struct sysclock_config {
	double step_threshold;  /* s: |offset| above this is stepped (<= 0: never step) */
	int step_limit;         /* steps only in the first N updates; -1 = always */
	double max_ppm;         /* bound on |frequency| (<= 0 or above 500: 500) */
	double time_constant;   /* s: T (<= 0: 16) */
};

/* What to do to the system clock now. */
struct sysclock_action {
	int step;               /* 1: step the clock by step_s */
	double step_s;          /* s: add to the system clock */
	double freq_ppm;        /* absolute kernel frequency (positive: runs faster) */
};

/* Caller-owned loop state; read it through the functions below. */
struct sysclock {
	struct sysclock_config cfg;  /* normalised */
	double integ_ppm;            /* r0 + Ki integral(x dt), ppm */
	double freq_ppm;             /* last output */
	unsigned long n_updates, n_steps;
};

/* Start a loop from the kernel's current frequency (ppm). */
void sysclock_init(struct sysclock *c, const struct sysclock_config *cfg, double kernel_freq_ppm);

/* One measurement: offset = served - system (s), dt = seconds since the
 * previous one (<= 0 on the first). A non-finite offset holds the frequency. */
void sysclock_update(struct sysclock *c, double offset, double dt, struct sysclock_action *out);

/* Frequency the loop last asked for, ppm. */
double sysclock_freq_ppm(const struct sysclock *c);

/* Updates and steps so far. */
void sysclock_counts(const struct sysclock *c, unsigned long *updates, unsigned long *steps);

/* --- kernel side: the only functions that make syscalls ------------------ */

/* Read the kernel frequency (ppm) with clock_adjtime(CLOCK_REALTIME), modes 0:
 * changes nothing, needs no privilege. 0 or -errno. */
int sysclock_kernel_freq(double *ppm);

/* Take the kernel clock over once before the first sysclock_apply: zero any
 * phase the kernel PLL is still slewing (left by another daemon) and turn
 * the PLL off, as chronyd does. Needs CAP_SYS_TIME. 0 or -errno. */
int sysclock_kernel_reset(void);

/* Apply an action: step (ADJ_SETOFFSET, exact however late it runs), set the
 * frequency, and report sync to the kernel (ADJ_STATUS, MAXERROR, ESTERROR):
 * maxerror_s >= 0 is the served clock's root distance and clears STA_UNSYNC;
 * < 0 (or >= 16 s, the kernel's limit) sets it. Call it at every update: the
 * kernel grows maxerror by 500 us/s and marks itself unsynchronised at 16 s.
 * Needs CAP_SYS_TIME. 0 or -errno. */
int sysclock_apply(const struct sysclock_action *a, double maxerror_s);

#endif
