package optflate

// token is a literal (length 0, the byte in dist) or a match of length 3..258 at
// distance 1..32768.
type token struct {
	length, dist uint16
}

// code is one Huffman code: lengths and bit-reversed codes per symbol.
type code struct {
	lengths []uint8
	codes   []uint16
}

func newCode(lengths []uint8) code { return code{lengths, canonicalCodes(lengths)} }

func (c code) write(w *bitWriter, sym int) {
	w.writeBits(uint64(c.codes[sym]), uint(c.lengths[sym]))
}

// fixedLitLen and fixedDist are the codes of a fixed-Huffman block (BTYPE 01).
var fixedLitLen, fixedDist = func() (code, code) {
	l := make([]uint8, 288)
	for s := range l {
		switch {
		case s < 144:
			l[s] = 8
		case s < 256:
			l[s] = 9
		case s < 280:
			l[s] = 7
		default:
			l[s] = 8
		}
	}
	d := make([]uint8, 30)
	for s := range d {
		d[s] = 5
	}
	return newCode(l), newCode(d)
}()

// counts are a block's symbol frequencies, end of block included.
type counts struct {
	litLen [numLitLen]int64
	dist   [numDist]int64
}

func countTokens(tokens []token) *counts {
	c := &counts{}
	for _, t := range tokens {
		if t.length == 0 {
			c.litLen[t.dist]++
			continue
		}
		c.litLen[257+int(lengthCode[t.length])]++
		c.dist[distCode(int(t.dist))]++
	}
	c.litLen[endOfBlock]++
	return c
}

// extraBits are the bits the tokens spend beside their symbols, whatever the code.
func extraBits(tokens []token) int64 {
	var n int64
	for _, t := range tokens {
		if t.length > 0 {
			n += int64(lengthExtra[lengthCode[t.length]]) + int64(distExtra[distCode(int(t.dist))])
		}
	}
	return n
}

// dynamicCodes are the Huffman codes fitted to c, with at least two distance symbols
// and two length/literal symbols in use so that every code is complete.
func dynamicCodes(c *counts) (litLen, dist code) {
	ll := c.litLen
	if nonZero(ll[:]) < 2 {
		ll[0]++
	}
	d := c.dist
	for s := 0; nonZero(d[:]) < 2; s++ {
		if d[s] == 0 {
			d[s] = 1
		}
	}
	return newCode(codeLengths(ll[:], maxCodeBits)), newCode(codeLengths(d[:], maxCodeBits))
}

func nonZero(f []int64) int {
	n := 0
	for _, v := range f {
		if v > 0 {
			n++
		}
	}
	return n
}

// header is a dynamic block's code description: the run-length coded code lengths and
// the code-length code that sends them.
type header struct {
	nLitLen, nDist, nCLen int
	clen                  code
	syms                  []uint8 // code-length symbols 0..18
	extras                []uint8 // the repeat count bits of 16, 17 and 18
}

func newHeader(litLen, dist code) header {
	h := header{nLitLen: trimmed(litLen.lengths[:numLitLen], 257), nDist: trimmed(dist.lengths, 1)}
	all := append(append([]uint8{}, litLen.lengths[:h.nLitLen]...), dist.lengths[:h.nDist]...)
	for i := 0; i < len(all); {
		l := all[i]
		run := 1
		for i+run < len(all) && all[i+run] == l {
			run++
		}
		i += run
		if l == 0 {
			for run >= 11 {
				n := min(run, 138)
				h.syms, h.extras = append(h.syms, 18), append(h.extras, uint8(n-11))
				run -= n
			}
			if run >= 3 {
				h.syms, h.extras = append(h.syms, 17), append(h.extras, uint8(run-3))
				run = 0
			}
		} else {
			h.syms, h.extras = append(h.syms, l), append(h.extras, 0)
			run--
			for run >= 3 {
				n := min(run, 6)
				h.syms, h.extras = append(h.syms, 16), append(h.extras, uint8(n-3))
				run -= n
			}
		}
		for ; run > 0; run-- {
			h.syms, h.extras = append(h.syms, l), append(h.extras, 0)
		}
	}
	freq := make([]int64, 19)
	for _, s := range h.syms {
		freq[s]++
	}
	for s := 0; nonZero(freq) < 2; s++ {
		if freq[s] == 0 {
			freq[s] = 1
		}
	}
	h.clen = newCode(codeLengths(freq, 7))
	h.nCLen = 4
	for i, s := range codeLengthOrder {
		if h.clen.lengths[s] > 0 {
			h.nCLen = max(h.nCLen, i+1)
		}
	}
	return h
}

// trimmed is the count of lengths once trailing zeros are dropped, at least least.
func trimmed(lengths []uint8, least int) int {
	n := len(lengths)
	for n > least && lengths[n-1] == 0 {
		n--
	}
	return n
}

