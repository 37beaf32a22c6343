package optflate

import (
	"bytes"
	"io"
)

// Options set how hard the encoder tries.
type Options struct {
	BlockSize  int // input bytes per unit of parse; a block holds one or more
	Iterations int // parses per block, each priced by the one before
	MaxChain   int // hash-chain candidates examined per position
}

// Default is what the packager uses: measured on the shipped binaries, more of any of
// these buys a few hundred bytes for many more seconds.
var Default = Options{BlockSize: 1 << 13, Iterations: 4, MaxChain: 512}

// Compress returns data as a raw DEFLATE stream.
func Compress(data []byte, o Options) []byte {
	w := &bitWriter{}
	if len(data) == 0 {
		plan(nil, nil).write(w, true)
		return w.flush()
	}
	m := newMatcher(data, o.MaxChain)
	var g *group
	for from := 0; from < len(data); from += o.BlockSize {
		u := parseUnit(m, data, from, min(from+o.BlockSize, len(data)), o.Iterations)
		if g != nil && g.join(data, u) {
			continue
		}
		if g != nil {
			g.write(w, data, false, o.Iterations)
		}
		g = &group{units: []*unit{u}, counts: u.counts, extra: u.extra, bits: u.bits}
	}
	g.write(w, data, true, o.Iterations)
	return w.flush()
}

// unit is one BlockSize of input, parsed on its own.
type unit struct {
	from, to int
	matches  blockMatches
	tokens   []token
	counts   *counts
	extra    int64
	bits     int64 // as a block of its own
}

func parseUnit(m *matcher, data []byte, from, to, iterations int) *unit {
	u := &unit{from: from, to: to, matches: findBlockMatches(m, from, to)}
	block := data[from:to]
	best := plan(block, cheapestParse(block, u.matches, fixedCosts()))
	for range iterations - 1 {
		next := plan(block, cheapestParse(block, u.matches, statCosts(countTokens(best.tokens))))
		if next.bits >= best.bits {
			break
		}
		best = next
	}
	u.tokens, u.counts, u.extra, u.bits = best.tokens, countTokens(best.tokens), extraBits(best.tokens), best.bits
	return u
}

// group is a run of units that one block encodes: neighbours whose statistics are
// alike enough that one code serves them better than a code each plus its header.
type group struct {
	units  []*unit
	counts *counts
	extra  int64
	bits   int64
}

// join adds u to g when one block for both is smaller than a block each.
func (g *group) join(data []byte, u *unit) bool {
	c := g.counts.plus(u.counts)
	joined := planCounts(data[g.units[0].from:u.to], nil, c, g.extra+u.extra).bits
	if joined >= g.bits+u.bits {
		return false
	}
	g.units, g.counts, g.extra, g.bits = append(g.units, u), c, g.extra+u.extra, joined
	return true
}

// write parses a group of several units again under the group's own statistics
// (its code is the one that will price their symbols), while that pays, and writes
// its block.
func (g *group) write(w *bitWriter, data []byte, final bool, iterations int) {
	from, to := g.units[0].from, g.units[len(g.units)-1].to
	tokens := g.tokens()
	best := planCounts(data[from:to], tokens, g.counts, g.extra)
	for i := 0; len(g.units) > 1 && i < iterations-1; i++ {
		costs := statCosts(countTokens(best.tokens))
		var again []token
		for _, u := range g.units {
			again = append(again, cheapestParse(data[u.from:u.to], u.matches, costs)...)
		}
		next := plan(data[from:to], again)
		if next.bits >= best.bits {
			break
		}
		best = next
	}
	best.write(w, final)
}

func (g *group) tokens() []token {
	var all []token
	for _, u := range g.units {
		all = append(all, u.tokens...)
	}
	return all
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
