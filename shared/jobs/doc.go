// Package jobs re-enforces a whole access package (or catalog) at once: a
// job lists the package's delivered assignments a page at a time and
// reprocesses them in chunks of at most 20 (one Graph $batch each),
// optionally only those whose target lacks a group the package grants
// (drift). The work fans out through the platform's queue (Azure Storage
// queue, SQS, or an in-process queue) and its progress lives in the
// platform's table (Azure Table Storage, DynamoDB, or memory), behind the
// small Queue and Store interfaces defined here, so any instance can take
// any message and answer any job's status.
//
// Exactly-once counting: every message is one work unit with a
// deterministic key; Store.Commit records the unit with what it adds to
// the job (a Delta) in one conditional insert, so a redelivered message
// changes nothing and workers never contend on one row; reading a job
// folds its units in.
package jobs
