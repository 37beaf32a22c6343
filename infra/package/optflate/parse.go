package optflate

import (
	"math"
)

// costs is a price in bits for every literal, length and distance.
type costs struct {
	literal [256]float32
	length  [maxMatch + 1]float32 // symbol and extra bits of each match length
	dist    [numDist]float32      // symbol and extra bits of each distance code
}

// fixedCosts price symbols as the fixed Huffman code does: the first pass's guess.
func fixedCosts() *costs {
	c := &costs{}
	for s := range c.literal {
		c.literal[s] = float32(fixedLitLen.lengths[s])
	}
	for l := minMatch; l <= maxMatch; l++ {
		lc := lengthCode[l]
		c.length[l] = float32(fixedLitLen.lengths[257+int(lc)]) + float32(lengthExtra[lc])
	}
	for d := range c.dist {
		c.dist[d] = 5 + float32(distExtra[d])
	}
	return c
}

// statCosts price each symbol at its information content in the counts of a previous
// pass (unseen symbols as if seen half a time), which is what a Huffman code fitted to
// a similar parse will charge, give or take a fraction of a bit.
func statCosts(n *counts) *costs {
	c := &costs{}
	price := func(f []int64) []float32 {
		var total float64
		for _, v := range f {
			total += float64(v)
		}
		out := make([]float32, len(f))
		for s, v := range f {
			out[s] = float32(math.Log2(total / math.Max(float64(v), 0.5)))
		}
		return out
	}
	ll, d := price(n.litLen[:]), price(n.dist[:])
	copy(c.literal[:], ll[:256])
	for l := minMatch; l <= maxMatch; l++ {
		lc := lengthCode[l]
		c.length[l] = ll[257+int(lc)] + float32(lengthExtra[lc])
	}
	for s := range c.dist {
		c.dist[s] = d[s] + float32(distExtra[s])
	}
	return c
}

// blockMatches are the matches of every position of a block, flattened: position j's
// are all[start[j]:start[j+1]].
type blockMatches struct {
	start []int32
	all   []match
}

func findBlockMatches(m *matcher, from, to int) blockMatches {
	b := blockMatches{start: make([]int32, to-from+1)}
	for i := from; i < to; i++ {
		b.start[i-from] = int32(len(b.all))
		b.all = m.matches(i, to, b.all)
	}
	b.start[to-from] = int32(len(b.all))
	return b
}

// cheapestParse is the sequence of literals and matches over data (the block) with the
// lowest total price under c: a shortest path where position j reaches j+1 by a
// literal and j+l by a match of length l.
func cheapestParse(data []byte, bm blockMatches, c *costs) []token {
	n := len(data)
	price := make([]float32, n+1)
	step := make([]token, n+1) // how the cheapest path arrives at each position
	for j := 1; j <= n; j++ {
		price[j] = float32(math.Inf(1))
	}
	for j := 0; j < n; j++ {
		p := price[j]
		if v := p + c.literal[data[j]]; v < price[j+1] {
			price[j+1], step[j+1] = v, token{dist: uint16(data[j])}
		}
		l := minMatch
		for _, mt := range bm.all[bm.start[j]:bm.start[j+1]] {
			dp := p + c.dist[distCode(int(mt.dist))]
			for ; l <= int(mt.length); l++ {
				if v := dp + c.length[l]; v < price[j+l] {
					price[j+l], step[j+l] = v, token{length: uint16(l), dist: mt.dist}
				}
			}
		}
	}
	var tokens []token
	for j := n; j > 0; {
		t := step[j]
		tokens = append(tokens, t)
		if t.length == 0 {
			j--
		} else {
			j -= int(t.length)
		}
	}
	for a, b := 0, len(tokens)-1; a < b; a, b = a+1, b-1 {
		tokens[a], tokens[b] = tokens[b], tokens[a]
	}
	return tokens
}
