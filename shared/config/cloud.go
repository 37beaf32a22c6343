package config

import (
	"errors"
	"fmt"
	"strings"
)

// Cloud is a Microsoft cloud: where Graph and the Entra login endpoint live.
type Cloud struct {
	Name          string // public, usgov, usgovdod, china
	GraphBaseURL  string // e.g. https://graph.microsoft.com/v1.0
	AuthorityHost string // e.g. https://login.microsoftonline.com/
}

// GraphScope is the client-credentials scope for the Graph host in GraphBaseURL.
func (c Cloud) GraphScope() string {
	return strings.TrimSuffix(originOf(c.GraphBaseURL), "/") + "/.default"
}

// GraphHost is the host name of GraphBaseURL, without port.
func (c Cloud) GraphHost() string { return hostOf(c.GraphBaseURL) }

// The national clouds, per
// https://learn.microsoft.com/graph/deployments#microsoft-graph-and-graph-explorer-service-root-endpoints
var clouds = map[string]Cloud{
	"public":   {Name: "public", GraphBaseURL: "https://graph.microsoft.com/v1.0", AuthorityHost: "https://login.microsoftonline.com/"},
	"usgov":    {Name: "usgov", GraphBaseURL: "https://graph.microsoft.us/v1.0", AuthorityHost: "https://login.microsoftonline.us/"},
	"usgovdod": {Name: "usgovdod", GraphBaseURL: "https://dod-graph.microsoft.us/v1.0", AuthorityHost: "https://login.microsoftonline.us/"},
	"china":    {Name: "china", GraphBaseURL: "https://microsoftgraph.chinacloudapi.cn/v1.0", AuthorityHost: "https://login.chinacloudapi.cn/"},
}

// LoadCloud reads only the cloud settings (GRAPH_CLOUD, GRAPH_BASE_URL,
// AZURE_AUTHORITY_HOST), for the terminal command that signs in as the
// admin and needs none of the function's settings.
func LoadCloud(env func(string) string) (Cloud, error) {
	var problems []string
	c := loadCloud(env, func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) })
	if len(problems) > 0 {
		return Cloud{}, errors.New(strings.Join(problems, "\n"))
	}
	return c, nil
}
