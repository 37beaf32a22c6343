package webhook

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// SharedReplays records deliveries where every instance sees them (the
// jobs table on Azure), so a replay sent to another instance is caught too.
type SharedReplays interface {
	// Claim records key for window: true when this call was first.
	Claim(ctx context.Context, key string, window time.Duration) (bool, error)
	// Release forgets key (the attempt did not settle the delivery).
	Release(ctx context.Context, key string) error
}

// ErrReplayed: another instance already received this delivery within the
// window; its answer is there, not here.
var ErrReplayed = errors.New("the delivery was already received by another instance")

// Share makes g check shared as well as its own memory. When shared cannot
// be reached the delivery is served (this instance's memory still guards
// it) and logger hears why: a storage outage must not stop webhooks.
func (g *ReplayGuard) Share(shared SharedReplays, logger *slog.Logger) {
	g.shared, g.logger = shared, logger
}

// claimShared claims every key in the shared store: false when some
// instance holds one of them.
func (g *ReplayGuard) claimShared(ctx context.Context, keys []string) bool {
	for _, k := range keys {
		first, err := g.shared.Claim(ctx, k, g.window)
		if err != nil {
			g.logger.LogAttrs(ctx, slog.LevelWarn, "webhook replay store unavailable: this instance's guard only", slog.String("error", err.Error()))
			return true
		}
		if !first {
			return false
		}
	}
	return true
}

// releaseShared forgets keys in the shared store, so the sender's retry of
// an unsettled delivery runs on any instance.
func (g *ReplayGuard) releaseShared(ctx context.Context, keys []string) {
	for _, k := range keys {
		if err := g.shared.Release(context.WithoutCancel(ctx), k); err != nil {
			g.logger.LogAttrs(ctx, slog.LevelWarn, "webhook replay store: release failed", slog.String("error", err.Error()))
		}
	}
}
