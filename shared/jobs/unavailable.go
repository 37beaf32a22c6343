package jobs

import (
	"errors"
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/reprocess"
)

// storeTimeout bounds every storage call an HTTP caller waits for: storage
// that cannot be reached answers 503 quickly, never a hang.
const storeTimeout = 5 * time.Second

// storeRetryAfter is the Retry-After of JobStoreUnavailable.
const storeRetryAfter = 10 * time.Second

// unavailable is the 503 a caller gets when the queue or table failed;
// the cause is kept for the log.
func unavailable(cause error) error {
	return &reprocess.Problem{Status: http.StatusServiceUnavailable, Code: "JobStoreUnavailable", RetryAfter: storeRetryAfter,
		Message: "The jobs queue or table could not be reached. Try again later.", Err: cause}
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
