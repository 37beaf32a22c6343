package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// functionsApp is what the Functions host needs besides the handler binary.
type functionsApp struct {
	HostJSON       []byte
	ExecutablePath string  // host.json customHandler.description.defaultExecutablePath
	Functions      []entry // <name>/function.json, sorted by name
}

// readFunctionsApp reads host.json and every functions/<name>/function.json under root.
// A folder under functions/ without a function.json (Go code, testdata) is not a function.
func readFunctionsApp(root string) (functionsApp, error) {
	var app functionsApp
	hostJSON, err := os.ReadFile(filepath.Join(root, "host.json"))
	if err != nil {
		return app, err
	}
	app.HostJSON = hostJSON
	if app.ExecutablePath, err = executablePath(hostJSON); err != nil {
		return app, fmt.Errorf("host.json: %w", err)
	}

	dirs, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return app, err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		p := filepath.Join(root, "functions", d.Name(), "function.json")
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return app, err
		}
		if !json.Valid(data) {
			return app, fmt.Errorf("%s: not valid JSON", p)
		}
		app.Functions = append(app.Functions, entry{Name: d.Name() + "/function.json", Mode: 0o644, Data: data})
	}
	if len(app.Functions) == 0 {
		return app, fmt.Errorf("no functions/<name>/function.json under %s", root)
	}
	slices.SortFunc(app.Functions, func(a, b entry) int { return strings.Compare(a.Name, b.Name) })
	for _, f := range app.Functions {
		if path.Dir(f.Name) == app.ExecutablePath {
			return app, fmt.Errorf("function folder %q has the handler's name", path.Dir(f.Name))
		}
	}
	return app, nil
}

// executablePath returns the handler path host.json names, relative to the app root.
// The host resolves a relative path under the app root; the package must put the
// binary exactly there.
func executablePath(hostJSON []byte) (string, error) {
	var host struct {
		CustomHandler struct {
			Description struct {
				DefaultExecutablePath string `json:"defaultExecutablePath"`
			} `json:"description"`
		} `json:"customHandler"`
	}
	if err := json.Unmarshal(hostJSON, &host); err != nil {
		return "", err
	}
	p := host.CustomHandler.Description.DefaultExecutablePath
	if p == "" {
		return "", errors.New("customHandler.description.defaultExecutablePath is empty")
	}
	if err := checkEntryName(p); err != nil {
		return "", fmt.Errorf("defaultExecutablePath %q must be a path inside the app: %w", p, err)
	}
	return p, nil
}

// azureEntries is the whole Functions package: host.json, the function folders, and the
// handler binary under the name host.json gives it.
func azureEntries(app functionsApp, handler []byte) []entry {
	entries := []entry{
		{Name: "host.json", Mode: 0o644, Data: app.HostJSON},
		{Name: app.ExecutablePath, Mode: 0o755, Data: handler},
	}
	return append(entries, app.Functions...)
}
