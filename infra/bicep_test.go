package infra_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// There is no Bicep compiler on this machine, so these checks read main.bicep as text:
// a small lexer separates code from strings and comments, and the checks look at
// declarations and references. They catch the mistakes a rename or a copy-paste makes.

// bicepCode returns src with comments removed and string literals blanked, keeping the
// code inside ${...} interpolations, so identifiers in the result are real references.
func bicepCode(src string) string {
	var out strings.Builder
	const (
		code = iota
		str
		lineComment
		blockComment
	)
	state, depth := code, 0 // depth: open braces of an interpolation inside a string
	var stack []int         // interpolation brace depth per open string
	for i := 0; i < len(src); i++ {
		c := src[i]
		next := byte(0)
		if i+1 < len(src) {
			next = src[i+1]
		}
		switch state {
		case code:
			switch {
			case c == '/' && next == '/':
				state = lineComment
			case c == '/' && next == '*':
				state = blockComment
			case c == '\'':
				state = str
				out.WriteByte('\'')
			case c == '}' && len(stack) > 0 && depth == stack[len(stack)-1]:
				stack = stack[:len(stack)-1]
				state = str
				out.WriteByte(' ')
			default:
				if c == '{' {
					depth++
				} else if c == '}' {
					depth--
				}
				out.WriteByte(c)
			}
		case str:
			switch {
			case c == '\\':
				i++
				out.WriteString("  ")
			case c == '\'':
				state = code
				out.WriteByte('\'')
			case c == '$' && next == '{':
				stack = append(stack, depth)
				state = code
				i++
				out.WriteString("  ")
			case c == '\n':
				out.WriteByte('\n')
			default:
				out.WriteByte(' ')
			}
		case lineComment:
			if c == '\n' {
				state = code
				out.WriteByte('\n')
			}
		case blockComment:
			if c == '*' && next == '/' {
				state = code
				i++
			} else if c == '\n' {
				out.WriteByte('\n')
			}
		}
	}
	return out.String()
}

var (
	bicepDecl       = regexp.MustCompile(`(?m)^\s*(param|var|resource|module|output)\s+([A-Za-z_]\w*)`)
	bicepLambdaVars = regexp.MustCompile(`\(?\s*([A-Za-z_]\w*)\s*(?:,\s*([A-Za-z_]\w*)\s*)?\)?\s*=>`)
	bicepForVars    = regexp.MustCompile(`\bfor\s+\(?\s*([A-Za-z_]\w*)\s*(?:,\s*([A-Za-z_]\w*)\s*)?\)?\s+in\b`)
	bicepDotted     = regexp.MustCompile(`(?:^|[^.\w@])([A-Za-z_]\w*)\s*\.`)
	bicepBareRefs   = regexp.MustCompile(`\b(?:parent|scope):\s*([A-Za-z_]\w*)`)
	bicepDependsOn  = regexp.MustCompile(`dependsOn:\s*\[([^\]]*)\]`)
	bicepIdent      = regexp.MustCompile(`[A-Za-z_]\w*`)
)

// bicepProblems lists declared params nobody uses and references to symbols nobody
// declares.
func bicepProblems(src string) []string {
	code := bicepCode(src)
	declared := map[string]string{} // name -> kind
	for _, m := range bicepDecl.FindAllStringSubmatch(code, -1) {
		declared[m[2]] = m[1]
	}
	local := map[string]bool{"az": true, "sys": true} // namespaces
	for _, re := range []*regexp.Regexp{bicepLambdaVars, bicepForVars} {
		for _, m := range re.FindAllStringSubmatch(code, -1) {
			for _, v := range m[1:] {
				if v != "" {
					local[v] = true
				}
			}
		}
	}

	var problems []string
	for name, kind := range declared {
		if kind != "param" {
			continue
		}
		uses := regexp.MustCompile(`\b`+name+`\b`).FindAllStringIndex(code, -1)
		if len(uses) < 2 { // the declaration itself
			problems = append(problems, "param "+name+" is never used")
		}
	}
	var refs []string
	for _, m := range bicepDotted.FindAllStringSubmatch(code, -1) {
		refs = append(refs, m[1])
	}
	for _, m := range bicepBareRefs.FindAllStringSubmatch(code, -1) {
		refs = append(refs, m[1])
	}
	for _, m := range bicepDependsOn.FindAllStringSubmatch(code, -1) {
		refs = append(refs, bicepIdent.FindAllString(m[1], -1)...)
	}
	for _, r := range refs {
		if _, ok := declared[r]; !ok && !local[r] {
			problems = append(problems, "reference to undeclared "+r)
		}
	}
	slices.Sort(problems)
	return slices.Compact(problems)
}

