package main

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// zipFile is one entry read back from a zip.
type zipFile struct {
	Name     string
	Mode     fs.FileMode
	Modified time.Time
	Data     []byte
}

// readZip returns the entries of a zip in stored order.
func readZip(tb testing.TB, data []byte) []zipFile {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatalf("zip.NewReader: %v", err)
	}
	var files []zipFile
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatalf("open %s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatalf("read %s: %v", f.Name, err)
		}
		files = append(files, zipFile{Name: f.Name, Mode: f.Mode(), Modified: f.Modified.UTC(), Data: b})
	}
	return files
}

func TestWriteZip(t *testing.T) {
	in := []entry{
		{Name: "status/function.json", Mode: 0o644, Data: []byte(`{"bindings":[]}`)},
		{Name: "handler", Mode: 0o755, Data: []byte("\x7fELF...")},
		{Name: "host.json", Mode: 0o644, Data: []byte(`{"version":"2.0"}`)},
		{Name: "a/b/c.txt", Mode: 0o600, Data: []byte("deep")},
	}
	when := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var first, second bytes.Buffer
	if err := writeZip(&first, in, when); err != nil {
		t.Fatalf("writeZip: %v", err)
	}
	// Same entries in another order must give the same bytes.
	reordered := []entry{in[3], in[1], in[0], in[2]}
	if err := writeZip(&second, reordered, when); err != nil {
		t.Fatalf("writeZip: %v", err)
	}
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("writeZip of the same entries in another order gave different bytes")
	}

	want := []struct {
		name string
		mode fs.FileMode
		data string
	}{
		{"a/", fs.ModeDir | 0o755, ""},
		{"a/b/", fs.ModeDir | 0o755, ""},
		{"a/b/c.txt", 0o600, "deep"},
		{"handler", 0o755, "\x7fELF..."},
		{"host.json", 0o644, `{"version":"2.0"}`},
		{"status/", fs.ModeDir | 0o755, ""},
		{"status/function.json", 0o644, `{"bindings":[]}`},
	}
	got := readZip(t, first.Bytes())
	if len(got) != len(want) {
		t.Fatalf("zip has %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Mode != w.mode || string(g.Data) != w.data {
			t.Errorf("entry %d = %s %v %q, want %s %v %q", i, g.Name, g.Mode, g.Data, w.name, w.mode, w.data)
		}
		if !g.Modified.Equal(when) {
			t.Errorf("entry %s modified %v, want %v", g.Name, g.Modified, when)
		}
	}
}

func TestWriteZipRefuses(t *testing.T) {
	tests := []struct {
		name    string
		entries []entry
		wantErr string
	}{
		{"duplicate", []entry{{Name: "x"}, {Name: "x"}}, "twice"},
		{"absolute", []entry{{Name: "/etc/passwd"}}, "clean relative path"},
		{"parent", []entry{{Name: "../x"}}, "clean relative path"},
		{"backslash", []entry{{Name: `a\b`}}, "clean relative path"},
		{"unclean", []entry{{Name: "a/./b"}}, "clean relative path"},
		{"empty", []entry{{Name: ""}}, "clean relative path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := writeZip(io.Discard, tt.entries, dosEpoch())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("writeZip(%q) error = %v, want one containing %q", tt.entries[0].Name, err, tt.wantErr)
			}
		})
	}
}

func TestFixedTime(t *testing.T) {
	tests := []struct {
		env     string
		want    time.Time
		wantErr bool
	}{
		{"", dosEpoch(), false},
		{"1764504000", time.Unix(1764504000, 0).UTC(), false},
		{"0", dosEpoch(), false}, // before 1980: zip cannot store it
		{"yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			got, err := fixedTime(func(k string) string {
				if k == "SOURCE_DATE_EPOCH" {
					return tt.env
				}
				return ""
			})
			if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
				t.Errorf("fixedTime(SOURCE_DATE_EPOCH=%q) = %v, %v; want %v, error %v", tt.env, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
