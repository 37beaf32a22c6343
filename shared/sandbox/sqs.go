package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/sigv4/sigv4test"
)

// SQSServer emulates Amazon SQS at the regional endpoints
// (https://sqs.<region>.amazonaws.com) in the AWS JSON 1.0 protocol that
// aws-sdk-go-v2's SQS client speaks: X-Amz-Target AmazonSQS.<Action>
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/).
// It exists because no SQS emulator runs on this project's Node 20 and
// goaws v0.4 speaks only the query protocol. Standard queues only:
// DelaySeconds, visibility timeouts, ApproximateReceiveCount and a redrive
// to a dead-letter queue after maxReceiveCount are honoured; FIFO, message
// attributes and permissions are not. Requests must be SigV4-signed with
// the role session AWSEnv hands out.
type SQSServer struct {
	t      *Tenant
	mu     sync.Mutex
	queues map[string]*sqsQueue
}

// The jobs queue the sandbox creates at start, as infra/aws/template.yaml
// declares it: its dead-letter queue takes a message on the receive after
// its fifth (SQSMaxReceiveCount).
const (
	SQSJobsQueue       = "reprocess-jobs"
	SQSJobsDLQ         = "reprocess-jobs-dlq"
	SQSMaxReceiveCount = 5
)

func newSQSServer(t *Tenant) *SQSServer {
	s := &SQSServer{t: t, queues: map[string]*sqsQueue{}}
	dlq := s.create(SQSJobsDLQ, 30*time.Second)
	jobs := s.create(SQSJobsQueue, 30*time.Second)
	jobs.dlq, jobs.maxReceiveCount = dlq, SQSMaxReceiveCount
	return s
}

func (s *SQSServer) create(name string, visibility time.Duration) *sqsQueue {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		return q
	}
	q := &sqsQueue{name: name, visibilityTimeout: visibility}
	s.queues[name] = q
	return q
}

// QueueURL is the URL of the named queue in region.
func (s *SQSServer) QueueURL(region, name string) string {
	return "https://" + sqsHost(region) + "/" + AWSAccountID + "/" + name
}

// Messages lists the named queue's messages, visible or not, in send order.
func (s *SQSServer) Messages(name string) []SQSMessage {
	if q := s.queue(name); q != nil {
		return q.snapshot()
	}
	return nil
}

func (s *SQSServer) queue(name string) *sqsQueue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queues[name]
}

// byURL finds the queue a QueueUrl names (its last path segment).
func (s *SQSServer) byURL(url string) *sqsQueue {
	return s.queue(url[strings.LastIndexByte(url, '/')+1:])
}

// sqsHost is the regional SQS endpoint's host, as the SDKs build it.
func sqsHost(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "sqs." + region + ".amazonaws.com.cn"
	}
	return "sqs." + region + ".amazonaws.com"
}

// sqsRegion returns the region of a regional SQS host.
func sqsRegion(host string) (string, bool) {
	rest, ok := strings.CutPrefix(host, "sqs.")
	if !ok {
		return "", false
	}
	region, _, _ := strings.Cut(rest, ".")
	return region, sqsHost(region) == host && isAWSRegion(region)
}

// sqsError is an error answer: __type and the query-compatible code header
// the SDK reads.
type sqsError struct {
	status      int
	typ, legacy string // legacy: the query protocol's code (x-amzn-query-error)
	message     string
}

func (e *sqsError) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if e.legacy != "" {
		w.Header().Set("x-amzn-query-error", e.legacy+";Sender")
	}
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.typ, "message": e.message})
}

func sqsBad(typ, legacy, format string, args ...any) *sqsError {
	return &sqsError{status: http.StatusBadRequest, typ: typ, legacy: legacy, message: fmt.Sprintf(format, args...)}
}

var errNoQueue = sqsBad("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")

func (s *SQSServer) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", newGUID())
		region, _ := sqsRegion(hostOnly(r.Host))
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			sqsBad("RequestEntityTooLarge", "", "The request body is too large.").write(w)
			return
		}
		if e := s.authenticate(r, body, region); e != nil {
			e.write(w)
			return
		}
		action, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
		if r.Method != http.MethodPost || !ok || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.0") {
			sqsBad("InvalidAction", "InvalidAction", "Only AWS JSON 1.0 POSTs with X-Amz-Target AmazonSQS.<Action> are served.").write(w)
			return
		}
		out, e := s.do(r.Context(), region, action, body)
		if e != nil {
			e.write(w)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_ = json.NewEncoder(w).Encode(out)
	})
}

// authenticate checks the SigV4 signature and session token as SQS does.
func (s *SQSServer) authenticate(r *http.Request, body []byte, region string) *sqsError {
	denied := func(typ, msg string) *sqsError {
		return &sqsError{status: http.StatusForbidden, typ: typ, legacy: typ, message: msg}
	}
	auth, err := sigv4test.Parse(r)
	switch {
	case err == sigv4test.ErrNoSignature:
		return denied("MissingAuthenticationToken", "Request is missing Authentication Token")
	case err != nil:
		return sqsBad("IncompleteSignature", "IncompleteSignature", "%s", err.Error())
	}
	session := s.t.aws
	now := time.Now().UTC()
	switch {
	case auth.AccessKeyID != session.accessKeyID || r.Header.Get("X-Amz-Security-Token") != session.sessionToken:
		return denied("InvalidClientTokenId", "The security token included in the request is invalid.")
	case auth.Region != region || auth.Service != "sqs":
		return denied("SignatureDoesNotMatch", "Credential should be scoped to a valid region and to service 'sqs'.")
	case auth.AmzDate.Before(now.Add(-maxSkew)) || auth.AmzDate.After(now.Add(maxSkew)):
		return denied("SignatureDoesNotMatch", "Signature expired or not yet current.")
	case !auth.Verify(r, body, session.secretAccessKey):
		return denied("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
	}
	return nil
}

func isAWSRegion(region string) bool { return slices.Contains(awsRegions, region) }
