package optflate

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// inputs cover the shapes a binary has: text, runs, noise, repeats far and near, and
// the edges of the window and the block.
func inputs() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := make([]byte, 100_000)
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	small := make([]byte, 50_000) // few distinct bytes: short matches everywhere
	for i := range small {
		small[i] = "abcd"[rng.IntN(4)]
	}
	farRepeat := append(append(clone(noise[:40_000]), make([]byte, 1000)...), noise[:40_000]...)
	self, _ := os.ReadFile(os.Args[0]) // this test binary: real machine code
	return map[string][]byte{
		"empty":       {},
		"one byte":    {'x'},
		"two bytes":   {'x', 'y'},
		"three same":  {0, 0, 0},
		"text":        []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 50)),
		"zeros":       make([]byte, 100_000),
		"noise":       noise,
		"four bytes":  small,
		"far repeat":  farRepeat,
		"block edges": bytes.Repeat([]byte("0123456789abcdef"), 2*Default.BlockSize/16+7),
		"mixed":       bytes.Join([][]byte{noise[:20_000], make([]byte, 20_000), noise[:30_000], small[:20_000]}, []byte("text between")),
		"test binary": self[:min(len(self), 512<<10)],
	}
}

func clone(b []byte) []byte { return append([]byte{}, b...) }

func inflate(t *testing.T, z []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(z)))
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out
}

func TestCompressRoundTrips(t *testing.T) {
	for name, data := range inputs() {
		t.Run(name, func(t *testing.T) {
			z := Compress(data, Default)
			if got := inflate(t, z); !bytes.Equal(got, data) {
				t.Fatalf("round trip differs: %d bytes in, %d out", len(data), len(got))
			}
			var std bytes.Buffer
			fw, _ := flate.NewWriter(&std, flate.BestCompression)
			fw.Write(data)
			fw.Close()
			t.Logf("%d bytes: %d here, %d compress/flate best", len(data), len(z), std.Len())
			if name == "test binary" && len(z) >= std.Len() {
				t.Errorf("%d bytes compressed to %d, more than compress/flate's %d", len(data), len(z), std.Len())
			}
		})
	}
}

func TestCompressSmallBlocks(t *testing.T) {
	data := inputs()["text"]
	for _, o := range []Options{{BlockSize: 1, Iterations: 1, MaxChain: 1}, {BlockSize: 100, Iterations: 3, MaxChain: 8}} {
		if got := inflate(t, Compress(data, o)); !bytes.Equal(got, data) {
			t.Fatalf("options %+v: round trip differs", o)
		}
	}
}

func TestWriter(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	io.WriteString(w, "hello, ")
	io.WriteString(w, "hello, world")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := string(inflate(t, out.Bytes())); got != "hello, hello, world" {
		t.Fatalf("got %q", got)
	}
}

func TestCodeLengthsAreLimitedAndComplete(t *testing.T) {
	fib := make([]int64, 40) // Fibonacci counts make the deepest unrestricted codes
	fib[0], fib[1] = 1, 1
	for i := 2; i < len(fib); i++ {
		fib[i] = fib[i-1] + fib[i-2]
	}
	for _, limit := range []int{7, 15} {
		lengths := codeLengths(fib, limit)
		var kraft float64
		for _, l := range lengths {
			if int(l) > limit || l == 0 {
				t.Fatalf("limit %d: length %d", limit, l)
			}
			kraft += 1 / float64(uint64(1)<<l)
		}
		if kraft != 1 {
			t.Errorf("limit %d: Kraft sum %v, want a complete code", limit, kraft)
		}
	}
}

// BenchmarkCompress: the packager's cost per MB of machine code.
func BenchmarkCompress(b *testing.B) {
	data := inputs()["test binary"]
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Compress(data, Default)
	}
}
