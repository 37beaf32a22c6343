package openapi

// Schemas of the OpenAPI document, one per body shape and answer.

// maxBatchIDs is the handler's limit on ids in one body; the handler's tests
// check that the document states its limit.
const maxBatchIDs = 1000

type schema = map[string]any

func str(desc, summary string) schema {
	return schema{"type": "string", "description": desc, "x-ms-summary": summary}
}

func guid(desc, summary string) schema {
	s := str(desc, summary)
	s["format"] = "uuid"
	return s
}

func integer(desc, summary string) schema {
	return schema{"type": "integer", "format": "int32", "description": desc, "x-ms-summary": summary}
}

func object(desc string, required []string, props schema) schema {
	s := schema{"type": "object", "description": desc, "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func withVisibility(s schema, v string) schema { s["x-ms-visibility"] = v; return s }

var callbackURLSchema = withVisibility(str("A Logic Apps HTTP Webhook action's @{listCallbackUrl()}: the work is done after a 202 "+
	"and its answer POSTed there (https, on a CALLBACK_ALLOWED_HOSTS host).", "Callback URL"), "advanced")

var assignmentIDsSchema = schema{
	"type": "array", "minItems": 1, "maxItems": maxBatchIDs, "x-ms-summary": "Assignment IDs",
	"description": "1 to 1000 assignment ids; invalid ones are answered in their position without a Graph call, duplicates are sent once.",
	"items":       schema{"type": "string", "format": "uuid"},
}

func definitions() schema {
	return schema{
		"Error": object("Graph's error shape, the only one this API answers with.", []string{"error"}, schema{
			"error": object("", []string{"code", "message"}, schema{
				"code":    str("A stable code: Graph's own when Graph refused (e.g. ResourceNotFound), else this API's (e.g. InvalidAssignmentId).", "Code"),
				"message": str("What went wrong, for people.", "Message"),
			}),
		}),
		"Ready": object("", nil, schema{"status": str("Always \"ready\".", "Status")}),
		"Accepted": object("The answer to one accepted assignment or to a callback subscription.", []string{"status"}, schema{
			"status":          schema{"type": "string", "enum": []string{"accepted", "subscribed"}, "x-ms-summary": "Status", "description": "accepted: Graph started reprocessing; subscribed: the answer will be POSTed to callbackUrl."},
			"assignmentId":    guid("The assignment's id.", "Assignment ID"),
			"graphRequestId":  str("Graph's request-id.", "Graph request ID"),
			"statusUrl":       str("Where to poll the assignment's state.", "Status URL"),
			"assignmentCount": integer("For a subscription: how many ids the body named (0 for a user lookup, resolved later).", "Assignment count"),
		}),
		"AssignmentState": object("What Graph reports of the assignment.", []string{"id", "state", "final"}, schema{
			"id":                       guid("The assignment's id.", "Assignment ID"),
			"state":                    schema{"type": "string", "enum": []string{"delivering", "partiallyDelivered", "delivered", "expired", "deliveryFailed", "unknownFutureValue"}, "x-ms-summary": "State", "description": "Graph's state of the assignment."},
			"status":                   str("Graph's status text, e.g. Delivered.", "Status"),
			"targetObjectId":           guid("The target user's object id.", "Target object ID"),
			"targetDisplayName":        str("The target's display name.", "Target name"),
			"targetPrincipalName":      str("The target's user principal name.", "Target UPN"),
			"accessPackageId":          guid("The access package's id.", "Access package ID"),
			"accessPackageDisplayName": str("The access package's name.", "Access package"),
			"final":                    schema{"type": "boolean", "x-ms-summary": "Final", "description": "false while Graph reports delivering."},
		}),
		"ReprocessRequest": object("Exactly one shape: {assignmentId}; {assignmentIds}; {userPrincipalName or userObjectId, accessPackageId}; "+
			"or a custom-extension payload (Assignment.Id, or assignment.id as in CustomExtensionCalloutData). "+
			"callbackUrl goes with the first three. Unknown fields are refused except in the custom-extension payload.", nil, schema{
			"assignmentId":      guid("One assignment's id.", "Assignment ID"),
			"assignmentIds":     assignmentIDsSchema,
			"userPrincipalName": withVisibility(str("The user's UPN; their delivered assignments to accessPackageId are reprocessed.", "User principal name"), "advanced"),
			"userObjectId":      withVisibility(guid("The user's object id (instead of userPrincipalName).", "User object ID"), "advanced"),
			"accessPackageId":   withVisibility(guid("The access package, with userPrincipalName or userObjectId.", "Access package ID"), "advanced"),
			"callbackUrl":       callbackURLSchema,
			"Assignment":        withVisibility(customExtensionAssignment(), "internal"),
		}),
		"ReprocessById": object("One assignment.", []string{"assignmentId"}, schema{
			"assignmentId": guid("The assignment's id.", "Assignment ID"), "callbackUrl": callbackURLSchema,
		}),
		"ReprocessBatch": object("A batch of 1 to 1000 assignments, answered 200 with one result per id.", []string{"assignmentIds"}, schema{
			"assignmentIds": assignmentIDsSchema, "callbackUrl": callbackURLSchema,
		}),
		"ReprocessByUser": object("A user's delivered assignments to an access package (one of userPrincipalName, userObjectId).", []string{"accessPackageId"}, schema{
			"userPrincipalName": str("The user's UPN, resolved through Graph.", "User principal name"),
			"userObjectId":      guid("The user's object id.", "User object ID"),
			"accessPackageId":   guid("The access package's id.", "Access package ID"),
			"callbackUrl":       callbackURLSchema,
		}),
		"CustomExtensionPayload": object("The entitlement-management custom-extension payload as a Logic App's trigger receives it (PascalCase); "+
			"only Assignment.Id is read, other fields are allowed.", []string{"Assignment"}, schema{
			"Assignment":                       ref("CustomExtensionAssignment"),
			"Stage":                            str("The custom-extension stage, e.g. assignmentRequestGranted.", "Stage"),
			"CustomExtensionStageInstanceId":   str("Entra's id of this callout.", "Stage instance ID"),
			"AccessPackageAssignmentRequestId": str("The assignment request's id.", "Request ID"),
		}),
		"CustomExtensionAssignment": customExtensionAssignment(),
		"CustomExtensionCalloutData": object("The same payload in Graph's casing (accessPackageAssignmentRequestCallbackData): only assignment.id is read.",
			[]string{"assignment"}, schema{
				"assignment": object("", []string{"id"}, schema{"id": guid("The assignment's id.", "Assignment ID")}),
				"stage":      str("The custom-extension stage.", "Stage"),
			}),
		"BatchAnswer": object("One result per input position, in input order, and the counts.", []string{"results", "summary"}, schema{
			"results": schema{"type": "array", "items": ref("ItemResult"), "x-ms-summary": "Results"},
			"summary": ref("BatchSummary"),
		}),
		"ItemResult": object("What a single call for this id would have answered.", []string{"assignmentId", "status"}, schema{
			"assignmentId":   str("The id (canonical), or the value sent when it is not an id.", "Assignment ID"),
			"status":         integer("The HTTP status a single call would have had: 202 accepted, 400, 404, 429, 502, 503, 504 ...", "Status"),
			"code":           str("The error code, when not accepted; NotAttempted: never sent before the deadline.", "Code"),
			"message":        str("The error message, when not accepted.", "Message"),
			"graphRequestId": str("Graph's request-id.", "Graph request ID"),
			"retryAfter":     integer("Seconds to wait before retrying this id (429, 503).", "Retry after"),
		}),
		"JobRequest": object("Exactly one of accessPackageId and catalogId. Unknown fields are refused.", nil, schema{
			"accessPackageId": guid("The access package whose delivered assignments the job covers.", "Access package ID"),
			"catalogId":       withVisibility(guid("A catalog: the job covers each of its access packages.", "Catalog ID"), "advanced"),
			"mode": schema{"type": "string", "enum": []string{"all", "drifted"}, "default": "all", "x-ms-summary": "Mode",
				"description": "all: reprocess every delivered assignment; drifted: only those whose target lacks a Member group of the package (and the unverifiable)."},
			"dryRun": schema{"type": "boolean", "default": false, "x-ms-summary": "Dry run",
				"description": "Report what the job finds, reprocess nothing."},
		}),
		"JobStarted": object("A started job.", []string{"jobId", "state", "statusUrl"}, schema{
			"jobId":     guid("The job's id.", "Job ID"),
			"state":     jobStateSchema,
			"statusUrl": str("Where to poll the job's progress.", "Status URL"),
		}),
		"Job": object("A job's progress and result.", []string{"jobId", "state", "scope", "mode", "dryRun", "createdAt", "counts", "failures", "drift"}, schema{
			"jobId": guid("The job's id.", "Job ID"),
			"state": jobStateSchema,
			"scope": object("What the job covers: one of the two.", nil, schema{
				"accessPackageId": guid("The access package.", "Access package ID"),
				"catalogId":       guid("The catalog.", "Catalog ID"),
			}),
			"mode":        schema{"type": "string", "enum": []string{"all", "drifted"}, "x-ms-summary": "Mode", "description": "Which assignments the job reprocesses."},
			"dryRun":      schema{"type": "boolean", "x-ms-summary": "Dry run", "description": "true: nothing was reprocessed."},
			"createdAt":   schema{"type": "string", "format": "date-time", "x-ms-summary": "Created", "description": "When the job started."},
			"completedAt": schema{"type": "string", "format": "date-time", "x-ms-summary": "Completed", "description": "When the job ended; null while it runs."},
			"counts": object("", []string{"total", "accepted", "failed", "drifted", "inSync", "unverifiable"}, schema{
				"total":        integer("Delivered assignments in scope.", "Total"),
				"accepted":     integer("Assignments Graph accepted to reprocess (202).", "Accepted"),
				"failed":       integer("Assignments whose reprocess or check failed for good.", "Failed"),
				"drifted":      integer("Targets lacking a Member group of the package (mode drifted).", "Drifted"),
				"inSync":       integer("Targets in every Member group of the package (mode drifted).", "In sync"),
				"unverifiable": integer("Assignments a membership check cannot verify: the package grants other roles, or the check failed (mode drifted).", "Unverifiable"),
			}),
			"failures": schema{"type": "array", "x-ms-summary": "Failures", "description": "The first 100 failed assignments.",
				"items": object("", []string{"assignmentId", "status", "code"}, schema{
					"assignmentId": guid("The assignment's id.", "Assignment ID"),
					"status":       integer("The HTTP status a single reprocess would have had.", "Status"),
					"code":         str("The error code.", "Code"),
				})},
			"drift": schema{"type": "array", "x-ms-summary": "Drift", "description": "The first 100 drifted assignments.",
				"items": object("", []string{"assignmentId", "targetObjectId", "missingGroupIds"}, schema{
					"assignmentId":    guid("The assignment's id.", "Assignment ID"),
					"targetObjectId":  guid("The target's object id.", "Target object ID"),
					"missingGroupIds": schema{"type": "array", "items": schema{"type": "string", "format": "uuid"}, "x-ms-summary": "Missing groups", "description": "The package's Member groups the target is not in."},
				})},
			"error": str("Why a failed job failed as a whole.", "Error"),
		}),
		"BatchSummary": object("", []string{"total", "accepted", "failed", "notAttempted", "byStatus"}, schema{
			"total":        integer("Input positions.", "Total"),
			"accepted":     integer("Positions with status 202.", "Accepted"),
			"failed":       integer("Positions refused by us or by Graph.", "Failed"),
			"notAttempted": integer("Positions never sent to Graph: the deadline came first. Send them again.", "Not attempted"),
			"byStatus":     schema{"type": "object", "additionalProperties": schema{"type": "integer"}, "description": "Positions per status.", "x-ms-summary": "By status"},
		}),
	}
}

var jobStateSchema = schema{"type": "string", "enum": []string{"running", "completed", "failed"}, "x-ms-summary": "State",
	"description": "running until every unit of work is done; failed when the job could not fan out or list its assignments."}

func customExtensionAssignment() schema {
	return object("The assignment in a custom-extension payload (PascalCase, as a Logic App's trigger receives it).", []string{"Id"}, schema{
		"Id":     guid("The assignment's id.", "Assignment ID"),
		"State":  str("The assignment's state.", "State"),
		"Status": str("The assignment's status.", "Status"),
	})
}
