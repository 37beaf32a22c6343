package graph

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Assignment is what Graph says of an assignment.
type Assignment struct {
	ID              string `json:"id"`
	State           string `json:"state"`            // delivering, partiallyDelivered, delivered, expired, deliveryFailed
	Status          string `json:"status,omitempty"` // e.g. Delivered, Delivering
	TargetObjectID  string `json:"targetObjectId,omitempty"`
	TargetName      string `json:"targetDisplayName,omitempty"`
	TargetPrincipal string `json:"targetPrincipalName,omitempty"`
	AccessPackageID string `json:"accessPackageId,omitempty"`
	AccessPackage   string `json:"accessPackageDisplayName,omitempty"`
	RequestID       string `json:"-"`
}

// wireAssignment is Graph's accessPackageAssignment JSON, as much as we use.
type wireAssignment struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Status string `json:"status"`
	Target *struct {
		ObjectID      string `json:"objectId"`
		DisplayName   string `json:"displayName"`
		PrincipalName string `json:"principalName"`
	} `json:"target"`
	AccessPackage *struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"accessPackage"`
}

// ParseAssignment decodes an accessPackageAssignment with its expanded
// target and access package.
func ParseAssignment(body []byte) (Assignment, error) {
	var w wireAssignment
	if err := json.Unmarshal(body, &w); err != nil {
		return Assignment{}, fmt.Errorf("parse assignment: %w", err)
	}
	a := Assignment{ID: w.ID, State: w.State, Status: w.Status}
	if w.Target != nil {
		a.TargetObjectID, a.TargetName, a.TargetPrincipal = w.Target.ObjectID, w.Target.DisplayName, w.Target.PrincipalName
	}
	if w.AccessPackage != nil {
		a.AccessPackageID, a.AccessPackage = w.AccessPackage.ID, w.AccessPackage.DisplayName
	}
	return a, nil
}

// DeliveredFilter is the $filter for a user's delivered assignments to an
// access package. Each value is an OData string literal with its quotes
// doubled, so no value can end its literal and add a clause.
func DeliveredFilter(userObjectID, accessPackageID string) string {
	return "target/objectId eq " + odataString(userObjectID) +
		" and accessPackage/id eq " + odataString(accessPackageID) +
		" and state eq 'delivered'"
}

// PackageDeliveredFilter is the $filter for every delivered assignment of
// an access package (a job's list).
func PackageDeliveredFilter(accessPackageID string) string {
	return "accessPackage/id eq " + odataString(accessPackageID) + " and state eq 'delivered'"
}

func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
