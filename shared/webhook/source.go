package webhook

import (
	"fmt"
	"strings"
)

// Source names a webhook sender and so its signature scheme.
type Source string

// The supported sources; the names are the {source} path segment of
// POST /api/webhooks/{source}.
const (
	GitHub    Source = "github"
	Standard  Source = "standard"
	Zendesk   Source = "zendesk"
	PagerDuty Source = "pagerduty"
	Jira      Source = "jira"
)

// Sources lists every supported source in a stable order.
func Sources() []Source {
	return []Source{GitHub, Standard, Zendesk, PagerDuty, Jira}
}

// ParseSource returns the source named s (exact, lower case).
func ParseSource(s string) (Source, error) {
	for _, src := range Sources() {
		if string(src) == s {
			return src, nil
		}
	}
	return "", fmt.Errorf("%w: %.32q", ErrUnknownSource, s)
}

// SecretNameSetting is the setting that names the Key Vault secret holding
// this source's signing secret, e.g. WEBHOOK_GITHUB_SECRET_NAME.
func (s Source) SecretNameSetting() string { return s.setting("SECRET_NAME") }

// IDPointerSetting is the setting that holds the RFC 6901 pointer to the
// assignment id in this source's body, e.g. WEBHOOK_GITHUB_ID_POINTER.
func (s Source) IDPointerSetting() string { return s.setting("ID_POINTER") }

func (s Source) setting(suffix string) string {
	return "WEBHOOK_" + strings.ToUpper(string(s)) + "_" + suffix
}
