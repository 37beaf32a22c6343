package optflate

const hashBits = 16

// matcher finds, for one position after another, the matches into the 32 KiB window
// behind it, with hash chains over three-byte prefixes.
type matcher struct {
	data     []byte
	head     []int32 // newest position per hash, -1 for none
	prev     []int32 // the previous position with the same hash, per position
	next     int     // positions before next are in the chains
	maxChain int
}

func newMatcher(data []byte, maxChain int) *matcher {
	m := &matcher{data: data, head: make([]int32, 1<<hashBits), prev: make([]int32, len(data)), maxChain: maxChain}
	for i := range m.head {
		m.head[i] = -1
	}
	return m
}

func (m *matcher) hash(i int) uint32 {
	d := m.data[i : i+3]
	return (uint32(d[0])<<16 | uint32(d[1])<<8 | uint32(d[2])) * 0x9E3779B1 >> (32 - hashBits)
}

// matches appends to out the matches at position i that end by end, shortest first,
// each longer and (being found nearer first) no nearer than the one before: for any
// length up to a match's, that match's distance is the nearest that reaches it.
// Positions must be asked in increasing order.
func (m *matcher) matches(i, end int, out []match) []match {
	for ; m.next < i; m.next++ {
		m.insert(m.next)
	}
	limit := min(maxMatch, end-i)
	if limit < minMatch {
		return out
	}
	d := m.data
	best := minMatch - 1
	cand := m.head[m.hash(i)]
	for chain := m.maxChain; cand >= 0 && i-int(cand) <= windowSize && chain > 0; chain-- {
		c := int(cand)
		if d[c+best] == d[i+best] {
			l := 0
			for l < limit && d[c+l] == d[i+l] {
				l++
			}
			if l > best {
				best = l
				out = append(out, match{length: uint16(l), dist: uint16(i - c)})
				if l == limit {
					break
				}
			}
		}
		cand = m.prev[c]
	}
	return out
}

func (m *matcher) insert(i int) {
	if i+minMatch > len(m.data) {
		return
	}
	h := m.hash(i)
	m.prev[i] = m.head[h]
	m.head[h] = int32(i)
}

type match struct {
	length, dist uint16
}
