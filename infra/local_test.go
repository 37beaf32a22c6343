package infra_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestLocalSettingsExample(t *testing.T) {
	var file struct {
		IsEncrypted bool              `json:"IsEncrypted"`
		Values      map[string]string `json:"Values"`
	}
	if err := json.Unmarshal([]byte(repoFile(t, "local.settings.json.example")), &file); err != nil {
		t.Fatalf("local.settings.json.example: %v", err)
	}
	// Core Tools starts a custom handler only with this runtime, and the queue trigger
	// needs storage (Azurite locally).
	platform := map[string]string{
		"FUNCTIONS_WORKER_RUNTIME": "custom",
		"AzureWebJobsStorage":      "UseDevelopmentStorage=true",
	}
	for k, v := range platform {
		if file.Values[k] != v {
			t.Errorf("%s = %q, want %q", k, file.Values[k], v)
		}
	}
	known := settingNames(t)
	for k := range file.Values {
		if _, ok := platform[k]; !ok && !slices.Contains(known, k) {
			t.Errorf("local.settings.json.example sets %s, which the binary does not read", k)
		}
	}
	for _, name := range known {
		if strings.HasPrefix(name, "GRAPH_") && name != "GRAPH_BASE_URL" {
			if _, ok := file.Values[name]; !ok {
				t.Errorf("local.settings.json.example lacks %s", name)
			}
		}
	}
}
