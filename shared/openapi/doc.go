// Package openapi writes the OpenAPI 2.0 (Swagger) document of the HTTP API
// and the Power Platform custom connector files made from it.
//
// It is given the route table (Route: method, pattern, operation id,
// summary, whether the route is public) rather than reading it, so the
// handler that serves the document can import this package; ops.go and
// schemas.go add what a table entry cannot say (bodies, answers, schemas).
//
// Power Automate, Power Apps and Logic Apps custom connectors import only
// OpenAPI 2.0, under 1 MB, and use the first security definition:
// https://learn.microsoft.com/connectors/custom-connectors/define-openapi-definition
// The format itself is
// https://github.com/OAI/OpenAPI-Specification/blob/main/versions/2.0.md
package openapi
