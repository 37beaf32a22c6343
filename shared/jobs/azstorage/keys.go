package azstorage

import (
	"fmt"
	"strings"
)

// Row keys of a job's partition.
const (
	jobRow     = "job"
	unitPrefix = "u|"
)

// key makes s a valid PartitionKey or RowKey: Table Storage refuses "/",
// "\", "#", "?" and control characters in keys, and unit keys use "/"
// (e.g. "p0/c3/r1"). Percent-escaping is deterministic, so a redelivered
// unit maps to the same row.
func key(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '/' || c == '\\' || c == '#' || c == '?' || c == '%' || c == '\'' || c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// partitionFilter is the OData filter for one partition (key() leaves no
// quote to escape).
func partitionFilter(pk string) string { return "PartitionKey eq '" + key(pk) + "'" }