// bicepObjectKeys returns the top-level keys of `var name = { ... }`.
func bicepObjectKeys(tb testing.TB, code, name string) []string {
	tb.Helper()
	start := regexp.MustCompile(`(?m)^var\s+` + name + `\s*=\s*\{`).FindStringIndex(code)
	if start == nil {
		tb.Fatalf("main.bicep has no var %s = {...}", name)
	}
	depth, end := 0, -1
	for i := start[1] - 1; i < len(code) && end < 0; i++ {
		switch code[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				end = i
			}
		}
	}
	body := code[start[1]:end]
	var keys []string
	for _, m := range regexp.MustCompile(`(?m)^\s*([A-Za-z_]\w*)\s*:`).FindAllStringSubmatch(body, -1) {
		keys = append(keys, m[1])
	}
	return keys
}

func TestBicepChecker(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"clean", "param a string\nvar b = '${a}-x' // c.d\nresource r 'T@1' = { name: b }\noutput o string = r.id\n", nil},
		{"unused param", "param a string\nparam unused int = 1\noutput o string = a\n", []string{"param unused is never used"}},
		{"dangling dot", "param a string\noutput o string = '${a}${missing.properties.x}'\n", []string{"reference to undeclared missing"}},
		{"dangling parent", "param a string\nresource c 'T@1' = {\n  parent: gone\n  name: a\n}\n", []string{"reference to undeclared gone"}},
		{"dangling dependsOn", "param a string\nresource c 'T@1' = {\n  name: a\n  dependsOn: [nothere]\n}\n", []string{"reference to undeclared nothere"}},
		{"string and comment are not code", "param a string\n// x.y\nvar s = 'p.q ${a}'\n", nil},
		{"lambda and loop vars", "param a array\nvar m = filter(a, s => !empty(s.value))\nvar n = [for (x, i) in a: x.name]\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bicepProblems(tt.src)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("bicepProblems = %q, want %q", got, tt.want)
			}
		})
	}
}

// platformAppSettings are app settings the Functions host reads, not the binary.
var platformAppSettings = []string{
	"AzureWebJobsStorage__blobServiceUri",
	"AzureWebJobsStorage__queueServiceUri",
	"AzureWebJobsStorage__tableServiceUri", // the binary's job table (the host reads the same settings' family)
	"AzureWebJobsStorage__credential",
	"AzureWebJobsStorage__clientId",
	"APPLICATIONINSIGHTS_CONNECTION_STRING",
	"APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
}

