/*
 * dist.c - the distributed layer: Open MPI in the MPI build (-DFT_MPI,
 * make MPI=1), one rank otherwise.  The rest of the library calls this one
 * interface (core/dist.h, and ft_dist_* of fairtrain.h for front ends).
 *
 * Why sums stay bitwise identical for any number of ranks: ft_parallel_sum
 * cuts the n rows of a sum into chunks that depend on n only, computes each
 * chunk's partial sum into its own buffer and adds the partials to the
 * result in chunk order.  A distributed data set keeps whole chunks on each
 * rank, in order (struct ft_dist_part), so a rank computes the partials of
 * its chunks, and the additions run along the ranks: rank r receives the
 * running sum from rank r - 1, adds its partials in order and passes it on
 * (ft_dist_sum_part); the last rank broadcasts the total.  That is the very
 * sequence of floating-point additions a single process makes, so the bits
 * are the same.  MPI_Allreduce does not promise an order (it may add rank
 * sums as a tree, differently for different rank counts), so it is used
 * only for exact things: integer counts, maxima, minima.  The chain costs
 * np - 1 messages of len doubles in sequence plus one broadcast; the
 * partials themselves are computed on all ranks at once.
 *
 * Errors: a collective returns the same code on every rank (a rank short of
 * memory makes all of them return FT_ENOMEM), and ft_dist_agree gives every
 * rank the first failing rank's message, so that no rank waits in a
 * collective that another rank has left.  MPI's own failures abort the job
 * (MPI_ERRORS_ARE_FATAL): they are not data errors.
 *
 * Threads: collectives are called by the thread that called the verb
 * (MPI_THREAD_FUNNELED); OpenMP runs inside each rank as before.
 *
 * Not here: which rows a rank reads (src/data/shard.c), the distributed
 * steps of the verbs (src/run/dist_run.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef FT_MPI
#include <mpi.h>
#endif
#include "core/dist.h"

static int g_on;                    /* initialised with more than one rank */
static int g_me, g_np = 1;
static uint64_t g_bytes, g_calls;
#ifdef FT_MPI
static int g_inited;                /* ft_dist_init called MPI_Init */
#endif

int ft_dist_on(void) { return g_on; }
int ft_dist_me(void) { return g_me; }
int ft_dist_np(void) { return g_np; }
int ft_dist_rank(void) { return g_me; }
int ft_dist_size(void) { return g_np; }

void ft_dist_stats(uint64_t *bytes, uint64_t *calls)
{
	if (bytes)
		*bytes = g_bytes;
	if (calls)
		*calls = g_calls;
}

void ft_dist_stats_reset(void)
{
	g_bytes = g_calls = 0;
}

#ifdef FT_MPI
static void count(size_t bytes)
{
	g_bytes += bytes;
	g_calls++;
}
#endif

int ft_dist_available(void)
{
#ifdef FT_MPI
	return 1;
#else
	return 0;
#endif
}

int ft_dist_init(int *argc, char ***argv, struct ft_error *err)
{
#ifdef FT_MPI
	int provided = 0, flag = 0;

	if (g_inited)
		return 0;
	MPI_Initialized(&flag);
	if (!flag && MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
	             MPI_SUCCESS)
		return ft_error_set(err, FT_EIO, "MPI_Init failed");
	g_inited = !flag;
	MPI_Comm_rank(MPI_COMM_WORLD, &g_me);
	MPI_Comm_size(MPI_COMM_WORLD, &g_np);
	g_on = g_np > 1;
	return 0;
#else
	(void)argc;
	(void)argv;
	(void)err;
	return 0;
#endif
}

void ft_dist_finalize(void)
{
#ifdef FT_MPI
	if (g_inited)
		MPI_Finalize();
	g_inited = 0;
#endif
	g_on = 0;
	g_me = 0;
	g_np = 1;
}

/* Did any rank fail (flag non-zero)?  Collective; 0 when no rank did. */
static int any(int flag)
{
#ifdef FT_MPI
	int all = 0;

	if (!g_on)
		return flag;
	MPI_Allreduce(&flag, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	count(sizeof(int));
	return all;
#else
	return flag;
#endif
}

int ft_dist_agree(int rc, struct ft_error *err)
{
#ifdef FT_MPI
	int mine = rc ? g_me : g_np, first = g_np;
	struct { int code; char msg[FT_ERROR_MAX]; } e;

	if (!g_on)
		return rc;
	MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	count(sizeof(int));
	if (first == g_np)
		return 0;
	memset(&e, 0, sizeof e);
	if (g_me == first) {
		e.code = rc;
		if (err)
			memcpy(e.msg, err->msg, sizeof e.msg);
	}
	MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD);
	count(sizeof e);
	e.msg[FT_ERROR_MAX - 1] = '\0';
	if (err && g_me != first) {
		err->code = e.code;
		memcpy(err->msg, e.msg, sizeof err->msg);
	}
	return e.code;
#else
	(void)err;
	return rc;
#endif
}

