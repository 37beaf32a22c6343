package infra_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/awslambda"
)

// yamlBlock returns the lines indented under the line that is exactly `key:` at indent,
// e.g. yamlBlock(src, "Variables", 8). No YAML library: the template is ours and regular.
func yamlBlock(tb testing.TB, src, key string, indent int) []string {
	tb.Helper()
	lines := strings.Split(src, "\n")
	head := strings.Repeat(" ", indent) + key + ":"
	for i, l := range lines {
		if strings.TrimRight(l, " ") != head {
			continue
		}
		var block []string
		for _, b := range lines[i+1:] {
			if strings.TrimSpace(b) != "" && len(b)-len(strings.TrimLeft(b, " ")) <= indent {
				break
			}
			block = append(block, b)
		}
		return block
	}
	tb.Fatalf("template.yaml has no %q", head)
	return nil
}

// yamlKeys returns the keys at indent in block, with their inline values.
func yamlKeys(block []string, indent int) map[string]string {
	keys := map[string]string{}
	re := regexp.MustCompile(`^` + strings.Repeat(" ", indent) + `([A-Za-z_][\w:]*):\s*(.*)$`)
	for _, l := range block {
		if m := re.FindStringSubmatch(l); m != nil {
			keys[m[1]] = m[2]
		}
	}
	return keys
}

// samDefault returns the Default of a template parameter.
func samDefault(tb testing.TB, src, param string) string {
	tb.Helper()
	d, ok := yamlKeys(yamlBlock(tb, src, param, 2), 4)["Default"]
	if !ok {
		tb.Fatalf("parameter %s has no Default", param)
	}
	return strings.Trim(d, `'"`)
}

func TestSAMTemplate(t *testing.T) {
	src := repoFile(t, "infra/aws/template.yaml")
	vars := yamlKeys(yamlBlock(t, src, "Variables", 8), 10)
	var set []string
	for k := range vars {
		set = append(set, k)
	}

	t.Run("every setting set or documented", func(t *testing.T) {
		checkTemplateSettings(t, "template.yaml", set, optionalBlock(t, src, "#"), func(s setting) string { return s.AWS })
	})
	t.Run("environment names the binary reads", func(t *testing.T) {
		known := settingNames(t)
		for k := range vars {
			if !slices.Contains(known, k) {
				t.Errorf("template.yaml sets %s, which the binary does not read (settings.txt)", k)
			}
		}
	})
	t.Run("keyless federation on", func(t *testing.T) {
		if got := vars[federationSetting]; strings.Trim(got, `'"`) != "true" {
			t.Errorf("%s = %s, want 'true'", federationSetting, got)
		}
		if !strings.Contains(src, "Action: sts:GetWebIdentityToken") {
			t.Errorf("the execution role may not call sts:GetWebIdentityToken")
		}
	})
	t.Run("timeout above REQUEST_TIMEOUT", func(t *testing.T) {
		fn, err := strconv.Atoi(samDefault(t, src, "FunctionTimeout"))
		if err != nil {
			t.Fatal(err)
		}
		req, err := time.ParseDuration(samDefault(t, src, "RequestTimeout"))
		if err != nil {
			t.Fatal(err)
		}
		if time.Duration(fn)*time.Second <= req {
			t.Errorf("FunctionTimeout %ds is not above RequestTimeout %v: Lambda would cut the request off before it answers 504", fn, req)
		}
		visibility := regexp.MustCompile(`VisibilityTimeout: (\d+)`).FindStringSubmatch(src)
		if v, _ := strconv.Atoi(visibility[1]); v < 6*fn {
			t.Errorf("queue VisibilityTimeout %ds is under 6 x FunctionTimeout (%ds)", v, 6*fn)
		}
	})

	facts := []struct{ what, pattern string }{
		{"provided.al2023 runtime", `Runtime: provided\.al2023`},
		{"bootstrap handler", `Handler: bootstrap`},
		{"the built zip", `CodeUri: \.\./\.\./dist/lambda\.zip`},
		{"partial batch failures", `FunctionResponseTypes: \[ReportBatchItemFailures\]`},
		{"a dead-letter queue", `deadLetterTargetArn: !GetAtt ReprocessDeadLetterQueue\.Arn`},
		{"an HTTP API event", `Type: HttpApi`},
		{"a Function URL", `Type: AWS::Lambda::Url`},
		{"reserved concurrency parameter", `ReservedConcurrentExecutions: !If \[HasReservedConcurrency`},
	}
	for _, f := range facts {
		if !regexp.MustCompile(f.pattern).MatchString(src) {
			t.Errorf("template.yaml lost %s (no match for %s)", f.what, f.pattern)
		}
	}
	t.Run("jobs", func(t *testing.T) { checkSAMJobs(t, src) })
	if got := samDefault(t, src, "Architecture"); got != "arm64" {
		t.Errorf("Architecture default = %s, want arm64 (make package builds arm64)", got)
	}
	if got := samDefault(t, src, "FunctionUrlAuthType"); got != "AWS_IAM" {
		t.Errorf("FunctionUrlAuthType default = %s, want AWS_IAM", got)
	}
}

