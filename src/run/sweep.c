/*
 * sweep.c - ft_sweep_parse: the settings a comparison fits, from text like
 * "baseline reweigh prejudice:eta=1,5,25 eg:dp:eps=0.01,0.05".
 *
 * A token is NAME[:CHOICE][:k=v1,v2,...[,k2=w1,w2]]: values after k= belong
 * to k until the next k2=, and every combination of the values is one
 * setting, the last parameter varying fastest.  Every single value goes
 * through the registry's own parser (its checks, its messages, its reading
 * of the number), and every combination's canonical text
 * (ft_method_spec_format) must parse back to the same values.  "baseline"
 * (or "logreg"; for rankings "listnet") is the unmitigated model, which
 * always comes first; rankings sweep ranking methods and re-rankers; the
 * settings of one method are kept together, methods in order of first
 * appearance, and a setting listed twice is one setting.
 */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "run/run.h"

/* The stage to parse a row's specs in: re-rankers by their own (the
 * registry leaves them out of "any stage" for a task). */
#define STAGE(m) ((m)->stage == FT_STAGE_RERANK ? FT_STAGE_RERANK : -1)

/* Values a parameter may take in one token. */
#define MAXV 64

void ft_sweep_free(struct ft_sweep *sw)
{
	if (!sw)
		return;
	for (size_t k = 0; k < sw->n; k++) {
		free(sw->s[k].method);
		free(sw->s[k].setting);
		free(sw->s[k].label);
	}
	free(sw->s);
	free(sw);
}

/* Append a setting unless one with the same canonical text is there. */
static int push(struct ft_sweep *sw, const struct ft_method_spec *spec, const char *method,
                const char *setting, const char *label, struct ft_error *err)
{
	struct ft_sweep_setting *s;

	for (size_t k = 0; k < sw->n; k++)
		if (!strcmp(sw->s[k].setting, setting))
			return 0;    /* listed twice: one setting */
	if (sw->n == FT_SWEEP_MAX)
		return ft_error_set(err, FT_EINVAL, "methods: more than %d settings",
		                    FT_SWEEP_MAX);
	if (!(sw->n % 16)) {
		void *t = realloc(sw->s, (sw->n + 16) * sizeof *sw->s);
		if (!t)
			return ft_error_set(err, FT_ENOMEM, "out of memory");
		sw->s = t;
	}
	s = &sw->s[sw->n];
	s->spec = *spec;
	s->method = ft_strdup(method);
	s->setting = ft_strdup(setting);
	s->label = ft_strdup(label);
	if (!s->method || !s->setting || !s->label) {
		free(s->method);
		free(s->setting);
		free(s->label);
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	}
	sw->n++;
	return 0;
}

/* The values given in one token: for each parameter the list of values. */
struct token_values {
	double v[FT_MAX_PARAMS][MAXV];
	size_t nv[FT_MAX_PARAMS];
	int given[FT_MAX_PARAMS];
	/* a list parameter ("p=0.2/0.8,0.5/0.5"): each value is a whole list */
	size_t ln[MAXV];
	double lv[MAXV][FT_MAX_LIST];
};

/* One value of parameter k of method m through the registry's parser. */
static int one_value(const struct ft_method *m, size_t k, const char *val,
                     struct token_values *tv, const char *tok, struct ft_error *err)
{
	struct ft_method_spec one;
	struct ft_error e2 = {0};
	char buf[256];

	snprintf(buf, sizeof buf, "%s:%s=%s", m->name, m->params[k].name, val);
	if (ft_method_spec_parse(buf, m->task, STAGE(m), &one, &e2))
		return ft_error_set(err, FT_EINVAL, "methods: %s", e2.msg);
	if (tv->nv[k] == MAXV)
		return ft_error_set(err, FT_EINVAL, "methods: '%s': at most %d values a "
		                    "parameter", tok, MAXV);
	if (m->params[k].list) {
		tv->ln[tv->nv[k]] = one.n_list;
		memcpy(tv->lv[tv->nv[k]], one.list, one.n_list * sizeof *one.list);
	}
	tv->v[k][tv->nv[k]++] = one.params[k];
	return 0;
}