#ifdef FT_MPI
/* Element-wise reduction of n values in place on every rank. */
static int reduce(void *v, size_t n, size_t size, MPI_Datatype type, MPI_Op op)
{
	if (g_on && n) {
		MPI_Allreduce(MPI_IN_PLACE, v, (int)n, type, op, MPI_COMM_WORLD);
		count(n * size);
	}
	return 0;
}
#define REDUCE(v, n, type, op) reduce(v, n, sizeof *(v), type, op)
#else
#define REDUCE(v, n, type, op) ((void)(v), (void)(n), 0)
#endif

int ft_dist_sum_u64(uint64_t *v, size_t n)
{
	return REDUCE(v, n, MPI_UINT64_T, MPI_SUM);
}

int ft_dist_max_i64(int64_t *v, size_t n)
{
	return REDUCE(v, n, MPI_INT64_T, MPI_MAX);
}

/* Minima and maxima are exact whatever the order (NaN never reaches
 * them: the callers pass finite values or +-infinity). */
int ft_dist_min_double(double *v, size_t n)
{
	return REDUCE(v, n, MPI_DOUBLE, MPI_MIN);
}

int ft_dist_max_double(double *v, size_t n)
{
	return REDUCE(v, n, MPI_DOUBLE, MPI_MAX);
}

#ifdef FT_MPI
/* MPI counts are int: large buffers go in pieces of at most 1 GiB. */
#define PIECE ((size_t)1 << 30)

static void bcast_bytes(void *buf, size_t bytes, int root)
{
	for (size_t at = 0; at < bytes; at += PIECE) {
		size_t m = bytes - at < PIECE ? bytes - at : PIECE;
		MPI_Bcast((char *)buf + at, (int)m, MPI_BYTE, root, MPI_COMM_WORLD);
	}
	count(bytes);
}

static void send_bytes(const void *buf, size_t bytes, int to)
{
	for (size_t at = 0; at < bytes; at += PIECE) {
		size_t m = bytes - at < PIECE ? bytes - at : PIECE;
		MPI_Send((const char *)buf + at, (int)m, MPI_BYTE, to, 0, MPI_COMM_WORLD);
	}
	count(bytes);
}

static void recv_bytes(void *buf, size_t bytes, int from)
{
	for (size_t at = 0; at < bytes; at += PIECE) {
		size_t m = bytes - at < PIECE ? bytes - at : PIECE;
		MPI_Recv((char *)buf + at, (int)m, MPI_BYTE, from, 0, MPI_COMM_WORLD,
		         MPI_STATUS_IGNORE);
	}
	count(bytes);
}
#endif

int ft_dist_bcast(void *buf, size_t bytes, int root)
{
#ifdef FT_MPI
	if (g_on && bytes)
		bcast_bytes(buf, bytes, root);
#else
	(void)buf;
	(void)bytes;
	(void)root;
#endif
	return 0;
}

