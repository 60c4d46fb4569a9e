/*
 * dp_budget.c - the privacy budget of a run: a total (epsilon, delta),
 * optional shares for the stages (encoder statistics, training,
 * post-processing, measurement), and every spend with its mechanism.
 *
 * Composition is sequential (Dwork & Roth, "The Algorithmic Foundations of
 * Differential Privacy", Theorem 3.16): the epsilons and the deltas of the
 * mechanisms run on the same data add up.  A method that composes many
 * mechanisms more tightly (advanced composition over the rounds of dp-eg)
 * records the composed total as one spend and says so in its `what`.
 *
 * A spend is checked against its stage's share and the run's total before
 * it is recorded; a refusal changes nothing and says in one line which
 * stage wanted what and what was left.  Shares that add up to the total
 * (0.1 + 0.2 + 0.7) do not always add up in floating point, so sums are
 * compared with a relative slack of SLACK.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "fairtrain.h"

#define SLACK 1e-12

static const char *const STAGE[FT_DP_N_STAGES] = {
	"encoder", "training", "postprocessing", "measurement"
};

const char *ft_dp_stage_name(int stage)
{
	return stage >= 0 && stage < FT_DP_N_STAGES ? STAGE[stage] : "unknown";
}

int ft_budget_init(struct ft_budget *b, double epsilon, double delta,
                   struct ft_error *err)
{
	memset(b, 0, sizeof *b);
	if (!(epsilon > 0.0) || !(delta >= 0.0 && delta < 1.0))
		return ft_error_set(err, FT_EINVAL, "budget: needs epsilon > 0 and delta in "
		                    "[0, 1), not %g and %g", epsilon, delta);
	b->epsilon = epsilon;
	b->delta = delta;
	for (int s = 0; s < FT_DP_N_STAGES; s++)
		b->allot_eps[s] = b->allot_delta[s] = INFINITY;
	return 0;
}

void ft_budget_spent(const struct ft_budget *b, int stage, double *epsilon,
                     double *delta)
{
	double e = 0.0, d = 0.0;

	for (size_t k = 0; k < b->n; k++)
		if (stage < 0 || b->spend[k].stage == stage) {
			e += b->spend[k].epsilon;
			d += b->spend[k].delta;
		}
	*epsilon = e;
	*delta = d;
}

/* a <= cap up to the slack (cap may be INFINITY) */
static int fits(double a, double cap)
{
	return a <= cap || a <= cap * (1.0 + SLACK);
}

int ft_budget_allot(struct ft_budget *b, int stage, double epsilon, double delta,
                    struct ft_error *err)
{
	double se = 0.0, sd = 0.0, ue, ud;

	if (stage < 0 || stage >= FT_DP_N_STAGES)
		return ft_error_set(err, FT_EINVAL, "budget: unknown stage %d", stage);
	if (!(epsilon >= 0.0) || !(delta >= 0.0))
		return ft_error_set(err, FT_EINVAL, "budget: %s: a share needs epsilon and "
		                    "delta >= 0", STAGE[stage]);
	for (int s = 0; s < FT_DP_N_STAGES; s++) {
		double e = s == stage ? epsilon : b->allot_eps[s];
		double d = s == stage ? delta : b->allot_delta[s];
		if (isfinite(e))
			se += e;
		if (isfinite(d))
			sd += d;
	}
	if (!fits(se, b->epsilon) || !fits(sd, b->delta))
		return ft_error_set(err, FT_EINVAL, "budget: the shares would add up to epsilon "
		                    "%g, delta %g, more than the run's total %g, %g", se, sd,
		                    b->epsilon, b->delta);
	ft_budget_spent(b, stage, &ue, &ud);
	if (!fits(ue, epsilon) || !fits(ud, delta))
		return ft_error_set(err, FT_EINVAL, "budget: %s has already spent epsilon %g, "
		                    "delta %g, more than a share of %g, %g", STAGE[stage], ue, ud,
		                    epsilon, delta);
	b->allot_eps[stage] = epsilon;
	b->allot_delta[stage] = delta;
	return 0;
}

int ft_budget_spend(struct ft_budget *b, int stage, const char *mechanism,
                    const char *what, double epsilon, double delta,
                    struct ft_error *err)
{
	double se, sd, te, td;
	struct ft_dp_spend *sp;

