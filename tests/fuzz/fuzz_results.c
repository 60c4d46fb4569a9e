/*
 * fuzz_results.c - the results.h5 reader's gate: ft_h5_open_verified (the
 * open every reader of fairtrain's files uses, src/io/h5image.c) on the
 * input as a file, as kind "results file".  The checksum block is parsed
 * and the length and SHA-256 checked before libhdf5 sees a byte; an input
 * that passes (a seed: an intact results.h5) is opened by libhdf5 from the
 * checked memory, and its root's format attribute read.  Inputs starting
 * with the HDF5 signature (files without the block) are skipped, as in
 * fuzz_model.c: libhdf5 1.10.8 is not safe on them (README "What a reader
 * checks").  fairtrain itself reads no results.h5 back yet; this is the
 * gate any reader of one goes through.
 */
#include "fuzz.h"
#include <hdf5.h>
#include "io/io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ft_error err = { 0, "" };
	hid_t f = H5I_INVALID_HID;
	size_t len = 0;
	int verified = 0;

	if (size >= 8 && memcmp(data, "\211HDF\r\n\032\n", 8) == 0)
		return 0;
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if (ft_h5_open_verified(fuzz_file(0, data, size), "results file", &f, &len,
	                        &verified, &err)) {
		fuzz_one_line(&err);
		if (strncmp(err.msg, "/proc/self/fd/", 14) != 0)
			abort();  /* a refusal names the file */
		return 0;
	}
	if (!verified || len != size)
		abort();      /* only a checked image gets this far */
	if (H5Aexists(f, "format") < 0)
		abort();
	H5Fclose(f);
	return 0;
}