int ft_dist_scan_u64(uint64_t v, uint64_t *before, uint64_t *total)
{
	uint64_t b = 0, t = v;
#ifdef FT_MPI
	if (g_on) {
		MPI_Exscan(&v, &b, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
		if (g_me == 0)
			b = 0;   /* MPI_Exscan leaves rank 0's undefined */
		MPI_Allreduce(&v, &t, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
		count(2 * sizeof v);
	}
#endif
	if (before)
		*before = b;
	if (total)
		*total = t;
	return 0;
}

/* Every rank's byte count, on every rank: off[0 .. np] (malloc'ed). */
static int offsets(size_t bytes, size_t **off)
{
	uint64_t *all = calloc((size_t)g_np, sizeof *all);
	size_t *o = malloc(((size_t)g_np + 1) * sizeof *o);
	int fail = !all || !o;

	if (any(fail)) {
		free(all);
		free(o);
		return FT_ENOMEM;
	}
	all[g_me] = bytes;
	ft_dist_sum_u64(all, (size_t)g_np);
	o[0] = 0;
	for (int r = 0; r < g_np; r++)
		o[r + 1] = o[r] + (size_t)all[r];
	free(all);
	*off = o;
	return 0;
}

/* Gather every rank's bytes onto root (root < 0: onto every rank). */
static int gather(const void *mine, size_t bytes, void **out, size_t **off, int root)
{
	size_t *o = NULL;
	char *buf = NULL;
	int rc, need = root < 0 || g_me == root;

	*out = NULL;
	*off = NULL;
	if ((rc = offsets(bytes, &o)))
		return rc;
	if (need) {
		buf = malloc(o[g_np] ? o[g_np] : 1);
		if (any(!buf)) {
			free(buf);
			free(o);
			return FT_ENOMEM;
		}
	} else if (any(0)) {
		free(o);
		return FT_ENOMEM;
	}
#ifdef FT_MPI
	if (g_on) {
		/* one rank at a time, in rank order: no int overflow of the
		 * counts of MPI_Gatherv, and no buffer bigger than the data */
		for (int r = 0; r < g_np; r++) {
			size_t m = o[r + 1] - o[r];
			if (!m)
				continue;
			if (root < 0) {
				if (g_me == r)
					memcpy(buf + o[r], mine, m);
				bcast_bytes(buf + o[r], m, r);
			} else if (r == root) {
				if (g_me == root)
					memcpy(buf + o[r], mine, m);
			} else if (g_me == r) {
				send_bytes(mine, m, root);
			} else if (g_me == root) {
				recv_bytes(buf + o[r], m, r);
			}
		}
	} else
#endif
	if (bytes)
		memcpy(buf, mine, bytes);
	if (need) {
		*out = buf;
		*off = o;
	} else {
		free(o);
	}
	return 0;
}

int ft_dist_allgather(const void *mine, size_t bytes, void **out, size_t **off)
{
	return gather(mine, bytes, out, off, -1);
}

int ft_dist_gather0(const void *mine, size_t bytes, void **out, size_t **off)
{
	return gather(mine, bytes, out, off, 0);
}

int ft_dist_allrows(const void *a, size_t n, size_t elem, void **out, size_t *n_all)
{
	size_t *off = NULL;
	int rc = ft_dist_allgather(a, n * elem, out, &off);

	if (!rc)
		*n_all = elem ? off[g_np] / elem : 0;
	free(off);
	return rc;
}

int ft_dist_allrows_k(size_t n, size_t k, const void *const *in, const size_t *elem,
                      void **out, size_t *n_all)
{
	int rc = 0;

	for (size_t j = 0; j < k; j++)
		out[j] = NULL;
	*n_all = n;
	for (size_t j = 0; j < k && !rc; j++) {
		int64_t absent = in[j] == NULL;
		ft_dist_max_i64(&absent, 1);
		if (!absent)
			rc = ft_dist_allrows(in[j], n, elem[j], &out[j], n_all);
	}
	if (rc)
		for (size_t j = 0; j < k; j++) {
			free(out[j]);
			out[j] = NULL;
		}
	return rc;
}

void ft_dist_fold_begin(size_t rows, double *acc, size_t n)
{
	if (ft_dist_rows_here(rows))
		ft_dist_seq_recv(acc, n);
}

void ft_dist_fold_end(size_t rows, double *acc, size_t n)
{
	if (ft_dist_rows_here(rows))
		ft_dist_seq_send(acc, n);
}

int ft_dist_seq_recv(double *acc, size_t n)
{
#ifdef FT_MPI
	if (g_on && g_me > 0)
		recv_bytes(acc, n * sizeof *acc, g_me - 1);
#else
	(void)acc;
	(void)n;
#endif
	return 0;
}

int ft_dist_seq_send(double *acc, size_t n)
{
#ifdef FT_MPI
	if (!g_on)
		return 0;
	if (g_me < g_np - 1)
		send_bytes(acc, n * sizeof *acc, g_me + 1);
	bcast_bytes(acc, n * sizeof *acc, g_np - 1);
#else
	(void)acc;
	(void)n;
#endif
	return 0;
}

/* ------------------------------------------------------------ row layout */

int ft_dist_part_init(struct ft_dist_part *p, size_t n_all, const size_t *cut,
                      size_t n_cut)
{
	size_t k = ft_chunk_count(n_all), q = 0;
	/* in solo mode (ft_dist_solo) this process is the only rank */
	int np = g_on ? g_np : 1, me = g_on ? g_me : 0;

	memset(p, 0, sizeof *p);
	p->bound = malloc((k + 1) * sizeof *p->bound);
	p->first = malloc(((size_t)np + 1) * sizeof *p->first);
	if (!p->bound || !p->first) {
		ft_dist_part_free(p);
		return FT_ENOMEM;
	}
	p->k = k;
	p->n_all = n_all;
	for (size_t c = 0; c <= k; c++) {
		size_t b = ft_chunk_bound(n_all, k, c);
		/* up to the next query start (or the end) */
		if (cut && c > 0 && c < k) {
			while (q < n_cut && cut[q] < b)
				q++;
			b = q < n_cut ? cut[q] : n_all;
		}
		p->bound[c] = b;
	}
	for (int r = 0; r <= np; r++)
		p->first[r] = k * (size_t)r / (size_t)np;
	p->c0 = p->first[me];
	p->c1 = p->first[me + 1];
	p->row0 = p->bound[p->c0];
	p->n = p->bound[p->c1] - p->row0;
	return 0;
}

void ft_dist_part_free(struct ft_dist_part *p)
{
	if (!p)
		return;
	free(p->bound);
	free(p->first);
	memset(p, 0, sizeof *p);
}

#define MAX_SCOPE 8
static const struct ft_dist_part *g_scope[MAX_SCOPE];
static int g_depth;

void ft_dist_scope_push(const struct ft_dist_part *p)
{
	if (g_depth < MAX_SCOPE)
		g_scope[g_depth] = p;
	g_depth++;
}

void ft_dist_scope_pop(void)
{
	if (g_depth > 0)
		g_depth--;
}

const struct ft_dist_part *ft_dist_scope_for(size_t n)
{
	for (int i = (g_depth < MAX_SCOPE ? g_depth : MAX_SCOPE) - 1; i >= 0; i--) {
		if (!g_scope[i])
			return NULL;     /* a replicated computation: no data set */
		if (g_scope[i]->n == n)
			return g_scope[i];
	}
	return NULL;
}

int ft_dist_rows_here(size_t n)
{
	return g_on && ft_dist_scope_for(n) != NULL;
}

size_t ft_dist_rows_total(size_t n)
{
	const struct ft_dist_part *p = ft_dist_scope_for(n);

	return p ? p->n_all : n;
}

int ft_dist_solo(int on)
{
	static int saved;
	int was = g_on;

	if (on) {
		saved = g_on;
		g_on = 0;
	} else {
		g_on = saved;
	}
	return was;
}

#ifdef FT_MPI
/* The ranks run one program on one data set, so the running sum that
 * arrives must be of the same length and rows as this rank's: anything
 * else is a rank that took another path, a bug that no return code can
 * repair (every later collective would pair the wrong calls), so the job
 * stops here with a message rather than corrupt memory. */
static void diverged(const uint64_t head[3], size_t len, size_t n_all)
{
	if (head[0] == len && head[1] == n_all)
		return;
	fprintf(stderr, "fairtrain: internal error: rank %d sums %zu values over %zu rows, "
	        "rank %d %llu over %llu\n", g_me, len, n_all, g_me - 1,
	        (unsigned long long)head[0], (unsigned long long)head[1]);
	MPI_Abort(MPI_COMM_WORLD, 70);
}
#endif

int ft_dist_sum_part(const struct ft_dist_part *p, size_t len, double *out,
                     ft_chunk_fn fn, void *ctx)
{
	size_t m = p->c1 - p->c0, stride = len;
	double *part = NULL;
	int fail = 0;

	/* this rank's partials, before the running sum arrives: all ranks
	 * compute at once and only the additions are in sequence */
	if (p->k > 1 && m > 0) {
		part = ft_chunk_scratch(m, len, sizeof *part, &stride);
		if (part) {
			memset(part, 0, m * stride * sizeof *part);
			ft_chunks_run(p, stride, part, fn, ctx);
		} else {
			fail = 1;
		}
	}
#ifdef FT_MPI
	if (g_on && g_me > 0) {
		uint64_t head[3];
		recv_bytes(head, sizeof head, g_me - 1);
		diverged(head, len, p->n_all);
		recv_bytes(out, len * sizeof *out, g_me - 1);
		fail |= (int)head[2];
	}
#endif
	if (!fail) {
		if (p->k == 1 && m > 0) {
			/* one chunk: fn adds straight into the sum, as
			 * ft_parallel_sum does without ranks */
			fn(ctx, 0, 0, p->n, out);
		} else {
			for (size_t c = 0; c < m; c++) {
				const double *pc = part + c * stride;
				for (size_t j = 0; j < len; j++)
					out[j] += pc[j];
			}
		}
	}
	free(part);
#ifdef FT_MPI
	if (g_on) {
		if (g_me < g_np - 1) {
			uint64_t head[3] = {len, p->n_all, (uint64_t)fail};
			send_bytes(head, sizeof head, g_me + 1);
			send_bytes(out, len * sizeof *out, g_me + 1);
		}
		bcast_bytes(out, len * sizeof *out, g_np - 1);
		bcast_bytes(&fail, sizeof fail, g_np - 1);
	}
#endif
	return fail ? FT_ENOMEM : 0;
}

int ft_dist_exchange(const void *send, const size_t *scount, size_t rec, void **recv,
                     size_t *n_recv)
{
#ifdef FT_MPI
	int np = g_np, *sc = NULL, *sd = NULL, *rc = NULL, *rd = NULL, fail;
	size_t tot = 0;
	char *out = NULL;
	MPI_Datatype row;

	*recv = NULL;
	*n_recv = 0;
	if (!g_on)
		return 0;
	sc = calloc((size_t)np, sizeof *sc);
	sd = calloc((size_t)np, sizeof *sd);
	rc = calloc((size_t)np, sizeof *rc);
	rd = calloc((size_t)np, sizeof *rd);
	fail = !sc || !sd || !rc || !rd || rec > (size_t)INT32_MAX;
	for (int r = 0; !fail && r < np; r++) {
		sc[r] = (int)scount[r];
		sd[r] = r ? sd[r - 1] + sc[r - 1] : 0;
	}
	if (any(fail))
		goto nomem;
	MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD);
	for (int r = 0; r < np; r++) {
		rd[r] = r ? rd[r - 1] + rc[r - 1] : 0;
		tot += (size_t)rc[r];
	}
	out = malloc((tot ? tot : 1) * rec);
	if (any(!out))
		goto nomem;
	MPI_Type_contiguous((int)rec, MPI_BYTE, &row);
	MPI_Type_commit(&row);
	MPI_Alltoallv(send, sc, sd, row, out, rc, rd, row, MPI_COMM_WORLD);
	MPI_Type_free(&row);
	for (int r = 0; r < np; r++)
		if (r != g_me)
			count(((size_t)sc[r] + (size_t)rc[r]) * rec);
	free(sc); free(sd); free(rc); free(rd);
	*recv = out;
	*n_recv = tot;
	return 0;
nomem:
	free(sc); free(sd); free(rc); free(rd); free(out);
	return FT_ENOMEM;
#else
	(void)send;
	(void)scount;
	(void)rec;
	*recv = NULL;
	*n_recv = 0;
	return 0;
#endif
}

int ft_dist_move(void **a, size_t elem, size_t n, size_t row0, const size_t *dest)
{
#ifdef FT_MPI
	int np = g_np, *sc = NULL, *sd = NULL, *rc = NULL, *rd = NULL, fail, any_null;
	size_t lo = dest[g_me], hi = dest[g_me + 1], m = hi - lo;
	char *out = NULL;
	MPI_Datatype row;

	if (!g_on)
		return 0;
	/* a NULL array is NULL everywhere (the same data set layout) */
	any_null = any(*a == NULL && n > 0);
	if (any_null)
		return 0;
	sc = calloc((size_t)np, sizeof *sc);
	sd = calloc((size_t)np, sizeof *sd);
	rc = calloc((size_t)np, sizeof *rc);
	rd = calloc((size_t)np, sizeof *rd);
	out = malloc((m ? m : 1) * elem);
	fail = !sc || !sd || !rc || !rd || !out || elem > (size_t)INT32_MAX;
	if (any(fail)) {
		free(sc); free(sd); free(rc); free(rd); free(out);
		return FT_ENOMEM;
	}
	/* send the local rows [row0, row0 + n) that rank r is to hold */
	for (int r = 0; r < np; r++) {
		size_t a0 = row0 > dest[r] ? row0 : dest[r];
		size_t a1 = row0 + n < dest[r + 1] ? row0 + n : dest[r + 1];
		if (a1 > a0) {
			sc[r] = (int)(a1 - a0);
			sd[r] = (int)(a0 - row0);
		}
	}
	MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD);
	for (int r = 1; r < np; r++)
		rd[r] = rd[r - 1] + rc[r - 1];
	MPI_Type_contiguous((int)elem, MPI_BYTE, &row);
	MPI_Type_commit(&row);
	MPI_Alltoallv(*a, sc, sd, row, out, rc, rd, row, MPI_COMM_WORLD);
	MPI_Type_free(&row);
	for (int r = 0; r < np; r++)
		if (r != g_me)
			count(((size_t)sc[r] + (size_t)rc[r]) * elem);
	free(sc); free(sd); free(rc); free(rd);
	free(*a);
	*a = out;
	return 0;
#else
	(void)a;
	(void)elem;
	(void)n;
	(void)row0;
	(void)dest;
	return 0;
#endif
}
