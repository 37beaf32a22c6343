package sandbox

import (
	"fmt"
	"strings"
	"time"
)

type expansion struct{ target, accessPackage bool }

// parseExpand reads $expand; unknown navigation properties are refused as
// Graph does, assignmentPolicy is accepted and ignored.
func parseExpand(s string) (expansion, error) {
	var e expansion
	for _, p := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "":
		case "target":
			e.target = true
		case "accesspackage":
			e.accessPackage = true
		case "assignmentpolicy":
		default:
			return e, fmt.Errorf("Parsing OData Select and Expand failed: Could not find a property named '%s' on type 'microsoft.graph.accessPackageAssignment'.", truncate(strings.TrimSpace(p), 60))
		}
	}
	return e, nil
}

type assignmentJSON struct {
	Context         string       `json:"@odata.context,omitempty"`
	ID              string       `json:"id"`
	State           string       `json:"state"`
	Status          string       `json:"status"`
	ExpiredDateTime *string      `json:"expiredDateTime"`
	Schedule        scheduleJSON `json:"schedule"`
	Callouts        []struct{}   `json:"customExtensionCalloutInstances"`
	Target          *subjectJSON `json:"target,omitempty"`
	AccessPackage   *packageJSON `json:"accessPackage,omitempty"`
}

type scheduleJSON struct {
	StartDateTime string         `json:"startDateTime"`
	Recurrence    *struct{}      `json:"recurrence"`
	Expiration    expirationJSON `json:"expiration"`
}

type expirationJSON struct {
	EndDateTime *string `json:"endDateTime"`
	Duration    *string `json:"duration"`
	Type        string  `json:"type"`
}

type subjectJSON struct {
	ID                           string  `json:"id"`
	ObjectID                     string  `json:"objectId"`
	DisplayName                  string  `json:"displayName"`
	PrincipalName                string  `json:"principalName"`
	Email                        string  `json:"email"`
	OnPremisesSecurityIdentifier *string `json:"onPremisesSecurityIdentifier"`
	SubjectType                  string  `json:"subjectType"`
}

type packageJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	IsHidden    bool   `json:"isHidden"`
}

const graphTime = "2006-01-02T15:04:05.999Z"

// render builds Graph's JSON for a. Called with g.mu held.
func (g *GraphServer) render(a *assignment, e expansion) assignmentJSON {
	out := assignmentJSON{
		ID: a.ID, State: a.State, Status: stateStatus[a.State], Callouts: []struct{}{},
		Schedule: scheduleJSON{StartDateTime: a.Start.UTC().Format(graphTime), Expiration: expirationJSON{Type: "noExpiration"}},
	}
	if a.State == StateExpired {
		end := a.Start.Add(30 * 24 * time.Hour).UTC().Format(graphTime)
		out.ExpiredDateTime = &end
		out.Schedule.Expiration = expirationJSON{EndDateTime: &end, Type: "afterDateTime"}
	}
	if e.target {
		out.Target = &subjectJSON{ID: newGUID(), ObjectID: a.UserObjectID, SubjectType: "user"}
		if u := g.users[strings.ToLower(a.UserObjectID)]; u != nil {
			out.Target.ID, out.Target.DisplayName, out.Target.PrincipalName, out.Target.Email = u.subjectID, u.DisplayName, u.UserPrincipalName, u.Mail
		}
	}
	if e.accessPackage {
		p := g.packages[strings.ToLower(a.AccessPackageID)]
		out.AccessPackage = &packageJSON{ID: a.AccessPackageID, DisplayName: p.DisplayName, Description: p.Description}
	}
	return out
}
