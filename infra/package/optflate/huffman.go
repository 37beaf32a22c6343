package optflate

import (
	"math/bits"
	"slices"
)

// codeLengths returns Huffman code lengths of at most maxBits for freq (0 for unused
// symbols). While the optimal code is too deep, the counts are halved (never below 1)
// and the code rebuilt: a little short of optimal in that rare case, always valid.
// Fewer than two used symbols still get a complete code: the caller makes sure two
// counts are non-zero.
func codeLengths(freq []int64, maxBits int) []uint8 {
	f := slices.Clone(freq)
	for {
		lengths, deepest := huffmanLengths(f)
		if deepest <= maxBits {
			return lengths
		}
		for i, v := range f {
			if v > 0 {
				f[i] = v>>1 | 1
			}
		}
	}
}

// huffmanLengths builds an unrestricted Huffman code (two-queue method over the used
// symbols sorted by count) and returns each symbol's depth and the deepest.
func huffmanLengths(freq []int64) ([]uint8, int) {
	lengths := make([]uint8, len(freq))
	var used []int
	for s, v := range freq {
		if v > 0 {
			used = append(used, s)
		}
	}
	switch len(used) {
	case 0:
		return lengths, 0
	case 1:
		lengths[used[0]] = 1
		return lengths, 1
	}
	slices.SortStableFunc(used, func(a, b int) int { return cmpInt64(freq[a], freq[b]) })
	n := len(used)
	weight := make([]int64, 2*n-1)
	parent := make([]int32, 2*n-1)
	for i, s := range used {
		weight[i] = freq[s]
	}
	leaf, inner, next := 0, n, n
	pick := func() int {
		if leaf < n && (inner >= next || weight[leaf] <= weight[inner]) {
			leaf++
			return leaf - 1
		}
		inner++
		return inner - 1
	}
	for ; next < 2*n-1; next++ {
		a, b := pick(), pick()
		weight[next] = weight[a] + weight[b]
		parent[a], parent[b] = int32(next), int32(next)
	}
	depth := make([]int, 2*n-1)
	deepest := 0
	for k := 2*n - 3; k >= 0; k-- { // parents are created after children: walk down from the root
		depth[k] = depth[parent[k]] + 1
		if k < n {
			lengths[used[k]] = uint8(depth[k])
			deepest = max(deepest, depth[k])
		}
	}
	return lengths, deepest
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// canonicalCodes returns the canonical codes of lengths (RFC 1951 section 3.2.2), bit
// reversed because DEFLATE sends Huffman codes most significant bit first into an
// LSB-first stream.
func canonicalCodes(lengths []uint8) []uint16 {
	var count [maxCodeBits + 2]int
	for _, l := range lengths {
		count[l]++
	}
	count[0] = 0
	var next [maxCodeBits + 2]int
	code := 0
	for b := 1; b <= maxCodeBits+1; b++ {
		code = (code + count[b-1]) << 1
		next[b] = code
	}
	codes := make([]uint16, len(lengths))
	for s, l := range lengths {
		if l == 0 {
			continue
		}
		codes[s] = bits.Reverse16(uint16(next[l])) >> (16 - l)
		next[l]++
	}
	return codes
}
