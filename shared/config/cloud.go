package config

import "strings"

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