var repeatBits = [19]uint{16: 2, 17: 3, 18: 7}

func (h header) bits() int64 {
	n := int64(5 + 5 + 4 + 3*h.nCLen)
	for _, s := range h.syms {
		n += int64(h.clen.lengths[s]) + int64(repeatBits[s])
	}
	return n
}

func (h header) write(w *bitWriter) {
	w.writeBits(uint64(h.nLitLen-257), 5)
	w.writeBits(uint64(h.nDist-1), 5)
	w.writeBits(uint64(h.nCLen-4), 4)
	for _, s := range codeLengthOrder[:h.nCLen] {
		w.writeBits(uint64(h.clen.lengths[s]), 3)
	}
	for i, s := range h.syms {
		h.clen.write(w, int(s))
		if b := repeatBits[s]; b > 0 {
			w.writeBits(uint64(h.extras[i]), b)
		}
	}
}

// symbolBits is what c's symbols cost under the codes (extra bits not included).
func symbolBits(c *counts, litLen, dist code) int64 {
	var n int64
	for s, f := range c.litLen {
		n += f * int64(litLen.lengths[s])
	}
	for s, f := range c.dist {
		n += f * int64(dist.lengths[s])
	}
	return n
}

// encoded is one block ready to write: its tokens and the cheapest of its codes, or
// its bytes stored as they are.
type encoded struct {
	tokens       []token
	dynamic      bool
	stored       []byte // when not nil, the block is stored: noise costs no more than itself
	litLen, dist code
	head         header
	bits         int64 // the block's size after its 3-bit block header
}

// plan picks dynamic or fixed codes for tokens (which spell data), or stores data,
// whichever is smallest.
func plan(data []byte, tokens []token) encoded {
	return planCounts(data, tokens, countTokens(tokens), extraBits(tokens))
}

// planCounts is plan with the tokens' counts and extra bits already summed.
func planCounts(data []byte, tokens []token, c *counts, extra int64) encoded {
	ll, d := dynamicCodes(c)
	h := newHeader(ll, d)
	e := encoded{tokens: tokens, dynamic: true, litLen: ll, dist: d, head: h,
		bits: h.bits() + symbolBits(c, ll, d) + extra}
	if fixed := symbolBits(c, fixedLitLen, fixedDist) + extra; fixed < e.bits {
		e = encoded{tokens: tokens, litLen: fixedLitLen, dist: fixedDist, bits: fixed}
	}
	if stored := storedBits(len(data)); stored < e.bits {
		e = encoded{tokens: tokens, stored: data, bits: stored}
	}
	return e
}

// plus is the counts of two runs of tokens together; each has its own end of block,
// and together they have one.
func (c *counts) plus(o *counts) *counts {
	sum := &counts{}
	for s := range sum.litLen {
		sum.litLen[s] = c.litLen[s] + o.litLen[s]
	}
	for s := range sum.dist {
		sum.dist[s] = c.dist[s] + o.dist[s]
	}
	sum.litLen[endOfBlock]--
	return sum
}

// maxStored is the most a stored block holds (its LEN field is 16 bits).
const maxStored = 65535

// storedBits is the size of n bytes as stored blocks, counting the worst padding.
func storedBits(n int) int64 {
	blocks := max(1, (n+maxStored-1)/maxStored)
	return int64(blocks)*(7+32) + 8*int64(n) + int64(blocks-1)*3
}

func writeStored(w *bitWriter, data []byte, final bool) {
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), maxStored)
		var bfinal uint64
		if final && n == len(data) {
			bfinal = 1
		}
		w.writeBits(bfinal, 3) // BTYPE 00
		w.flush()              // LEN starts on a byte boundary
		w.writeBits(uint64(n)|uint64(^uint16(n))<<16, 32)
		w.out = append(w.out, data[:n]...)
		data = data[n:]
	}
}

func (e encoded) write(w *bitWriter, final bool) {
	var bfinal uint64
	if final {
		bfinal = 1
	}
	if e.stored != nil {
		writeStored(w, e.stored, final)
		return
	}
	if e.dynamic {
		w.writeBits(bfinal|2<<1, 3)
		e.head.write(w)
	} else {
		w.writeBits(bfinal|1<<1, 3)
	}
	for _, t := range e.tokens {
		if t.length == 0 {
			e.litLen.write(w, int(t.dist))
			continue
		}
		lc := int(lengthCode[t.length])
		e.litLen.write(w, 257+lc)
		w.writeBits(uint64(t.length-lengthBase[lc]), uint(lengthExtra[lc]))
		dc := distCode(int(t.dist))
		e.dist.write(w, dc)
		w.writeBits(uint64(int(t.dist)-int(distBase[dc])), uint(distExtra[dc]))
	}
	e.litLen.write(w, endOfBlock)
}
