package optflate

import (
	"bytes"
	"io"
)

// Options set how hard the encoder tries.
type Options struct {
	BlockSize  int // input bytes per DEFLATE block
	Iterations int // parses per block, each priced by the one before
	MaxChain   int // hash-chain candidates examined per position
}

// Default is what the packager uses: measured on the shipped binaries, more of any of
// these buys a few hundred bytes for many more seconds.
var Default = Options{BlockSize: 1 << 15, Iterations: 4, MaxChain: 512}

// Compress returns data as a raw DEFLATE stream.
func Compress(data []byte, o Options) []byte {
	w := &bitWriter{}
	m := newMatcher(data, o.MaxChain)
	if len(data) == 0 {
		plan(nil, nil).write(w, true)
		return w.flush()
	}
	for from := 0; from < len(data); from += o.BlockSize {
		to := min(from+o.BlockSize, len(data))
		bm := findBlockMatches(m, from, to)
		block := data[from:to]
		best := plan(block, cheapestParse(block, bm, fixedCosts()))
		for range o.Iterations - 1 {
			next := plan(block, cheapestParse(block, bm, statCosts(countTokens(best.tokens))))
			if next.bits >= best.bits {
				break
			}
			best = next
		}
		best.write(w, to == len(data))
	}
	return w.flush()
}

// Writer gathers everything written to it and writes it compressed on Close: the
// parse needs the whole input.
type Writer struct {
	w    io.Writer
	o    Options
	data bytes.Buffer
}

// NewWriter compresses into w with Default.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, o: Default} }

func (z *Writer) Write(p []byte) (int, error) { return z.data.Write(p) }

// Close compresses what was written and writes it out.
func (z *Writer) Close() error {
	_, err := z.w.Write(Compress(z.data.Bytes(), z.o))
	return err
}
