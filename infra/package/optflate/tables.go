package optflate

// DEFLATE's length and distance alphabets (RFC 1951 section 3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}

	// lengthCode maps a match length (3..258) to its index in lengthBase.
	lengthCode [259]uint8
	// distCodeLow maps distances 1..256 to their code; distCodeHigh maps (d-1)>>7 for
	// longer distances.
	distCodeLow  [257]uint8
	distCodeHigh [256]uint8
)

// codeLengthOrder is the order in which a dynamic block header lists the code-length
// code's lengths.
var codeLengthOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

const (
	endOfBlock  = 256
	numLitLen   = 286 // literals, end of block, 29 length codes
	numDist     = 30
	windowSize  = 32768
	minMatch    = 3
	maxMatch    = 258
	maxCodeBits = 15
)

func init() {
	for c := range lengthBase {
		lo := int(lengthBase[c])
		hi := lo + 1<<lengthExtra[c]
		for l := lo; l < hi && l <= maxMatch; l++ {
			lengthCode[l] = uint8(c)
		}
	}
	lengthCode[maxMatch] = 28 // 258 has its own code, not 227+31 under code 27
	for c := range distBase {
		lo := int(distBase[c])
		hi := lo + 1<<distExtra[c]
		for d := lo; d < hi; d++ {
			if d <= 256 {
				distCodeLow[d] = uint8(c)
			} else {
				distCodeHigh[(d-1)>>7] = uint8(c)
			}
		}
	}
}

// distCode is the distance symbol of d (1..32768).
func distCode(d int) int {
	if d <= 256 {
		return int(distCodeLow[d])
	}
	return int(distCodeHigh[(d-1)>>7])
}
