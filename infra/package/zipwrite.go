package main

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/infra/package/optflate"
)

// entry is one file or directory of a package. Name uses forward slashes; a directory's
// name ends in "/" and has no data.
type entry struct {
	Name string
	Mode fs.FileMode // permission bits only; the directory bit is derived from Name
	Data []byte
}

// dosEpoch is the earliest time a zip entry can hold; the fallback fixed time.
func dosEpoch() time.Time { return time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC) }

// fixedTime is the time stamped on every entry: SOURCE_DATE_EPOCH when set (the
// reproducible-builds convention), else the DOS epoch. Zip times before 1980 cannot be
// stored, so earlier values are raised to it.
func fixedTime(getenv func(string) string) (time.Time, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return dosEpoch(), nil
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", v)
	}
	t := time.Unix(secs, 0).UTC()
	if t.Before(dosEpoch()) {
		return dosEpoch(), nil
	}
	return t, nil
}

// withDirs returns entries plus one directory entry for every parent folder they need,
// so tools that unpack the zip create folders with a known mode.
func withDirs(entries []entry) []entry {
	seen := map[string]bool{}
	out := slices.Clone(entries)
	for _, e := range entries {
		seen[e.Name] = true
	}
	for _, e := range entries {
		for dir := path.Dir(strings.TrimSuffix(e.Name, "/")); dir != "."; dir = path.Dir(dir) {
			name := dir + "/"
			if !seen[name] {
				seen[name] = true
				out = append(out, entry{Name: name, Mode: 0o755})
			}
		}
	}
	return out
}

// writeZip writes entries (with their parent folders) to w in name order, each with mode
// and modification time fixed, so equal inputs give equal bytes.
func writeZip(w io.Writer, entries []entry, modified time.Time) error {
	for _, e := range entries {
		if err := checkEntryName(e.Name); err != nil {
			return err
		}
	}
	all := withDirs(entries)
	slices.SortFunc(all, func(a, b entry) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(all); i++ {
		if all[i].Name == all[i-1].Name {
			return fmt.Errorf("zip entry %q appears twice", all[i].Name)
		}
	}
	zw := zip.NewWriter(w)
	// optflate's parse: about five seconds per binary, and each zip about 6%
	// (250 KB) smaller than compress/flate's best level makes it, which both
	// need to fit in 4 MiB. It is plain DEFLATE: every unzip reads it.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return optflate.NewWriter(w), nil
	})
	for _, e := range all {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: modified}
		mode := e.Mode.Perm()
		if strings.HasSuffix(e.Name, "/") {
			h.Method = zip.Store
			mode |= fs.ModeDir
		}
		h.SetMode(mode) // records Unix permission bits: the executable bit survives
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("zip entry %s: %w", e.Name, err)
		}
		if _, err := fw.Write(e.Data); err != nil {
			return fmt.Errorf("zip entry %s: %w", e.Name, err)
		}
	}
	return zw.Close()
}

// checkEntryName refuses names that would unpack outside the target folder.
func checkEntryName(name string) error {
	clean := strings.TrimSuffix(name, "/")
	if clean == "" || strings.HasPrefix(clean, "/") || strings.Contains(clean, `\`) ||
		path.Clean(clean) != clean || clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("zip entry name %q is not a clean relative path", name)
	}
	return nil
}