	if (stage < 0 || stage >= FT_DP_N_STAGES)
		return ft_error_set(err, FT_EINVAL, "budget: unknown stage %d", stage);
	if (!(epsilon > 0.0) || !isfinite(epsilon) || !(delta >= 0.0 && delta < 1.0))
		return ft_error_set(err, FT_EINVAL, "budget: %s: a spend needs a finite epsilon "
		                    "> 0 and delta in [0, 1), not %g and %g", STAGE[stage],
		                    epsilon, delta);
	ft_budget_spent(b, stage, &se, &sd);
	ft_budget_spent(b, -1, &te, &td);
	if (!fits(se + epsilon, b->allot_eps[stage]) || !fits(sd + delta, b->allot_delta[stage]) ||
	    !fits(te + epsilon, b->epsilon) || !fits(td + delta, b->delta)) {
		int stage_binds = !fits(se + epsilon, b->allot_eps[stage]) ||
		                  !fits(sd + delta, b->allot_delta[stage]);
		if (stage_binds)
			return ft_error_set(err, FT_EINVAL, "budget: %s would spend epsilon %g, "
			                    "delta %g on %s but has epsilon %g, delta %g left of its "
			                    "share %g, %g (run total %g, %g)", STAGE[stage], epsilon,
			                    delta, mechanism ? mechanism : "?", b->allot_eps[stage] - se,
			                    b->allot_delta[stage] - sd, b->allot_eps[stage],
			                    b->allot_delta[stage], b->epsilon, b->delta);
		return ft_error_set(err, FT_EINVAL, "budget: %s would spend epsilon %g, delta %g "
		                    "on %s but the run has epsilon %g, delta %g left of its total "
		                    "%g, %g", STAGE[stage], epsilon, delta,
		                    mechanism ? mechanism : "?", b->epsilon - te, b->delta - td,
		                    b->epsilon, b->delta);
	}
	if (b->n >= FT_DP_MAX_SPENDS)
		return ft_error_set(err, FT_EINVAL, "budget: more than %d spends",
		                    FT_DP_MAX_SPENDS);
	sp = &b->spend[b->n++];
	sp->stage = stage;
	snprintf(sp->mechanism, sizeof sp->mechanism, "%s", mechanism ? mechanism : "");
	snprintf(sp->what, sizeof sp->what, "%s", what ? what : "");
	sp->epsilon = epsilon;
	sp->delta = delta;
	return 0;
}

int ft_budget_merge(struct ft_budget *into, const struct ft_budget *from,
                    struct ft_error *err)
{
	struct ft_budget tmp = *into;
	int rc;

	for (size_t k = 0; k < from->n; k++) {
		const struct ft_dp_spend *s = &from->spend[k];
		if ((rc = ft_budget_spend(&tmp, s->stage, s->mechanism, s->what, s->epsilon,
		                          s->delta, err)) != 0)
			return rc;
	}
	tmp.seeded |= from->seeded;
	*into = tmp;
	return 0;
}

size_t ft_budget_format(const struct ft_budget *b, char *buf, size_t size)
{
	size_t len = 0;
	double e, d;
	int r;

#define OUT(...) do { \
		r = snprintf(buf ? buf + (len < size ? len : size) : NULL, \
		             len < size ? size - len : 0, __VA_ARGS__); \
		if (r > 0) \
			len += (size_t)r; \
	} while (0)
	for (size_t k = 0; k < b->n; k++) {
		const struct ft_dp_spend *s = &b->spend[k];
		OUT("%-15s %-24s %-32s epsilon %-10.6g delta %.6g\n", STAGE[s->stage],
		    s->mechanism, s->what, s->epsilon, s->delta);
	}
	for (int s = 0; s < FT_DP_N_STAGES; s++) {
		ft_budget_spent(b, s, &e, &d);
		if (e == 0.0 && d == 0.0 && !isfinite(b->allot_eps[s]))
			continue;
		OUT("%-15s %-57s epsilon %-10.6g delta %.6g (share %g, %g)\n", STAGE[s],
		    "stage total", e, d, b->allot_eps[s], b->allot_delta[s]);
	}
	ft_budget_spent(b, -1, &e, &d);
	OUT("%-15s %-57s epsilon %-10.6g delta %.6g (budget %g, %g)%s\n", "run", "total",
	    e, d, b->epsilon, b->delta, b->seeded ? "; SEEDED noise: not private" : "");
#undef OUT
	return len;
}
