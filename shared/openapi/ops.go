package openapi

import (
	"sync"

	"github.com/entra-tools/reprocess/shared/webhook"
)

// opDoc is what the document says of an operation beyond its route table
// entry (whether it is public comes from the table). Keys of ops are
// operation ids.
type opDoc struct {
	tag         string
	description string
	visibility  string         // x-ms-visibility: important, advanced, internal
	pathParams  map[string]any // by name, for each {name} of the route
	body        map[string]any // the body parameter, if any
	answers     []answer
}

type answer struct {
	status, description, schema string // schema: a definition name, "" for none
	headers                     []string
}

var assignmentIDParam = map[string]any{
	"name": "id", "in": "path", "required": true, "type": "string", "format": "uuid",
	"description":  "The access package assignment's id, a GUID (8-4-4-4-12 hex digits).",
	"x-ms-summary": "Assignment ID", "x-ms-url-encoding": "single",
}

// The failures every Graph-backed operation can answer.
var graphFailures = []answer{
	{"400", "The id is not a GUID, or Graph refused the request (Graph's error passed through).", "Error", nil},
	{"401", "No valid bearer token (only when AUTH_AUDIENCE is set).", "Error", nil},
	{"403", "The token lacks the required app role (only when AUTH_AUDIENCE is set).", "Error", nil},
	{"404", "Graph has no such assignment (Graph's error passed through).", "Error", nil},
	{"429", "Graph is throttling; try again after Retry-After.", "Error", []string{"Retry-After", "X-Graph-Request-Id"}},
	{"502", "Graph refused the function's own identity (GraphAccessDenied: a setup fault) or failed.", "Error", []string{"X-Graph-Request-Id"}},
	{"503", "Graph, Key Vault or the token endpoint is unavailable; try again after Retry-After.", "Error", []string{"Retry-After"}},
	{"504", "The request's deadline passed; a reprocess may still take effect.", "Error", nil},
}

