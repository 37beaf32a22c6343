package awslambda

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// JobWorker is what the jobs queue's records and the sweep schedule need of
// the jobs engine (jobs.Engine).
type JobWorker interface {
	Handle(ctx context.Context, m jobs.Message, d jobs.Delivery) error
	Sweep(ctx context.Context, accessPackageIDs []string, mode jobs.Mode) ([]jobs.Job, error)
}

// JobsMaxReceiveCount is the jobs queue's redrive maxReceiveCount in
// infra/aws/template.yaml: the delivery with this ApproximateReceiveCount is
// a message's last before the dead-letter queue, so the engine counts its
// items as failed instead of failing again (jobs.Delivery.Final).
const JobsMaxReceiveCount = 5

// Jobs are the jobs settings of the Lambda edge.
type Jobs struct {
	Worker JobWorker // nil: this function has no job backend
	// QueueURL is the jobs queue (JOBS_QUEUE_URL): SQS records whose
	// eventSourceARN ends in its name are job messages.
	QueueURL string
	// The sweep an EventBridge schedule starts (SWEEP_ACCESS_PACKAGE_IDS, SWEEP_MODE).
	SweepAccessPackageIDs []string
	SweepMode             jobs.Mode
}

// isJobRecord reports whether rec came from the jobs queue: its
// eventSourceARN (arn:aws:sqs:<region>:<account>:<name>) names the queue
// at the end of QueueURL (https://sqs.<region>.amazonaws.com/<account>/<name>).
func (j *Jobs) isJobRecord(rec *events.SQSMessage) bool {
	if j.QueueURL == "" {
		return false
	}
	name := j.QueueURL[strings.LastIndexByte(j.QueueURL, '/')+1:]
	arn := rec.EventSourceARN
	return name != "" && strings.HasSuffix(arn, ":"+name)
}

// handleJobRecords runs each job message through the engine, at once, and
// returns the ids of those to deliver again. A body that is not a job
// message is dropped: no delivery would make it one.
func (h *Handler) handleJobRecords(ctx context.Context, id string, records []*events.SQSMessage) []string {
	var (
		mu    sync.Mutex
		retry []string
		wg    sync.WaitGroup
	)
	fail := func(messageID string) {
		mu.Lock()
		retry = append(retry, messageID)
		mu.Unlock()
	}
	for _, rec := range records {
		m, err := jobs.DecodeMessage([]byte(rec.Body))
		if err != nil {
			h.logger.WarnContext(ctx, "dropping a jobs queue message that is not a job message", "aws_request_id", id, "message_id", rec.MessageId, "error", err)
			continue
		}
		if h.jobs.Worker == nil {
			h.logger.ErrorContext(ctx, "job message on a function without a job backend; it will be retried", "aws_request_id", id, "message_id", rec.MessageId)
			fail(rec.MessageId)
			continue
		}
		attempt, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
		d := jobs.Delivery{Attempt: max(attempt, 1), Final: attempt >= JobsMaxReceiveCount}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer h.recoverCore(ctx, id, func() { fail(rec.MessageId) })
			if err := h.jobs.Worker.Handle(ctx, m, d); err != nil {
				h.logger.WarnContext(ctx, "job message failed; it will be retried", "aws_request_id", id, "message_id", rec.MessageId,
					"job_id", m.Job, "unit", m.Unit, "attempt", d.Attempt, "error", err.Error())
				fail(rec.MessageId)
			}
		}()
	}
	wg.Wait()
	return retry
}

// serveSchedule starts the sweep for an EventBridge scheduled event. Its
// failures are logged, not returned: a function error would make
// EventBridge invoke again and start the jobs that did start twice.
func (h *Handler) serveSchedule(ctx context.Context, id string) ([]byte, error) {
	ctx = invocation.NewContext(ctx, invocation.Info{ID: id, Trigger: invocation.Invoke, XRay: xrayRoot(ctx)})
	type started struct {
		JobID           string `json:"jobId"`
		AccessPackageID string `json:"accessPackageId"`
	}
	out := struct {
		Jobs  []started `json:"jobs"`
		Error string    `json:"error,omitempty"`
	}{Jobs: []started{}}
	switch {
	case h.jobs.Worker == nil:
		out.Error = "this function has no job backend (JOBS_QUEUE_URL)"
		h.logger.ErrorContext(ctx, "sweep skipped: no job backend", "aws_request_id", id)
	case len(h.jobs.SweepAccessPackageIDs) == 0:
		h.logger.InfoContext(ctx, "sweep: SWEEP_ACCESS_PACKAGE_IDS is empty", "aws_request_id", id)
	default:
		func() {
			defer h.recoverCore(ctx, id, func() { out.Error = "the sweep failed" })
			js, err := h.jobs.Worker.Sweep(ctx, h.jobs.SweepAccessPackageIDs, h.jobs.SweepMode)
			for _, j := range js {
				out.Jobs = append(out.Jobs, started{JobID: j.ID, AccessPackageID: j.Scope.AccessPackageID})
			}
			if err != nil {
				out.Error = "some sweep jobs did not start"
				h.logger.ErrorContext(ctx, "sweep: some jobs did not start", "aws_request_id", id, "started", len(js), "error", err.Error())
			}
		}()
		h.logger.InfoContext(ctx, "sweep started", "aws_request_id", id, "jobs", len(out.Jobs), "mode", string(h.jobs.SweepMode))
	}
	return json.Marshal(out)
}