/* The parameter part of a token ("dp:eps=1,2" after "eg:") into tv. */
static int token_params(const struct ft_method *m, const char *tok, char *copy,
                        struct token_values *tv, struct ft_error *err)
{
	size_t fc;
	int cur = -1, rc;

	for (fc = 0; fc < m->n_params && !m->params[fc].choices; fc++)
		;
	/* "eg:dp:eps=1,2" reads as "eg:dp,eps=1,2" */
	for (char *p = copy; *p; p++)
		if (*p == ':')
			*p = ',';
	for (char *p = copy;;) {
		char *comma = strchr(p, ','), *eq, *val;
		if (comma)
			*comma = '\0';
		if (!*p)
			return ft_error_set(err, FT_EINVAL, "methods: '%s': empty value", tok);
		if ((eq = strchr(p, '=')) != NULL) {
			size_t k;
			*eq = '\0';
			for (k = 0; k < m->n_params && strcmp(m->params[k].name, p); k++)
				;
			if (k == m->n_params) {
				struct ft_method_spec one;
				struct ft_error e2 = {0};
				char buf[256];
				snprintf(buf, sizeof buf, "%s:%s=%s", m->name, p, eq + 1);
				ft_method_spec_parse(buf, m->task, STAGE(m), &one, &e2);
				return ft_error_set(err, FT_EINVAL, "methods: %s", e2.msg);
			}
			if (tv->given[k])
				return ft_error_set(err, FT_EINVAL, "methods: '%s': parameter '%s' "
				                    "given twice", tok, p);
			cur = (int)k;
			val = eq + 1;
		} else {
			if (cur < 0) {
				if (fc == m->n_params)
					return ft_error_set(err, FT_EINVAL, "methods: '%s': '%s' is not "
					                    "NAME=VALUE", tok, p);
				cur = (int)fc;
			}
			val = p;
		}
		tv->given[cur] = 1;
		if ((rc = one_value(m, (size_t)cur, val, tv, tok, err)))
			return rc;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

/* Every combination of tv's values as settings. */
static int combinations(struct ft_sweep *sw, const struct ft_method *m, int baseline,
                        const struct token_values *tv, const char *tok,
                        struct ft_error *err)
{
	size_t total = 1;
	int rc;

	for (size_t k = 0; k < m->n_params; k++)
		if (tv->given[k] && (total *= tv->nv[k]) > FT_SWEEP_MAX)
			return ft_error_set(err, FT_EINVAL, "methods: '%s' makes more than %d "
			                    "settings", tok, FT_SWEEP_MAX);
	for (size_t idx = 0; idx < total; idx++) {
		struct ft_method_spec want, got;
		struct ft_error e2 = {0};
		char setting[512];
		const char *colon;
		size_t r = idx;
		int ok;

		memset(&want, 0, sizeof want);
		want.method = m;
		for (size_t k = 0; k < m->n_params; k++)
			want.params[k] = m->params[k].def;
		for (size_t k = m->n_params; k-- > 0;)
			if (tv->given[k]) {
				size_t i = r % tv->nv[k];
				want.params[k] = tv->v[k][i];
				want.given[k] = 1;
				if (m->params[k].list) {
					want.n_list = tv->ln[i];
					memcpy(want.list, tv->lv[i], tv->ln[i] * sizeof *want.list);
				}
				r /= tv->nv[k];
			}
		ft_method_spec_format(&want, setting, sizeof setting);
		ok = ft_method_spec_parse(setting, m->task, STAGE(m), &got, &e2) == 0 &&
		     got.method == m;
		for (size_t k = 0; ok && k < m->n_params; k++)
			ok = got.params[k] == want.params[k];
		ok = ok && got.n_list == want.n_list &&
		     !memcmp(got.list, want.list, want.n_list * sizeof *want.list);
		if (!ok)
			return ft_error_set(err, FT_EINVAL, "methods: '%s': %s", tok,
			                    e2.msg[0] ? e2.msg : "setting does not parse back");
		colon = strchr(setting, ':');
		if ((rc = push(sw, &want, baseline ? "baseline" : m->name, setting,
		               colon ? colon + 1 : baseline ? "baseline" : m->name, err)))
			return rc;
	}
	return 0;
}

/* One token of the sweep into settings (rows of task; the baseline is
 * that task's unmitigated row, base). */
static int sweep_token(struct ft_sweep *sw, const char *tok, int task, const char *base,
                       struct ft_error *err)
{
	const struct ft_method *m;
	struct ft_method_spec s;
	struct ft_error e2 = {0};
	struct token_values *tv = calloc(1, sizeof *tv);
	const char *colon = strchr(tok, ':');
	size_t len = colon ? (size_t)(colon - tok) : strlen(tok);
	char name[64], *copy = NULL;
	int baseline, rc;

	if (!tv)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (len == 0 || len >= sizeof name) {
		rc = ft_error_set(err, FT_EINVAL, "methods: '%s' has no method name", tok);
		goto done;
	}
	memcpy(name, tok, len);
	name[len] = '\0';
	baseline = !strcmp(name, "baseline") || !strcmp(name, base);
	m = ft_method_find(baseline ? base : name);
	if (ft_method_spec_parse(baseline ? base : name, task,
	                         m && m->task == task ? STAGE(m) : -1, &s, &e2)) {
		rc = ft_error_set(err, FT_EINVAL, "methods: %s (or baseline)", e2.msg);
		goto done;
	}
	m = s.method;
	if (colon && !colon[1]) {
		rc = ft_error_set(err, FT_EINVAL, "methods: '%s': nothing after ':'", tok);
		goto done;
	}
	if (colon && (!(copy = ft_strdup(colon + 1)) ||
	              (rc = token_params(m, tok, copy, tv, err)))) {
		if (!copy)
			rc = ft_error_set(err, FT_ENOMEM, "out of memory");
		goto done;
	}
	rc = combinations(sw, m, baseline, tv, tok, err);
done:
	free(copy);
	free(tv);
	return rc;
}

/* The settings of one method together, methods in order of first
 * appearance (a stable insertion sort on that order). */
static void group_methods(struct ft_sweep *sw)
{
	for (size_t i = 1; i < sw->n; i++) {
		struct ft_sweep_setting x = sw->s[i];
		size_t first = 0, j = i;
		while (strcmp(sw->s[first].method, x.method))
			first++;
		/* move x back to just after the last setting of its method */
		while (j > first + 1 && strcmp(sw->s[j - 1].method, x.method)) {
			sw->s[j] = sw->s[j - 1];
			j--;
		}
		sw->s[j] = x;
	}
}

int ft_sweep_parse(const char *text, struct ft_sweep **out, struct ft_error *err)
{
	return ft_sweep_parse_task(text, FT_TASK_CLASSIFY, out, err);
}

int ft_sweep_parse_task(const char *text, int task, struct ft_sweep **out,
                        struct ft_error *err)
{
	struct ft_sweep *sw = calloc(1, sizeof *sw);
	struct ft_method_spec base;
	const char *bname = task == FT_TASK_RANK ? "listnet" : "logreg";
	char tok[512];
	const char *p = text ? text : "";
	int rc;

	*out = NULL;
	if (!sw)
		return ft_error_set(err, FT_ENOMEM, "out of memory");
	if (task != FT_TASK_CLASSIFY && task != FT_TASK_RANK) {
		rc = ft_error_set(err, FT_EINVAL, "methods: unknown task %d", task);
		goto fail;
	}
	/* the baseline first, always */
	ft_method_spec_parse(bname, task, -1, &base, err);
	if ((rc = push(sw, &base, "baseline", bname, "baseline", err)))
		goto fail;
	while (*p) {
		size_t len;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \t\n");
		if (len >= sizeof tok) {
			rc = ft_error_set(err, FT_EINVAL, "methods: a setting of %zu characters is "
			                  "too long", len);
			goto fail;
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		p += len;
		if ((rc = sweep_token(sw, tok, task, bname, err)))
			goto fail;
	}
	group_methods(sw);
	*out = sw;
	return 0;
fail:
	ft_sweep_free(sw);
	return rc;
}