// ops is built on the first document build, not at every start.
var ops = sync.OnceValue(func() map[string]opDoc {
	return map[string]opDoc{
		"Ready": {
			tag: "Operations", visibility: "internal",
			description: "Readiness probe: answers 200 at once and calls nothing.",
			answers:     []answer{{"200", "Ready.", "Ready", nil}},
		},
		"ReprocessAssignment": {
			tag: "Assignments", visibility: "important",
			description: "Asks Graph to reprocess the assignment (POST .../assignments/{id}/reprocess). " +
				"The 202's Location is the assignment's status, for the Logic Apps asynchronous pattern.",
			pathParams: map[string]any{"id": assignmentIDParam},
			answers: append([]answer{
				{"202", "Graph accepted the reprocess.", "Accepted", []string{"Location", "Retry-After", "X-Graph-Request-Id"}},
				{"405", "Wrong method.", "Error", []string{"Allow"}},
				{"413", "The body is larger than 16 KiB (the route takes none).", "Error", nil},
			}, graphFailures...),
		},
		"GetAssignmentStatus": {
			tag: "Assignments", visibility: "advanced",
			description: "Reads the assignment from Graph: 202 while Graph reports it delivering (poll again after Retry-After), " +
				"200 with final=true for any other state.",
			pathParams: map[string]any{"id": assignmentIDParam},
			answers: append([]answer{
				{"200", "The assignment's state is final (delivered, partiallyDelivered, expired, deliveryFailed).", "AssignmentState", []string{"X-Graph-Request-Id"}},
				{"202", "Graph still reports the assignment delivering.", "AssignmentState", []string{"Location", "Retry-After", "X-Graph-Request-Id"}},
			}, graphFailures...),
		},
		"SubmitReprocess": {
			tag: "Assignments", visibility: "important",
			description: "Reprocesses the assignments the body names. One assignment: {\"assignmentId\"} or an " +
				"entitlement-management custom-extension payload (Assignment.Id, or assignment.id) answers as the path route does. " +
				"A batch {\"assignmentIds\"} of 1 to 1000, or a user's delivered assignments to an access package " +
				"{\"userPrincipalName\"|\"userObjectId\", \"accessPackageId\"}, answers 200 with one result per id in input order, " +
				"each with the status a single call would have had, and a summary. With \"callbackUrl\" (a Logic Apps HTTP Webhook " +
				"action's @{listCallbackUrl()}) it answers 202 at once and POSTs that answer to the callback URL when done.",
			body: map[string]any{
				"name": "body", "in": "body", "required": true, "x-ms-summary": "Request",
				"description": "One of the shapes of ReprocessRequest.",
				"schema":      ref("ReprocessRequest"),
			},
			answers: append([]answer{
				{"200", "A batch or user lookup: one result per id, in input order.", "BatchAnswer", nil},
				{"202", "One assignment accepted by Graph (as the path route), or a callback subscription accepted.", "Accepted", []string{"Location", "Retry-After", "X-Graph-Request-Id"}},
				{"405", "Wrong method.", "Error", []string{"Allow"}},
				{"413", "The body is larger than 64 KiB.", "Error", nil},
				{"415", "The body is not JSON.", "Error", nil},
			}, graphFailures...),
		},
		"ReceiveWebhook": {
			tag: "Webhooks", visibility: "internal",
			description: "A ticketing system's signed webhook (no function key or token: the signature over the raw body is the proof). " +
				"Signatures: github X-Hub-Signature-256 (X-GitHub-Delivery), jira X-Hub-Signature (X-Atlassian-Webhook-Identifier), " +
				"standard Webhook-Id/Webhook-Timestamp/Webhook-Signature, zendesk X-Zendesk-Webhook-Signature and -Timestamp, " +
				"pagerduty X-PagerDuty-Signature. The assignment id is read at the source's JSON pointer (WEBHOOK_<SOURCE>_ID_POINTER, " +
				"default /assignmentId) and reprocessed as the path route does; a replayed delivery gets the first answer again " +
				"(409 WebhookReplayed when another instance took it first: storage shares the record between instances).",
			pathParams: map[string]any{"source": map[string]any{
				"name": "source", "in": "path", "required": true, "type": "string", "enum": webhookSources(),
				"description": "The sender, which names the signature scheme.", "x-ms-summary": "Source",
			}},
			body: map[string]any{
				"name": "body", "in": "body", "required": true, "x-ms-summary": "Delivery",
				"description": "The sender's JSON event, signed as sent.",
				"schema":      map[string]any{"type": "object"},
			},
			answers: append([]answer{
				{"202", "Graph accepted the reprocess.", "Accepted", []string{"Location", "Retry-After", "X-Graph-Request-Id"}},
				{"409", "WebhookReplayed: another instance already received this delivery (with storage configured).", "Error", nil},
				{"413", "The body is larger than 1 MiB.", "Error", nil},
			}, webhookFailures()...),
		},
		"StartJob": {
			tag: "Jobs", visibility: "important",
			description: "Reprocesses every delivered assignment of an access package, or of each access package of a catalog, " +
				"as a job fanned out over the platform's queue; mode \"drifted\" reprocesses only the assignments whose target lacks " +
				"a group the package grants (and those a membership check cannot verify), and dryRun reports them without reprocessing. " +
				"The 202's Location is the job's status, for the Logic Apps asynchronous pattern.",
			body: map[string]any{
				"name": "body", "in": "body", "required": true, "x-ms-summary": "Job",
				"description": "What the job covers and how.",
				"schema":      ref("JobRequest"),
			},
			answers: []answer{
				{"202", "The job started.", "JobStarted", []string{"Location", "Retry-After"}},
				{"400", "The body or an id is malformed, or Graph refused the request (Graph's error passed through).", "Error", nil},
				{"401", "No valid bearer token (only when AUTH_AUDIENCE is set).", "Error", nil},
				{"403", "The token lacks the required app role (only when AUTH_AUDIENCE is set).", "Error", nil},
				{"404", "Graph has no such access package or catalog (Graph's error passed through).", "Error", nil},
				{"405", "Wrong method.", "Error", []string{"Allow"}},
				{"413", "The body is larger than 16 KiB.", "Error", nil},
				{"415", "The body is not JSON.", "Error", nil},
				{"429", "Graph is throttling; try again after Retry-After.", "Error", []string{"Retry-After", "X-Graph-Request-Id"}},
				{"502", "Graph refused the function's own identity (GraphAccessDenied: a setup fault) or failed.", "Error", []string{"X-Graph-Request-Id"}},
				{"503", "The jobs queue or table cannot be reached, or jobs are not configured on this runtime (JobStoreUnavailable); or Graph is unavailable.", "Error", []string{"Retry-After"}},
				{"504", "The request's deadline passed.", "Error", nil},
			},
		},
		"GetJobStatus": {
			tag: "Jobs", visibility: "advanced",
			description: "A job's progress and result: 202 while it runs (poll again after Retry-After), 200 once it completed or failed, " +
				"with its counts, the first 100 failures and the first 100 drifted assignments.",
			pathParams: map[string]any{"jobId": map[string]any{
				"name": "jobId", "in": "path", "required": true, "type": "string", "format": "uuid",
				"description":  "The job's id, from the answer to POST /api/jobs.",
				"x-ms-summary": "Job ID", "x-ms-url-encoding": "single",
			}},
			answers: []answer{
				{"200", "The job completed or failed.", "Job", nil},
				{"202", "The job is running.", "Job", []string{"Location", "Retry-After"}},
				{"400", "The job id is not a GUID.", "Error", nil},
				{"401", "No valid bearer token (only when AUTH_AUDIENCE is set).", "Error", nil},
				{"403", "The token lacks the required app role (only when AUTH_AUDIENCE is set).", "Error", nil},
				{"404", "There is no such job (JobNotFound); jobs are kept 30 days.", "Error", nil},
				{"405", "Wrong method.", "Error", []string{"Allow"}},
				{"503", "The jobs table cannot be reached, or jobs are not configured on this runtime (JobStoreUnavailable).", "Error", []string{"Retry-After"}},
			},
		},
		"GetOpenApiDocument": {
			tag: "Operations", visibility: "internal",
			description: "This document (OpenAPI 2.0), with host and scheme as the caller reached the API.",
			answers:     []answer{{"200", "The OpenAPI 2.0 document.", "", nil}},
		},
	}
})

