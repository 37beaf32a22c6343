package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/recorder"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/secrets"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// SecretReader is what the webhook route needs of Key Vault (secrets.Store).
type SecretReader interface {
	Get(ctx context.Context, name string) (secrets.Secret, error)
	Refresh(ctx context.Context, name string, pem bool) (secrets.Secret, error)
}

// Webhook is one configured webhook source.
type Webhook struct {
	SecretName string          // Key Vault secret holding the signing secret
	IDPointer  webhook.Pointer // where the assignment id is in the body
}

// Webhook limits. A timestamped signature is accepted up to Tolerance
// either side of now, so a delivery stays replayable for twice that: the
// guard remembers it that long. Deliveries are small; senders cap theirs
// higher (GitHub 25 MB) but an event naming one id fits in far less.
const (
	webhookBody    = 1 << 20
	replayWindow   = 2 * webhook.Tolerance
	replayCapacity = 10_000
	// A signature that does not match may come from a sender already
	// using a rotated secret: re-read it, but at most this often per source,
	// so forged requests cannot drive Key Vault reads.
	secretRefreshEvery = time.Minute
)

// receiveWebhook serves POST /api/webhooks/{source}: verify the signature
// over the raw body, then find the id at the source's pointer and reprocess
// it as the path route does. A replay within the window gets the first
// answer again; the guard is per instance.
func receiveWebhook(d Deps) http.Handler {
	h := &webhookHandler{d: d, guard: webhook.NewReplayGuard(replayWindow, replayCapacity), refreshed: map[webhook.Source]time.Time{}}
	if d.Replays != nil { // storage configured: a replay to another instance is caught too
		h.guard.Share(d.Replays, d.Logger)
	}
	return http.HandlerFunc(h.serve)
}

type webhookHandler struct {
	d     Deps
	guard *webhook.ReplayGuard

	mu        sync.Mutex
	refreshed map[webhook.Source]time.Time // last forced secret read per source
}

func (h *webhookHandler) serve(w http.ResponseWriter, r *http.Request) {
	src, err := webhook.ParseSource(r.PathValue("source"))
	cfg, configured := h.d.Webhooks[src]
	if err != nil || !configured || h.d.Secrets == nil {
		writeError(w, r, &reprocess.Problem{Status: http.StatusNotFound, Code: "WebhookNotConfigured",
			Message: "No webhook is configured for this source (WEBHOOK_<SOURCE>_SECRET_NAME)."})
		return
	}
	rec := recordOf(r)
	rec.attrs = append(rec.attrs, slog.String("webhookSource", string(src)))
	body, err := readBody(r)
	if err != nil {
		writeError(w, r, err)
		return
	}
	delivery, err := h.verify(r.Context(), src, cfg.SecretName, r.Header, body)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if delivery.ID != "" {
		rec.attrs = append(rec.attrs, slog.String("deliveryId", delivery.ID))
	}
	answer, replayed, err := h.guard.Do(r.Context(), delivery.ReplayKeys(), func() webhook.Answer {
		res := recorder.New()
		h.reprocess(res, r, src, cfg.IDPointer, body)
		a := res.Result(r.Method)
		return webhook.Answer{Status: a.Status, Header: a.Header, Body: a.Body}
	})
	if errors.Is(err, webhook.ErrReplayed) {
		rec.attrs = append(rec.attrs, slog.Bool("replayed", true))
		writeError(w, r, &reprocess.Problem{Status: http.StatusConflict, Code: "WebhookReplayed",
			Message: "This delivery was already received (by another instance); it is not processed again.", Err: err})
		return
	}
	if err != nil {
		writeError(w, r, err)
		return
	}
	if replayed {
		rec.attrs = append(rec.attrs, slog.Bool("replayed", true))
	}
	for k, vs := range answer.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(answer.Status)
	w.Write(answer.Body)
}

// verify checks the delivery against the cached signing secret and, when
// the signature does not match, once against the latest version.
func (h *webhookHandler) verify(ctx context.Context, src webhook.Source, name string, hdr http.Header, body []byte) (webhook.Delivery, error) {
	s, err := h.d.Secrets.Get(ctx, name)
	if err != nil {
		return webhook.Delivery{}, err
	}
	d, err := verifyWith(src, s.Value, hdr, body)
	if !errors.Is(err, webhook.ErrBadSignature) || !h.mayRefresh(src) {
		return d, err
	}
	latest, rerr := h.d.Secrets.Refresh(ctx, name, false)
	if rerr != nil || latest.Version == s.Version {
		return d, err
	}
	return verifyWith(src, latest.Value, hdr, body)
}

func verifyWith(src webhook.Source, secret string, hdr http.Header, body []byte) (webhook.Delivery, error) {
	v, err := webhook.NewVerifier(src, secret)
	if err != nil {
		return webhook.Delivery{}, err
	}
	return v.Verify(hdr, body)
}

func (h *webhookHandler) mayRefresh(src webhook.Source) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	if last, ok := h.refreshed[src]; ok && now.Sub(last) < secretRefreshEvery {
		return false
	}
	h.refreshed[src] = now
	return true
}

// reprocess finds the id in a verified body and reprocesses it.
func (h *webhookHandler) reprocess(w http.ResponseWriter, r *http.Request, src webhook.Source, ptr webhook.Pointer, body []byte) {
	raw, err := ptr.LookupString(body)
	if err != nil {
		msg := "The webhook body has no assignment id (a JSON string) at " + ptr.String() + ", the pointer " + src.IDPointerSetting() + " names."
		if errors.Is(err, webhook.ErrInvalidJSON) {
			msg = "The webhook body is not valid JSON; configure the sender to post application/json."
		}
		writeError(w, r, &reprocess.Problem{Status: http.StatusBadRequest, Code: "AssignmentIdNotFound", Message: msg, Err: err})
		return
	}
	id, err := assignment.ParseID(raw)
	if err != nil {
		writeError(w, r, err)
		return
	}
	reprocessOne(h.d, w, r, id)
}
