// Package azurefunc is the Azure Functions custom-handler edge: it makes the
// core http.Handler available to the Functions host in all three ways the host
// can talk to a custom handler, on one loopback listener.
//
// Platform document: https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers
// (the wire details below were read from the host's source, azure-functions-host
// Workers/Http, because the page leaves most of them out).
//
// # The three modes, and why host.json turns on both HTTP flags
//
//   - Proxied (enableProxyingHttpRequest): the host streams the caller's request
//     to us with YARP, replacing Host with 127.0.0.1:port and adding
//     X-Forwarded-For/-Proto/-Host and x-ms-invocation-id. This is the mode of
//     current hosts on Flex Consumption and the one the docs describe now.
//   - Forwarded (enableForwardingHttpRequest): hosts that ignore the proxy flag
//     still copy the caller's request (original Host, all headers) to the same
//     path. The proxy flag dates from 2025 and, per its pull request, was not
//     back-ported to the in-process host of Core Tools and non-Flex plans;
//     setting both flags means every host that knows either one sends the raw
//     request.
//   - JSON invocation: the host POSTs {"Data":…,"Metadata":…} to
//     /{FunctionName} and expects HTTP 200 with
//     {"Outputs":{"res":{statusCode,headers,body}},"Logs":[…],"ReturnValue":null}.
//     Queue triggers only ever arrive this way; HTTP functions do on a host
//     that honours neither flag, or once a function has a binding beyond
//     req and res, so the edge serves them this way too.
//
// Proxied and forwarded requests go to the core unchanged, so status, headers
// and body pass straight back. A JSON invocation is turned back into the
// caller's *http.Request (method, path and raw query from Url, Host and
// X-Forwarded-Proto/-Host from Url, headers, body) and the core's answer is
// wrapped into Outputs.res. The caller therefore sees the same behaviour
// whichever mode the host picked.
//
// The edge tells the modes apart by path alone: a POST to exactly /{function}
// for one of the six function names is a JSON invocation; everything else is a
// forwarded or proxied request (or the host's readiness ping GET /). This is why
// host.json keeps extensions.http.routePrefix "api": with an empty prefix the
// submit function's forwarded POST /reprocess would be indistinguishable from
// the JSON invocation of the reprocess function.
//
// In JSON mode the handler's own status must be 2xx: the host calls
// EnsureSuccessStatusCode, turns anything else into a 500 for the caller and
// drops Logs. So an HTTP function always gets 200, and a malformed or oversized
// payload, or a panic in the core, becomes Outputs.res with 400, 413 or 500 and
// the Graph-shaped error body {"error":{"code":…,"message":…}}.
//
// # The queue function
//
// reprocess-queue receives {"assignmentId":"…"} or a bare id and becomes
// POST /api/reprocess with body {"assignmentId":"<id>"} under invocation
// trigger Queue. The core's status decides the message's fate: 2xx is done; a
// permanent failure (4xx other than 408 and 429: an invalid id, an unknown
// assignment, Graph's 400) completes the invocation with HTTP 200 so the message
// is not retried; a transient one (408, 429, 5xx) fails the invocation with
// HTTP 500 so the host retries it and, after maxDequeueCount attempts, moves it
// to reprocess-requests-poison. Logs[] is dropped on a non-2xx answer, so every
// outcome is also written to the process log.
//
// host.json sets extensions.queues.messageEncoding to "none". With the default
// "base64" the queue extension moves every message that is not base64 straight
// to the poison queue, unprocessed (Azure/azure-sdk-for-net#18326), yet
// today's Azure SDK queue clients send text as is by default, and so does Event
// Grid's queue destination. With "none" plain JSON and bare ids work as written,
// and this edge still accepts a base64 message (from an older SDK, or another
// function's queue output binding): when a message is neither a JSON object nor
// an id, it is decoded as base64 and used if that yields one. visibilityTimeout
// spaces the retries out so a throttled Graph has time to recover.
//
// # Timeouts
//
// functionTimeout is 3 minutes: well above the core's whole-request deadline
// (REQUEST_TIMEOUT, 25 s), so the core answers 504 itself long before the host
// gives up, and below the 230 s the front end allows an HTTP function. When
// the host's timeout does fire it restarts the handler process, losing every
// invocation in flight, so it must stay a last resort.
//
// # Logs and secrets
//
// The core writes the one JSON line of each HTTP request (invocation id,
// route, assignment id, outcome, Graph request id, duration); the edge adds a
// line of its own only where the core never ran (a malformed invocation, a
// panic) or for the queue function's outcome, and a debug-level line
// otherwise. The host never strips function keys: ?code= and
// x-functions-key reach us in every mode, and Metadata repeats both. So the
// edge never logs the query, headers, Metadata or bodies; caller-supplied values
// that are logged (path, method, assignment id) are truncated, and slog's JSON
// handler and %q escape them.
//
// Use, in the custom-handler branch of main: bind the port before any slow
// initialisation, so the host's readiness poll connects at once, then serve:
//
//	ln, err := azurefunc.Listen(cfg.Port) // FUNCTIONS_CUSTOMHANDLER_PORT
//	// … build the core …
//	err = azurefunc.ServeListener(ctx, ln, azurefunc.NewHandler(core, logger), logger)
package azurefunc
