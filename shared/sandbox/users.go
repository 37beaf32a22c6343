package sandbox

import (
	"fmt"
	"net/http"
	"strings"
)

// getUser serves GET /v1.0/users/{id | userPrincipalName}, honouring $select
// over the few properties the sandbox keeps.
func (g *GraphServer) getUser(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("id") // already unescaped: %40 is '@', %27 is '\''
	g.mu.Lock()
	u := g.users[strings.ToLower(key)]
	var user User
	if u != nil {
		user = *u
	}
	g.mu.Unlock()
	if u == nil {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf(
			"Resource '%s' does not exist or one of its queried reference-property objects are not present.", truncate(key, 120)))
		return
	}
	all := map[string]string{
		"id": user.ObjectID, "userPrincipalName": user.UserPrincipalName,
		"displayName": user.DisplayName, "mail": user.Mail,
	}
	body := map[string]any{"@odata.context": "https://" + hostOnly(r.Host) + "/v1.0/$metadata#users/$entity"}
	sel := r.URL.Query().Get("$select")
	for name, value := range all {
		if sel == "" || selected(sel, name) {
			body[name] = value
		}
	}
	writeOData(w, http.StatusOK, body)
}

func selected(sel, name string) bool {
	for _, s := range strings.Split(sel, ",") {
		if strings.EqualFold(strings.TrimSpace(s), name) {
			return true
		}
	}
	return false
}
