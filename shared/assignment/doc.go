// Package assignment parses the id of a Microsoft Entra entitlement-management
// access package assignment.
//
// Graph takes the id as a path segment of
// /identityGovernance/entitlementManagement/assignments/{id}/reprocess
// (https://learn.microsoft.com/graph/api/accesspackageassignment-reprocess).
// Escaping a caller's string is not enough to make that safe: "..", "#" and
// "?" survive or change the URL. So only a canonical GUID is accepted, and the
// Graph URL is built from its canonical lowercase form alone.
package assignment