var answerHeaders = sync.OnceValue(func() map[string]map[string]any {
	return map[string]map[string]any{
		"Location":           {"type": "string", "description": "Absolute URL of the status to poll (GET): the assignment's or the job's."},
		"Retry-After":        {"type": "integer", "description": "Seconds to wait before polling or retrying."},
		"X-Graph-Request-Id": {"type": "string", "description": "Graph's request-id, for Microsoft support."},
		"Allow":              {"type": "string", "description": "The methods the route takes."},
	}
})

func (d opDoc) responses() map[string]any {
	out := map[string]any{}
	for _, a := range d.answers {
		r := map[string]any{"description": a.description}
		if a.schema != "" {
			r["schema"] = ref(a.schema)
		} else {
			r["schema"] = map[string]any{"type": "object"}
		}
		if len(a.headers) > 0 {
			h := map[string]any{}
			for _, name := range a.headers {
				h[name] = answerHeaders()[name]
			}
			r["headers"] = h
		}
		out[a.status] = r
	}
	out["default"] = map[string]any{"description": "An error, in Graph's shape.", "schema": ref("Error")}
	return out
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/definitions/" + name} }

func webhookSources() []string {
	var out []string
	for _, src := range webhook.Sources() {
		out = append(out, string(src))
	}
	return out
}

// webhookFailures are graphFailures with the webhook's own meaning of 401
// and 404 (no bearer token applies).
func webhookFailures() []answer {
	var out []answer
	for _, a := range graphFailures {
		switch a.status {
		case "401":
			a.description = "The signature is missing or does not match, or its timestamp is stale (InvalidWebhookSignature)."
		case "403":
			continue
		case "404":
			a.description = "No webhook is configured for this source, or Graph has no such assignment."
		}
		out = append(out, a)
	}
	return out
}
