package config

import (
	"net"
	"net/url"
	"strings"
)

// AWSCredentials are where the process's AWS credentials come from: the
// execution role's keys in the environment (Lambda sets them), else the
// container credentials endpoint (Lambda SnapStart, ECS, EKS Pod Identity).
// One credential chain made of them signs every AWS call (awscreds).
type AWSCredentials struct {
	AccessKeyID     string // AWS_ACCESS_KEY_ID
	SecretAccessKey string `json:"-"` // AWS_SECRET_ACCESS_KEY
	SessionToken    string `json:"-"` // AWS_SESSION_TOKEN

	ContainerURI       string // AWS_CONTAINER_CREDENTIALS_FULL_URI
	ContainerToken     string `json:"-"` // AWS_CONTAINER_AUTHORIZATION_TOKEN
	ContainerTokenFile string // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, read on each refresh
}

// Configured reports whether any credential source is set.
func (c AWSCredentials) Configured() bool {
	return (c.AccessKeyID != "" && c.SecretAccessKey != "") || c.ContainerURI != ""
}

func loadAWSCredentials(env, rawenv func(string) string, bad func(string, ...any)) AWSCredentials {
	c := AWSCredentials{
		AccessKeyID: env("AWS_ACCESS_KEY_ID"), SecretAccessKey: rawenv("AWS_SECRET_ACCESS_KEY"), SessionToken: rawenv("AWS_SESSION_TOKEN"),
		ContainerURI: env("AWS_CONTAINER_CREDENTIALS_FULL_URI"), ContainerToken: env("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
		ContainerTokenFile: env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
	}
	if c.ContainerURI != "" && !containerURIAllowed(c.ContainerURI) {
		bad("AWS_CONTAINER_CREDENTIALS_FULL_URI %.128q must be https, or http to a loopback or container metadata address", c.ContainerURI)
	}
	return c
}

// containerURIAllowed is the SDKs' rule for the credentials endpoint, so
// the authorization token never travels in clear beyond the host: https
// anywhere; http only to loopback, the ECS task endpoint (169.254.170.2)
// or the EKS Pod Identity agent (169.254.170.23, fd00:ec2::23).
func containerURIAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		host := u.Hostname()
		if host == "localhost" {
			return true
		}
		ip := net.ParseIP(host)
		return ip != nil && (ip.IsLoopback() || ip.Equal(net.ParseIP("169.254.170.2")) ||
			ip.Equal(net.ParseIP("169.254.170.23")) || ip.Equal(net.ParseIP("fd00:ec2::23")))
	}
	return false
}
