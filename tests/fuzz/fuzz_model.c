/*
 * fuzz_model.c - the model-file reader: ft_model_load on the input as a
 * file.  Every file fairtrain writes carries a SHA-256 of itself
 * (src/io/h5image.c), so damaged bytes are refused before libhdf5 parses
 * any of them; this target checks that gate (the block's parsing, the
 * length and digest checks, the messages).  Inputs that start with the
 * HDF5 signature are files without the block (written before it): those
 * are parsed by libhdf5 unverified, and libhdf5 1.10.8 crashes and hangs
 * on damaged files (issue 12), so they are skipped here: README "What a
 * reader checks" says what is and is not verified for them.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ft_model_file *mf = NULL;
	struct ft_error err = { 0, "" };

	if (size >= 8 && memcmp(data, "\211HDF\r\n\032\n", 8) == 0)
		return 0;
	if (ft_model_load(fuzz_file(0, data, size), &mf, &err))
		fuzz_one_line(&err);
	ft_model_file_free(mf);
	return 0;
}
