// Package optflate is a DEFLATE (RFC 1951) encoder that spends time to save bytes, for
// the packager only: nothing of it ships in a binary.
//
// compress/flate's best level looks for matches of four bytes or more and parses
// lazily; on the shipped binaries it leaves about 3% on the table next to zlib -9 and
// about 7% next to zopfli. This encoder finds every match of three bytes or more (hash
// chains over the 32 KiB window), then chooses the cheapest sequence of literals and
// matches by a shortest path over the block, under a cost model taken from the symbol
// statistics of its own previous pass (zopfli's idea, in a few hundred lines). The
// input is parsed in small units; neighbouring units share one block (one Huffman
// code) while that is smaller than a block each, and a block of several units is
// parsed again under its own code's prices. A block is stored when that is smaller,
// or uses the fixed codes. The output is plain DEFLATE: any inflater reads it,
// archive/zip included.
package optflate
