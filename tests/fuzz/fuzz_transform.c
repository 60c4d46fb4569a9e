/*
 * fuzz_transform.c - the readers of a model's fitted tables: the feature
 * transform (/model/transform: src/io/predictor_io.c, read_transform, and
 * ft_transform_check) and a ranker's eopp-rank score map (/model/eopp:
 * part_eopp and ft_eopp_check), structure-aware.  Every file fairtrain writes is
 * sealed with a SHA-256 of itself, so byte-level damage never reaches the
 * transform reader (fuzz_model.c covers that gate); what does reach it is a
 * well-formed HDF5 file with wrong contents, written by another program and
 * sealed again.  This harness makes such files: at start it trains one
 * model of each transform kind (dir, corr-remove, lfr, optim-pre) on a
 * small synthetic set, and a ranker re-ranked by eopp-rank; each input
 * then picks a model (byte 0) and up to 6 edits, each replacing or
 * deleting one dataset or attribute of the transform (or score map) group
 * (or the model's feature_names and coef) with values from the input,
 * through libhdf5 (so the file stays well-formed HDF5).  The
 * edited file is sealed and loaded: it must load or be refused with one
 * line, without a crash, leak or sanitizer report.
 */
#include "fuzz.h"
#include <hdf5.h>
#include <math.h>
#include "io/io.h"

static const char *const SPECS[4] = {
	"dir:repair_level=0.7", "corr-remove", "lfr:k=2,restarts=1,max_iter=20",
	"optim-pre:bins=3,col1=1,col2=5,epsilon=0.3,d1=0.5,d2=0.3"
};
#define N_MODELS 5
/* what an edit can target: every name the transform group holds in one of
 * the kinds, the score map's, then two of /model's own */
static const char *const TARGETS[] = {
	"off", "key", "val", "rule",
	"kind", "n_inputs", "n_outputs", "n_groups", "needs_group", "repair_level",
	"val_off", "vals", "n_q", "q_off", "lo", "lo_defined", "hi", "hi_defined",
	"target", "alpha", "mean", "group_mean", "group_mean_defined", "k", "Ax", "Ay",
	"Az", "objective", "prototypes", "w", "n_cols", "n_x", "epsilon", "pivots", "col",
	"is_cat", "n_levels", "cut_off", "cuts", "map", "map_xy", "p_dxy",
	"/model/feature_names", "/model/coef"
};
#define N_TARGETS (sizeof TARGETS / sizeof *TARGETS)

static char tmpdir[64];
static unsigned char *image[N_MODELS];
static size_t image_len[N_MODELS];

static void cleanup(void)
{
	char p[128];

	for (int k = 0; k < N_MODELS; k++) {
		snprintf(p, sizeof p, "%s/m%d.h5", tmpdir, k);
		unlink(p);
		free(image[k]);
	}
	snprintf(p, sizeof p, "%s/s.csv", tmpdir);
	unlink(p);
	snprintf(p, sizeof p, "%s/r.csv", tmpdir);
	unlink(p);
	snprintf(p, sizeof p, "%s/e.h5", tmpdir);
	unlink(p);
	rmdir(tmpdir);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b;
	long n;

	if (!fp || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) <= 0 || fseek(fp, 0, SEEK_SET))
		abort();
	if (!(b = malloc((size_t)n)) || fread(b, 1, (size_t)n, fp) != (size_t)n)
		abort();
	fclose(fp);
	*len = (size_t)n;
	return b;
}

