/*
 * xpress.h - "Xpress" compression of SOAP responses (MS-WUSP §2.1.1):
 * the MS-XCA plain LZ77 format, in MS-WUSP framing: a sequence of blocks,
 * each int32 LE original size + int32 LE compressed size + data, original
 * <= 65535 bytes per block (real WSUS uses 16352), a block whose
 * compressed size equals its original size is stored raw.
 * Pure functions over (pointer, length); no library exists for this.
 */
#ifndef WSUSD_XPRESS_H
#define WSUSD_XPRESS_H

#include <stddef.h>
#include <stdint.h>

#define XPRESS_BLOCK 16352   /* original bytes per block, as real WSUS */

/* Raw MS-XCA plain LZ77.  Return bytes written, or -1 (output too small /
 * corrupt input).  Decompression never reads or writes out of bounds. */
long xpress_lz77_compress(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
long xpress_lz77_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/*
 * xpress_encode - frame and compress (in, n) into a malloc'd buffer
 * (*out, *outlen; caller frees).  Returns 0 or -1.
 */
int xpress_encode(const uint8_t *in, size_t n, uint8_t **out, size_t *outlen);

/*
 * xpress_decode - undo xpress_encode; refuses output beyond max_out bytes
 * and any malformed frame.  Returns 0 or -1.
 */
int xpress_decode(const uint8_t *in, size_t n, size_t max_out,
    uint8_t **out, size_t *outlen);

#endif
