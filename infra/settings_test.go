// Package infra_test checks the deployment templates against the binary's settings and
// the Functions app's folders. It holds no production code.
package infra_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// federationSetting selects keyless AWS -> Entra federation on Lambda. The name lives
// here once for the tests; settings.txt and template.yaml spell it too.
const federationSetting = "AZURE_TOKEN_FROM_AWS_STS"

// setting is one line of settings.txt: what each template does with a setting.
type setting struct {
	Name, Azure, AWS string // "set", "optional" or "unused"
}

// repoFile reads a file relative to the repository root (this test runs in infra/).
func repoFile(tb testing.TB, rel string) string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(rel)))
	if err != nil {
		tb.Fatalf("read %s: %v", rel, err)
	}
	return string(data)
}

// loadSettings parses settings.txt.
func loadSettings(tb testing.TB) []setting {
	tb.Helper()
	var settings []setting
	for i, line := range strings.Split(repoFile(tb, "infra/settings.txt"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			tb.Fatalf("settings.txt:%d: want NAME AZURE AWS, got %q", i+1, line)
		}
		for _, v := range f[1:] {
			if v != "set" && v != "optional" && v != "unused" {
				tb.Fatalf("settings.txt:%d: %q is not set, optional or unused", i+1, v)
			}
		}
		settings = append(settings, setting{Name: f[0], Azure: f[1], AWS: f[2]})
	}
	return settings
}

// settingNames returns the names in settings.txt.
func settingNames(tb testing.TB) []string {
	tb.Helper()
	var names []string
	for _, s := range loadSettings(tb) {
		names = append(names, s.Name)
	}
	return names
}

var settingName = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b`)

// optionalBlock returns the setting names in the comment block that starts with
// "Optional settings", where a template documents what it does not set.
func optionalBlock(tb testing.TB, src, commentPrefix string) []string {
	tb.Helper()
	lines := strings.Split(src, "\n")
	start := slices.IndexFunc(lines, func(l string) bool {
		l = strings.TrimSpace(l)
		return strings.HasPrefix(l, commentPrefix) && strings.Contains(l, "Optional settings")
	})
	if start < 0 {
		tb.Fatalf("no %q Optional settings comment block", commentPrefix)
	}
	var names []string
	for _, l := range lines[start:] {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, commentPrefix) {
			break
		}
		names = append(names, settingName.FindAllString(l, -1)...)
	}
	return names
}

// checkTemplateSettings checks one template against settings.txt: every "set" setting
// is set, every "optional" one is set or documented, every "unused" one is not set.
func checkTemplateSettings(t *testing.T, template string, set, documented []string, want func(setting) string) {
	t.Helper()
	for _, s := range loadSettings(t) {
		isSet, isDoc := slices.Contains(set, s.Name), slices.Contains(documented, s.Name)
		switch w := want(s); {
		case w == "set" && !isSet:
			t.Errorf("%s does not set %s", template, s.Name)
		case w == "optional" && !isSet && !isDoc:
			t.Errorf("%s neither sets %s nor lists it under Optional settings", template, s.Name)
		case w == "unused" && isSet:
			t.Errorf("%s sets %s, which does not apply there", template, s.Name)
		}
	}
}

func TestSettingsList(t *testing.T) {
	settings := loadSettings(t)
	seen := map[string]bool{}
	for _, s := range settings {
		if seen[s.Name] {
			t.Errorf("settings.txt lists %s twice", s.Name)
		}
		seen[s.Name] = true
	}
	// Every signed-webhook source has both its settings.
	for _, src := range []string{"GITHUB", "STANDARD", "ZENDESK", "PAGERDUTY", "JIRA"} {
		for _, suffix := range []string{"_SECRET_NAME", "_ID_POINTER"} {
			if name := "WEBHOOK_" + src + suffix; !seen[name] {
				t.Errorf("settings.txt lacks %s", name)
			}
		}
	}
	if !seen[federationSetting] {
		t.Errorf("settings.txt lacks the Lambda federation setting %s", federationSetting)
	}
}
