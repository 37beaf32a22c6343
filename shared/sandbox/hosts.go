package sandbox

import (
	"net"
	"strings"
)

// cloud is one national cloud: the hosts a client calls there and the
// resource (audience) a token for each service must carry.
type cloud struct {
	name           string
	login          string // Entra authority host
	loginAliases   []string
	preferredCache string // instance discovery's preferred_cache
	graph          string // Graph host
	vaultSuffix    string // Key Vault DNS suffix, without the vault name
	vaultResource  string
}

func (c cloud) graphResource() string { return "https://" + c.graph }

// clouds lists the national clouds the sandbox answers for. Two of them share
// a login host (US Government and DoD).
var clouds = []cloud{
	{name: "public", login: "login.microsoftonline.com", preferredCache: "login.windows.net",
		loginAliases: []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"},
		graph:        "graph.microsoft.com", vaultSuffix: "vault.azure.net", vaultResource: "https://vault.azure.net"},
	{name: "usgov", login: "login.microsoftonline.us", preferredCache: "login.microsoftonline.us",
		loginAliases: []string{"login.microsoftonline.us", "login.usgovcloudapi.net"},
		graph:        "graph.microsoft.us", vaultSuffix: "vault.usgovcloudapi.net", vaultResource: "https://vault.usgovcloudapi.net"},
	{name: "usgovdod", login: "login.microsoftonline.us", preferredCache: "login.microsoftonline.us",
		loginAliases: []string{"login.microsoftonline.us", "login.usgovcloudapi.net"},
		graph:        "dod-graph.microsoft.us", vaultSuffix: "vault.usgovcloudapi.net", vaultResource: "https://vault.usgovcloudapi.net"},
	{name: "china", login: "login.chinacloudapi.cn", preferredCache: "login.chinacloudapi.cn",
		loginAliases: []string{"login.chinacloudapi.cn", "login.partner.microsoftonline.cn"},
		graph:        "microsoftgraph.chinacloudapi.cn", vaultSuffix: "vault.azure.cn", vaultResource: "https://vault.azure.cn"},
}

// defaultHosts lists the names the sandbox's TLS certificate covers and its proxy
// tunnels to. A leading "*." matches exactly one more DNS label, as in TLS.
var defaultHosts = []string{
	"login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn",
	"graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn",
	"*.vault.azure.net", "*.vault.usgovcloudapi.net", "*.vault.azure.cn",
	"sts.amazonaws.com", "*.amazonaws.com",
	"localhost", "127.0.0.1",
}

// matchHost reports whether host matches pattern ("name" or "*.suffix").
func matchHost(pattern, host string) bool {
	if suffix, ok := strings.CutPrefix(pattern, "*."); ok {
		label, rest, found := strings.Cut(host, ".")
		return found && label != "" && rest == suffix
	}
	return pattern == host
}

// hostOnly lowercases a Host header value and drops the port.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		hostport = h
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(hostport, "[]"), "."))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// cloudByLogin returns the cloud whose Entra host is host (the first one, for
// the login host US Government and DoD share).
func cloudByLogin(host string) (cloud, bool) {
	for _, c := range clouds {
		if c.login == host {
			return c, true
		}
	}
	return cloud{}, false
}

func cloudByGraph(host string) (cloud, bool) {
	for _, c := range clouds {
		if c.graph == host {
			return c, true
		}
	}
	return cloud{}, false
}

// cloudByVault returns the cloud and vault name for a Key Vault host.
func cloudByVault(host string) (cloud, string, bool) {
	for _, c := range clouds {
		if name, ok := strings.CutSuffix(host, "."+c.vaultSuffix); ok && name != "" && !strings.Contains(name, ".") {
			return c, name, true
		}
	}
	return cloud{}, "", false
}

// resourceAllowedFrom reports whether Entra at login host may issue a token
// for resource: only resources of that login host's cloud(s).
func resourceAllowedFrom(login, resource string) bool {
	for _, c := range clouds {
		if c.login == login && (resource == c.graphResource() || resource == c.vaultResource) {
			return true
		}
	}
	return false
}
