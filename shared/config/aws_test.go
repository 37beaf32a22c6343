package config

import (
	"strings"
	"testing"
)

func TestLoadAWSCredentials(t *testing.T) {
	federation := map[string]string{"AWS_LAMBDA_RUNTIME_API": "x", "AZURE_CLIENT_SECRET": "", "AZURE_TOKEN_FROM_AWS_STS": "true", "AWS_REGION": "eu-west-1"}
	tests := []struct {
		name    string
		set     map[string]string
		want    AWSCredentials
		wantErr string
	}{
		{"environment keys", map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sk", "AWS_SESSION_TOKEN": "st"},
			AWSCredentials{AccessKeyID: "AKID", SecretAccessKey: "sk", SessionToken: "st"}, ""},
		{"SnapStart: the container endpoint", map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9001/2021-04-23/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok"},
			AWSCredentials{ContainerURI: "http://127.0.0.1:9001/2021-04-23/credentials", ContainerToken: "tok"}, ""},
		{"EKS Pod Identity, token file", map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/token"},
			AWSCredentials{ContainerURI: "http://169.254.170.23/v1/credentials", ContainerTokenFile: "/var/run/token"}, ""},
		{"https anywhere", map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://creds.example/x"},
			AWSCredentials{ContainerURI: "https://creds.example/x"}, ""},
		{"http to another host", map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://creds.example/x"},
			AWSCredentials{}, "AWS_CONTAINER_CREDENTIALS_FULL_URI"},
		{"no credentials for federation", nil, AWSCredentials{}, "AZURE_TOKEN_FROM_AWS_STS needs AWS credentials"},
		{"a key without its secret", map[string]string{"AWS_ACCESS_KEY_ID": "AKID"}, AWSCredentials{}, "AZURE_TOKEN_FROM_AWS_STS needs AWS credentials"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := secretEnv()
			for k, v := range federation {
				env[k] = v
			}
			for k, v := range tc.set {
				env[k] = v
			}
			c, err := Load(getenv(env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Load() error = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if c.AWSCredentials != tc.want {
				t.Errorf("AWSCredentials = %+v, want %+v", c.AWSCredentials, tc.want)
			}
		})
	}
}