func TestBicep(t *testing.T) {
	src := repoFile(t, "infra/azure/main.bicep")
	code := bicepCode(src)

	t.Run("declarations and references", func(t *testing.T) {
		for _, p := range bicepProblems(src) {
			t.Errorf("main.bicep: %s", p)
		}
	})

	keys := append(bicepObjectKeys(t, code, "appSettings"), bicepObjectKeys(t, code, "optionalAppSettings")...)
	t.Run("app settings the binary reads", func(t *testing.T) {
		known := settingNames(t)
		for _, k := range keys {
			if !slices.Contains(known, k) && !slices.Contains(platformAppSettings, k) {
				t.Errorf("main.bicep sets %s, which neither the binary (settings.txt) nor the host reads", k)
			}
		}
	})
	t.Run("every setting set or documented", func(t *testing.T) {
		checkTemplateSettings(t, "main.bicep", keys, optionalBlock(t, src, "//"), func(s setting) string { return s.Azure })
	})

	// Facts the deployment depends on, each a line the template must keep.
	facts := []struct{ what, pattern string }{
		{"Flex Consumption plan", `sku: \{ name: 'FC1', tier: 'FlexConsumption' \}`},
		{"custom handler runtime", `runtime: \{ name: 'custom', version: '1\.0' \}`},
		{"Key Vault with RBAC", `enableRbacAuthorization: true`},
		{"Key Vault Secrets User role", `keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'`},
		{"Secrets User given to the identity", `roles\.keyVaultSecretsUser\)\s*\n\s*principalId: identity\.properties\.principalId`},
		{"identity-based host storage", `AzureWebJobsStorage__credential: 'managedidentity'`},
		{"no storage account keys", `allowSharedKeyAccess: false`},
		{"deployment through the identity", `type: 'UserAssignedIdentity'`},
		{"AZURE_CLIENT_ID is the identity", `AZURE_CLIENT_ID: identity\.properties\.clientId`},
		{"azd finds the app", `'azd-service-name': 'api'`},
		{"Table Data Contributor role", `storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'`},
		{"Queue Data Contributor role", `storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'`},
		{"both storage data roles given to the identity", `for role in \[[^\]]*roles\.storageQueueDataContributor, roles\.storageTableDataContributor\]`},
		{"the jobs queue", `name: jobsQueueName`},
		{"the jobs table", `name: jobsTableName`},
		{"the job table reached through the identity", `AzureWebJobsStorage__tableServiceUri: storage\.properties\.primaryEndpoints\.table`},
		{"JOBS_QUEUE names the jobs queue", `JOBS_QUEUE: jobsQueueName`},
		{"JOBS_TABLE names the jobs table", `JOBS_TABLE: jobsTableName`},
		{"the sweep runs daily by default", `param sweepSchedule string = '0 0 3 \* \* \*'`},
		{"no sweep ids by default", `param sweepAccessPackageIds string = ''`},
	}
	for _, f := range facts {
		if !regexp.MustCompile(f.pattern).MatchString(src) {
			t.Errorf("main.bicep lost the %s (no match for %s)", f.what, f.pattern)
		}
	}
}

func TestAzdProject(t *testing.T) {
	code := bicepCode(repoFile(t, "infra/azure/main.bicep"))
	params := map[string]bool{}
	for _, m := range bicepDecl.FindAllStringSubmatch(code, -1) {
		if m[1] == "param" {
			params[m[2]] = true
		}
	}
	var file struct {
		Parameters map[string]struct {
			Value string `json:"value"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal([]byte(repoFile(t, "infra/azure/main.parameters.json")), &file); err != nil {
		t.Fatalf("main.parameters.json: %v", err)
	}
	for name := range file.Parameters {
		if !params[name] {
			t.Errorf("main.parameters.json sets %s, which main.bicep does not declare", name)
		}
	}
	if !params["environmentName"] || file.Parameters["environmentName"].Value != "${AZURE_ENV_NAME}" {
		t.Errorf("environmentName must come from azd's AZURE_ENV_NAME")
	}

	azd := repoFile(t, "infra/azure/azure.yaml")
	service := yamlKeys(yamlBlock(t, azd, "api", 2), 4)
	want := map[string]string{"project": "../..", "language": "custom", "host": "function", "dist": "dist/azure-functions.zip"}
	for k, v := range want {
		if service[k] != v {
			t.Errorf("azure.yaml services.api.%s = %q, want %q", k, service[k], v)
		}
	}
	if !strings.Contains(azd, "run: make package") {
		t.Errorf("azure.yaml does not build the package before azd deploys it")
	}
	if !strings.Contains(repoFile(t, "infra/azure/main.bicep"), "'azd-service-name': 'api'") {
		t.Errorf("main.bicep does not tag the function app as azd service api")
	}
}
