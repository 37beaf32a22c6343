package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/entra-tools/reprocess/shared/api"
	"github.com/entra-tools/reprocess/shared/bearer"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/secrets"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// wireSecurity adds the caller checks to the handler's dependencies: the
// bearer verifier when AUTH_AUDIENCE is set, and the signed webhook sources.
// Problems come back joined, one line each, like config's.
func wireSecurity(d *api.Deps, cfg config.Config, store *secrets.Store, hc *http.Client) error {
	var problems []error
	if cfg.Auth == nil && cfg.Runtime == config.Lambda && d.Logger != nil {
		// A Function URL has no platform key; only AWS_IAM auth (invisible
		// from here) would stand in for the bearer check.
		d.Logger.Warn("AUTH_AUDIENCE is not set: unless the function URL uses AWS_IAM auth, anyone who can reach it can reprocess assignments")
	}
	if cfg.Auth != nil {
		v, err := bearer.New(bearer.Config{
			TenantID:      cfg.TenantID,
			Audiences:     []string{cfg.Auth.Audience},
			RequiredRole:  cfg.Auth.RequiredRole,
			AuthorityHost: cfg.Cloud.AuthorityHost,
			HTTPClient:    hc, // the signing keys come through the same transport as the rest
		})
		if err != nil {
			problems = append(problems, fmt.Errorf("AUTH_AUDIENCE: %w", err))
		} else {
			d.Auth = v
		}
	}
	if len(cfg.Webhooks) > 0 && store != nil {
		d.Secrets = store
		d.Webhooks = map[webhook.Source]api.Webhook{}
		for name, w := range cfg.Webhooks {
			src, err := webhook.ParseSource(name)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			ptr, err := webhook.ParsePointer(w.IDPointer)
			if err != nil {
				problems = append(problems, fmt.Errorf("%s: %w", src.IDPointerSetting(), err))
				continue
			}
			d.Webhooks[src] = api.Webhook{SecretName: w.SecretName, IDPointer: ptr}
		}
	}
	return errors.Join(problems...)
}