// checkSAMJobs checks the jobs resources: the queue and its redrive (the
// function's last delivery is awslambda.JobsMaxReceiveCount), the event
// source mapping with partial batch failures, the table with its TTL, the
// sweep schedule, and permissions no wider than the code's calls.
func checkSAMJobs(t *testing.T, src string) {
	queue := strings.Join(yamlBlock(t, src, "JobsQueue", 2), "\n")
	if m := regexp.MustCompile(`maxReceiveCount: (\d+)`).FindStringSubmatch(queue); m == nil || m[1] != strconv.Itoa(awslambda.JobsMaxReceiveCount) {
		t.Errorf("JobsQueue maxReceiveCount %v, want %d (awslambda.JobsMaxReceiveCount)", m, awslambda.JobsMaxReceiveCount)
	}
	if !strings.Contains(queue, "deadLetterTargetArn: !GetAtt JobsDeadLetterQueue.Arn") {
		t.Errorf("JobsQueue has no dead-letter queue")
	}
	event := strings.Join(yamlBlock(t, src, "JobsQueue", 8), "\n")
	for _, want := range []string{"Type: SQS", "Queue: !GetAtt JobsQueue.Arn", "FunctionResponseTypes: [ReportBatchItemFailures]"} {
		if !strings.Contains(event, want) {
			t.Errorf("the JobsQueue event lacks %q", want)
		}
	}
	table := strings.Join(yamlBlock(t, src, "JobsTable", 2), "\n")
	for _, want := range []string{"BillingMode: PAY_PER_REQUEST", "{ AttributeName: pk, KeyType: HASH }", "{ AttributeName: sk, KeyType: RANGE }",
		"AttributeName: expiresAt\n        Enabled: true"} {
		if !strings.Contains(table, want) {
			t.Errorf("JobsTable lacks %q", want)
		}
	}
	sweep := strings.Join(yamlBlock(t, src, "JobsSweep", 8), "\n")
	if !strings.Contains(sweep, "Type: Schedule") || !strings.Contains(sweep, "Schedule: !Ref SweepSchedule") {
		t.Errorf("no EventBridge schedule for the sweep:\n%s", sweep)
	}
	vars := yamlKeys(yamlBlock(t, src, "Variables", 8), 10)
	if vars["JOBS_QUEUE_URL"] != "!Ref JobsQueue" || vars["JOBS_TABLE"] != "!Ref JobsTable" {
		t.Errorf("JOBS_QUEUE_URL = %q, JOBS_TABLE = %q; want the template's queue and table", vars["JOBS_QUEUE_URL"], vars["JOBS_TABLE"])
	}
	// Least privilege: the actions the code calls, on the jobs resources only.
	var actions []string
	for _, m := range regexp.MustCompile(`(?m)^\s+Action: (.*)$`).FindAllStringSubmatch(src, -1) {
		actions = append(actions, strings.Split(strings.Trim(m[1], "[]"), ", ")...)
	}
	for _, a := range actions {
		if (strings.HasPrefix(a, "dynamodb:") || strings.HasPrefix(a, "sqs:")) &&
			!slices.Contains([]string{"sqs:SendMessage", "dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}, a) {
			t.Errorf("the role may %s, which the code never calls", a)
		}
	}
	for _, want := range []string{"Action: sqs:SendMessage\n              Resource: !GetAtt JobsQueue.Arn",
		"Action: [dynamodb:PutItem, dynamodb:GetItem, dynamodb:Query, dynamodb:UpdateItem, dynamodb:DeleteItem]\n              Resource: !GetAtt JobsTable.Arn"} {
		if !strings.Contains(src, want) {
			t.Errorf("template.yaml lacks the statement %q", want)
		}
	}
}

func TestSAMTemplateLints(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed (pip install cfn-lint): the SAM template is not linted here")
	}
	good := filepath.Join("aws", "template.yaml")
	if out, err := exec.Command(lint, good).CombinedOutput(); err != nil {
		t.Errorf("cfn-lint %s: %v\n%s", good, err, out)
	}

	// A broken copy must fail, or a passing lint proves nothing.
	src := repoFile(t, "infra/aws/template.yaml")
	broken := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(broken, []byte(strings.Replace(src, "Runtime: provided.al2023", "Runtime: provided.al2099", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lint, broken).CombinedOutput(); err == nil {
		t.Errorf("cfn-lint passed a template with runtime provided.al2099:\n%s", out)
	}
}
