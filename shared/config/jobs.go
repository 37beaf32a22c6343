package config

import (
	"strings"
)

// Jobs are the settings of the jobs fan-out (SPEC "Jobs") and the sweep.
type Jobs struct {
	Queue string // JOBS_QUEUE: Azure Storage queue name, default reprocess-jobs
	Table string // JOBS_TABLE: Azure table or DynamoDB table name, default reprocessjobs

	QueueURL         string // JOBS_QUEUE_URL: AWS, the SQS queue of job work
	AWSRegion        string // AWS_REGION
	SQSEndpoint      string // AWS_ENDPOINT_URL_SQS
	DynamoDBEndpoint string // AWS_ENDPOINT_URL_DYNAMODB
	// The credentials are Config.AWSCredentials, shared with STS.

	Storage Storage // Azure: AzureWebJobsStorage, as the Functions host reads it

	SweepAccessPackageIDs []string // SWEEP_ACCESS_PACKAGE_IDS, canonical lowercase GUIDs
	SweepMode             string   // SWEEP_MODE: drifted (default) or all
	SweepSchedule         string   // SWEEP_SCHEDULE (read by the Functions host; kept for the guide)
}

// Storage is the function app's storage account: a connection string
// (UseDevelopmentStorage=true for Azurite), or the identity-based
// AzureWebJobsStorage__* settings. Parsing the connection string is the
// storage client's job; none of it is ever logged.
type Storage struct {
	ConnectionString string // AzureWebJobsStorage
	AccountName      string // AzureWebJobsStorage__accountName
	QueueServiceURI  string // AzureWebJobsStorage__queueServiceUri
	TableServiceURI  string // AzureWebJobsStorage__tableServiceUri
	Credential       string // AzureWebJobsStorage__credential (managedidentity)
	ClientID         string // AzureWebJobsStorage__clientId (user-assigned identity)
}

// Configured reports whether any storage setting is present.
func (s Storage) Configured() bool {
	return s.ConnectionString != "" || s.AccountName != "" || s.QueueServiceURI != "" || s.TableServiceURI != ""
}

// Defaults of JOBS_QUEUE, JOBS_TABLE and SWEEP_MODE.
const (
	DefaultJobsQueue = "reprocess-jobs"
	DefaultJobsTable = "reprocessjobs"
	DefaultSweepMode = "drifted"
)

// Name rules, checked by hand: package-level regexps with bounded
// repetition ({3,255}) cost half a millisecond of start-up to compile.

// validQueueName is Azure Storage's queue naming rule: 3 to 63 lowercase
// letters, digits and single hyphens, starting and ending with a letter or digit.
func validQueueName(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validDynamoDBTable is DynamoDB's table naming rule: 3 to 255 letters, digits, _ . -.
func validDynamoDBTable(s string) bool {
	if len(s) < 3 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isLetter(c) || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// validAzureTable is Table Storage's naming rule: a letter, then 2 to 62 letters or digits.
func validAzureTable(s string) bool {
	if len(s) < 3 || len(s) > 63 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(isLetter(c) || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func loadJobs(rt Runtime, env func(string) string, bad func(string, ...any)) Jobs {
	j := Jobs{
		Queue: env("JOBS_QUEUE"), Table: env("JOBS_TABLE"), QueueURL: env("JOBS_QUEUE_URL"),
		AWSRegion:   env("AWS_REGION"),
		SQSEndpoint: env("AWS_ENDPOINT_URL_SQS"), DynamoDBEndpoint: env("AWS_ENDPOINT_URL_DYNAMODB"),
		Storage: Storage{
			ConnectionString: env("AzureWebJobsStorage"),
			AccountName:      env("AzureWebJobsStorage__accountName"),
			QueueServiceURI:  env("AzureWebJobsStorage__queueServiceUri"),
			TableServiceURI:  env("AzureWebJobsStorage__tableServiceUri"),
			Credential:       env("AzureWebJobsStorage__credential"),
			ClientID:         env("AzureWebJobsStorage__clientId"),
		},
		SweepMode: env("SWEEP_MODE"), SweepSchedule: env("SWEEP_SCHEDULE"),
	}
	if j.Queue == "" {
		j.Queue = DefaultJobsQueue
	}
	if j.Table == "" {
		j.Table = DefaultJobsTable
	}
	if !validQueueName(j.Queue) {
		bad("JOBS_QUEUE %.64q must be an Azure Storage queue name: 3 to 63 lowercase letters, digits and single hyphens", j.Queue)
	}
	switch {
	case rt == Lambda && !validDynamoDBTable(j.Table):
		bad("JOBS_TABLE %.64q must be a DynamoDB table name: 3 to 255 letters, digits, _ . -", j.Table)
	case rt != Lambda && !validAzureTable(j.Table):
		bad("JOBS_TABLE %.64q must be an Azure table name: a letter, then 2 to 62 letters or digits", j.Table)
	}
	if j.SweepMode == "" {
		j.SweepMode = DefaultSweepMode
	}
	if j.SweepMode != "drifted" && j.SweepMode != "all" {
		bad("SWEEP_MODE %.32q must be drifted or all", j.SweepMode)
	}
	for _, id := range strings.Split(env("SWEEP_ACCESS_PACKAGE_IDS"), ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if !isGUID(id) {
			bad("SWEEP_ACCESS_PACKAGE_IDS: %.64q is not an access package id (a GUID)", id)
			continue
		}
		j.SweepAccessPackageIDs = append(j.SweepAccessPackageIDs, strings.ToLower(id))
	}
	return j
}