/* The four base models, trained once. */
static void init(void)
{
	static const char *sens[1] = {"gender"};
	char csv[128], path[128];
	struct ft_error err = { 0, "" };

	snprintf(tmpdir, sizeof tmpdir, "/tmp/ft-fuzz-transform-XXXXXX");
	if (!mkdtemp(tmpdir))
		abort();
	atexit(cleanup);
	snprintf(csv, sizeof csv, "%s/s.csv", tmpdir);
	if (ft_synth_write(csv, 300, 5, &err))
		abort();
	for (int k = 0; k < 4; k++) {
		struct ft_train_opts o;
		struct ft_train_result *r = NULL;
		ft_train_opts_init(&o);
		o.data.data = csv;
		o.data.spec.target = "hired";
		o.data.spec.positive = "yes";
		o.data.spec.sensitive = (char **)sens;
		o.data.spec.n_sensitive = 1;
		o.data.spec.privileged = "male";
		o.method = SPECS[k];
		o.measure.n_bootstrap = 0;
		o.measure.n_perm = 0;
		snprintf(path, sizeof path, "%s/m%d.h5", tmpdir, k);
		if (ft_train(&o, &r, &err) || ft_model_save(path, r->mf, &err)) {
			fprintf(stderr, "fuzz_transform: %s: %s\n", SPECS[k], err.msg);
			abort();
		}
		ft_train_result_free(r);
		image[k] = slurp(path, &image_len[k]);
	}
	/* a ranker re-ranked by eopp-rank: 30 queries of 8 items, two groups */
	{
		struct ft_train_opts o;
		struct ft_train_result *r = NULL;
		static const char *rs[1] = {"g"};
		FILE *fp;
		snprintf(csv, sizeof csv, "%s/r.csv", tmpdir);
		if (!(fp = fopen(csv, "w")))
			abort();
		fprintf(fp, "qid,rel,g,x1,x2\n");
		for (int q = 0; q < 30; q++)
			for (int i = 0; i < 8; i++)
				fprintf(fp, "q%d,%d,%s,%d.%d,%d\n", q, (q + i) % 3 == 0, i % 2 ? "a" : "b",
				        (q * 7 + i * 3) % 11, i, (q + 2 * i) % 5);
		fclose(fp);
		ft_train_opts_init(&o);
		o.task = FT_TASK_RANK;
		o.data.data = csv;
		o.data.spec.sensitive = (char **)rs;
		o.data.spec.n_sensitive = 1;
		o.rank.query = "qid";
		o.rank.relevance = "rel";
		o.rank.protected_group = "b";
		o.rank.rerank = "eopp-rank:n_quantiles=20";
		o.method = "listnet";
		o.measure.n_bootstrap = 0;
		o.measure.n_perm = 0;
		snprintf(path, sizeof path, "%s/m4.h5", tmpdir);
		if (ft_train(&o, &r, &err) || ft_model_save(path, r->mf, &err) ||
		    !r->mf->model->eopp) {
			fprintf(stderr, "fuzz_transform: eopp-rank: %s\n", err.msg);
			abort();
		}
		ft_train_result_free(r);
		image[4] = slurp(path, &image_len[4]);
	}
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* The next byte of the input (0 past its end). */
struct in {
	const uint8_t *d;
	size_t n, at;
};
static unsigned next(struct in *in)
{
	return in->at < in->n ? in->d[in->at++] : 0;
}
static int next16(struct in *in)
{
	unsigned a = next(in), b = next(in);
	return (int16_t)(uint16_t)(a | b << 8);
}
static double next_f64(struct in *in)
{
	int v = next16(in);
	return v == 32767 ? NAN : v == 32766 ? INFINITY : v == -32768 ? -INFINITY : v / 8.0;
}

/* Remove name (a link or an attribute) from g. */
static void drop(hid_t g, const char *name)
{
	if (H5Aexists(g, name) > 0)
		H5Adelete(g, name);
	if (H5Lexists(g, name, H5P_DEFAULT) > 0)
		H5Ldelete(g, name, H5P_DEFAULT);
}

/* One edit of the transform group g (or of /model: loc m). */
static void edit(hid_t m, hid_t g, struct in *in)
{
	unsigned op = next(in) % 7, t = next(in) % N_TARGETS, n = next(in) % 40;
	const char *name = TARGETS[t];
	hid_t loc = g, sp, obj;
	hsize_t dims[2] = {n, 1};
	int rank = 1;

	if (name[0] == '/') {
		loc = m;
		name += 7;  /* "/model/" */
	}
	drop(loc, name);
	if (op == 6)
		return;
	if (op < 3 && (next(in) & 1) && n) {
		/* a 2-D dataset: n split into rows x columns */
		rank = 2;
		dims[1] = 1 + next(in) % 4;
		dims[0] = n / dims[1];
	}
	if (op >= 3 && op <= 4)
		sp = H5Screate(H5S_SCALAR);
	else
		sp = H5Screate_simple(rank, dims, NULL);
	if (op == 0 || op == 2) {
		int64_t v[40];
		for (unsigned i = 0; i < n; i++)
			v[i] = next16(in);
		obj = H5Dcreate2(loc, name, op ? H5T_STD_I8LE : H5T_STD_I64LE, sp, H5P_DEFAULT,
		                 H5P_DEFAULT, H5P_DEFAULT);
		if (obj >= 0)
			H5Dwrite(obj, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
		H5Dclose(obj);
	} else if (op == 1) {
		double v[40];
		for (unsigned i = 0; i < n; i++)
			v[i] = next_f64(in);
		obj = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT,
		                 H5P_DEFAULT);
		if (obj >= 0)
			H5Dwrite(obj, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
		H5Dclose(obj);
	} else if (op == 3 || op == 4) {
		uint64_t u = (uint64_t)(uint16_t)next16(in);
		double f = next_f64(in);
		obj = H5Acreate2(loc, name, op == 3 ? H5T_STD_U64LE : H5T_IEEE_F64LE, sp,
		                 H5P_DEFAULT, H5P_DEFAULT);
		if (obj >= 0)
			H5Awrite(obj, op == 3 ? H5T_NATIVE_UINT64 : H5T_NATIVE_DOUBLE,
			         op == 3 ? (void *)&u : (void *)&f);
		H5Aclose(obj);
	} else {
		/* a string attribute of n bytes */
		char s[41];
		hid_t st = H5Tcopy(H5T_C_S1);
		for (unsigned i = 0; i < n; i++)
			s[i] = (char)('a' + next(in) % 26);
		s[n] = '\0';
		H5Tset_size(st, n + 1);
		H5Sclose(sp);
		sp = H5Screate(H5S_SCALAR);
		obj = H5Acreate2(loc, name, st, sp, H5P_DEFAULT, H5P_DEFAULT);
		if (obj >= 0)
			H5Awrite(obj, st, s);
		H5Aclose(obj);
		H5Tclose(st);
	}
	H5Sclose(sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size, 0 };
	struct ft_model_file *mf = NULL;
	struct ft_error err = { 0, "" };
	char path[128];
	unsigned char *img;
	size_t len;
	hid_t f, m, g;
	int k;
	FILE *fp;

	if (!image[0])
		init();
	k = (int)(next(&in) % N_MODELS);
	snprintf(path, sizeof path, "%s/e.h5", tmpdir);
	if (!(fp = fopen(path, "wb")) || fwrite(image[k], 1, image_len[k], fp) != image_len[k])
		abort();
	fclose(fp);
	if ((f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT)) < 0 ||
	    (m = H5Gopen2(f, "/model", H5P_DEFAULT)) < 0 ||
	    (g = H5Gopen2(m, k == 4 ? "eopp" : "transform", H5P_DEFAULT)) < 0)
		abort();
	for (int e = 0; e < 6 && in.at < in.n; e++)
		edit(m, g, &in);
	H5Gclose(g);
	H5Gclose(m);
	if (H5Fclose(f) < 0)
		abort();
	img = slurp(path, &len);
	ft_h5_seal_image(img, len);
	if (ft_model_load(fuzz_file(0, img, len), &mf, &err)) {
		fuzz_one_line(&err);
	} else if (in.at <= 1 && !(k == 4 ? (void *)mf->model->eopp :
	                           (void *)mf->model->transform)) {
		abort();  /* an unedited model keeps its transform or score map */
	}
	ft_model_file_free(mf);
	free(img);
	return 0;
}
