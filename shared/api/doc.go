// Package api is the one HTTP handler every runtime serves: its routes, how
// it reads callers' input, and the single mapping from outcomes to HTTP
// status and Graph-shaped error bodies ({"error":{"code","message"}}).
//
// Edges (Azure Functions, Lambda, the local server) turn their input into an
// *http.Request for this handler; nothing here knows which runtime it is on.
// The routes and outcomes are the product contract (SPEC.md); the Logic Apps
// asynchronous pattern that the 202's Location and Retry-After serve is
// https://learn.microsoft.com/azure/logic-apps/logic-apps-create-api-app#async-pattern
package api
