package sandbox

import (
	"crypto/rand"
	"encoding/base32"
	"maps"
	"slices"
	"strings"
)

// The emulated AWS account whose Lambda execution role reaches the tenant
// without a stored secret: IAM outbound identity federation
// (sts:GetWebIdentityToken) and an Entra federated identity credential.
const (
	AWSAccountID = "123456789012"
	// AWSRegion is the region AWSEnv names; STS answers in every region
	// the certificate covers.
	AWSRegion = "eu-west-1"
	// AWSRoleARN is the Lambda execution role, and so the sub claim of its
	// web identity tokens.
	AWSRoleARN = "arn:aws:iam::" + AWSAccountID + ":role/reprocess-lambda"
	// AWSIssuer is the account's outbound federation issuer, as
	// GetOutboundWebIdentityFederationInfo reports it: the iss claim of its
	// tokens, serving OpenID metadata and the JWKS.
	AWSIssuer = "https://7f3c2a1e-9b8d-4e6f-a5c4-3b2a1f0e9d8c.tokens.sts.global.api.aws"
	// AWSFederatedClientID is the app registration whose federated
	// credential trusts AWSIssuer and AWSRoleARN. It may read Key Vault and
	// has no secret or certificate.
	AWSFederatedClientID = "4e5f6a7b-8c9d-4eaf-9b0c-1d2e3f4a5b6c"
	// FederationAudience is the audience Entra requires of federated tokens.
	FederationAudience = "api://AzureADTokenExchange"
)

// awsRegions are the regions whose STS endpoints the certificate covers. A
// TLS wildcard matches one label only, so each regional host is listed.
var awsRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "us-gov-east-1", "us-gov-west-1",
	"af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
	"il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
	"cn-north-1", "cn-northwest-1",
}

// stsHost is the regional STS endpoint's host, as the SDKs build it.
func stsHost(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "sts." + region + ".amazonaws.com.cn"
	}
	return "sts." + region + ".amazonaws.com"
}

// awsHosts are the names the certificate needs for AWS: every regional STS
// and SQS endpoint and the federation issuer.
func awsHosts() []string {
	hosts := []string{"*.tokens.sts.global.api.aws"}
	for _, r := range awsRegions {
		hosts = append(hosts, stsHost(r), sqsHost(r))
	}
	return hosts
}

// stsRegion returns the region of a regional STS host.
func stsRegion(host string) (string, bool) {
	rest, ok := strings.CutPrefix(host, "sts.")
	if !ok {
		return "", false
	}
	region, ok := strings.CutSuffix(rest, ".amazonaws.com")
	if !ok {
		region, ok = strings.CutSuffix(rest, ".amazonaws.com.cn")
	}
	return region, ok && slices.Contains(awsRegions, region) && stsHost(region) == host
}

// awsSession is the execution role's temporary credentials, as Lambda puts
// them in the function's environment.
type awsSession struct {
	accessKeyID, secretAccessKey, sessionToken string
}

func newAWSSession() awsSession {
	id := make([]byte, 10)
	_, _ = rand.Read(id)
	return awsSession{
		accessKeyID:     "ASIA" + base32.StdEncoding.EncodeToString(id), // 16 characters, A-Z and 2-7
		secretAccessKey: randomToken(30),
		sessionToken:    "IQoJb3JpZ2luX2Vj" + randomToken(96),
	}
}

// AWSCredentials are the role session's access key id, secret access key
// and session token, as AWSEnv gives them. The last two are secrets.
func (t *Tenant) AWSCredentials() (accessKeyID, secretAccessKey, sessionToken string) {
	return t.aws.accessKeyID, t.aws.secretAccessKey, t.aws.sessionToken
}

// AWSEnv is Env for a Lambda function that reaches Key Vault through AWS
// federation: the environment Lambda gives the function (region and role
// credentials) plus AZURE_TOKEN_FROM_AWS_STS and the federated app, and no
// AZURE_CLIENT_SECRET. AWS_ENDPOINT_URL_STS names the regional endpoint
// explicitly, the one the SDKs would pick.
func (t *Tenant) AWSEnv() Vars {
	v := t.Env()
	delete(v, "AZURE_CLIENT_SECRET")
	maps.Copy(v, Vars{
		"AZURE_TOKEN_FROM_AWS_STS": "true",
		"AZURE_TENANT_ID":          TenantID,
		"AZURE_CLIENT_ID":          AWSFederatedClientID,
		"AWS_REGION":               AWSRegion,
		"AWS_DEFAULT_REGION":       AWSRegion,
		"AWS_ACCESS_KEY_ID":        t.aws.accessKeyID,
		"AWS_SECRET_ACCESS_KEY":    t.aws.secretAccessKey,
		"AWS_SESSION_TOKEN":        t.aws.sessionToken,
		"AWS_ENDPOINT_URL_STS":     "https://" + stsHost(AWSRegion),
	})
	return v
}

// AWSProcessEnv is AWSEnv plus what makes a subprocess use the sandbox, as
// in ProcessEnv.
func (t *Tenant) AWSProcessEnv() Vars {
	v := t.AWSEnv()
	maps.Copy(v, t.proxyEnv())
	return v
}

// AWSFederatedCredential is the federated identity credential registered
// on AWSFederatedClientID at start: the values an operator enters in Entra.
func AWSFederatedCredential() FederatedCredential {
	return FederatedCredential{Name: "aws-lambda", Issuer: AWSIssuer, Subject: AWSRoleARN, Audiences: []string{FederationAudience}}
}
