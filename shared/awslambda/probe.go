package awslambda

import (
	"encoding/json"
	"strings"
)

// source is the kind of event an invocation carries.
type source int

const (
	sourceUnknown     source = iota
	sourceREST               // API Gateway REST API, or HTTP API with payload format 1.0
	sourceHTTPAPI            // API Gateway HTTP API, payload format 2.0
	sourceFunctionURL        // Lambda function URL (payload format 2.0)
	sourceALB                // Application Load Balancer target group
	sourceSQS                // Amazon SQS batch
	sourceInvoke             // direct invocation naming assignments
	sourceSchedule           // EventBridge scheduled event: the jobs sweep
)

var sourceNames = [...]string{"unknown", "rest", "httpapi", "functionurl", "alb", "sqs", "invoke", "schedule"}

func (s source) String() string { return sourceNames[s] }

// isHTTP reports whether the event came through an HTTP front end, whose
// caller must get a response event rather than a function error.
func (s source) isHTTP() bool {
	return s == sourceREST || s == sourceHTTPAPI || s == sourceFunctionURL || s == sourceALB
}

// probe holds only the fields that tell the event sources apart, so telling
// them apart costs one decode that allocates almost nothing; the chosen
// event type is then decoded once.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	MethodARN      string `json:"methodArn"` // REST API authorizer request
	RouteARN       string `json:"routeArn"`  // HTTP API authorizer request
	RequestContext struct {
		AccountID    string `json:"accountId"`
		DomainName   string `json:"domainName"`
		ConnectionID string `json:"connectionId"` // WebSocket API
		ELB          struct {
			TargetGroupARN string `json:"targetGroupArn"`
		} `json:"elb"`
		HTTP struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
	Records []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
	invokeKeys
	Detail     *invokeKeys `json:"detail"`      // EventBridge
	Source     string      `json:"source"`      // EventBridge: aws.events for a schedule
	DetailType string      `json:"detail-type"` // EventBridge: Scheduled Event for a schedule
}

// invokeKeys are the keys of the bodies a direct invocation may carry.
type invokeKeys struct {
	AssignmentID  json.RawMessage `json:"assignmentId"`
	AssignmentIDs json.RawMessage `json:"assignmentIds"`
	UPN           json.RawMessage `json:"userPrincipalName"`
	UserObjectID  json.RawMessage `json:"userObjectId"`
}

func (k *invokeKeys) present() bool {
	return k != nil && (k.AssignmentID != nil || k.AssignmentIDs != nil || k.UPN != nil || k.UserObjectID != nil)
}

// classify tells which source sent payload. Payloads it cannot decode, and
// events of other services (authorizers, WebSocket APIs, S3, SNS …), are
// sourceUnknown.
func classify(payload []byte) source {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return sourceUnknown
	}
	rc := &p.RequestContext
	switch {
	case p.MethodARN != "" || p.RouteARN != "" || rc.ConnectionID != "":
		return sourceUnknown
	case rc.ELB.TargetGroupARN != "":
		return sourceALB
	case p.Version == "2.0" && rc.HTTP.Method != "":
		if strings.Contains(rc.DomainName, ".lambda-url.") {
			return sourceFunctionURL
		}
		return sourceHTTPAPI
	case p.HTTPMethod != "" && rc.AccountID != "":
		return sourceREST
	case len(p.Records) > 0 && p.Records[0].EventSource == "aws:sqs":
		return sourceSQS
	case p.Source == "aws.events" && p.DetailType == "Scheduled Event":
		return sourceSchedule
	case p.invokeKeys.present() || p.Detail.present():
		return sourceInvoke
	}
	return sourceUnknown
}
