package azstorage

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/entra-tools/reprocess/shared/config"
)

// Account is where the queue and table live and how to sign in to them:
// a shared key, a SAS, or (Identity) a token of the managed identity.
type Account struct {
	QueueURL string // service URL, e.g. https://acct.queue.core.windows.net
	TableURL string
	Name     string

	key string // base64 shared key; never logged
	sas string // SharedAccessSignature without "?"; never logged

	Identity bool   // identity-based: sign in with a managed identity token
	ClientID string // user-assigned identity for Identity; "" = the system-assigned one
}

// Azurite's well-known development account (public, documented by Microsoft).
const (
	devAccount = "devstoreaccount1"
	devKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	devQueue   = "http://127.0.0.1:10001/devstoreaccount1"
	devTable   = "http://127.0.0.1:10002/devstoreaccount1"
)

// ParseAccount reads the AzureWebJobsStorage settings as the Functions host
// does. Errors name the setting and what is wrong, never a key or SAS.
func ParseAccount(s config.Storage) (Account, error) {
	if s.ConnectionString != "" {
		return parseConnectionString(s.ConnectionString)
	}
	if s.Credential != "" && !strings.EqualFold(s.Credential, "managedidentity") {
		return Account{}, fmt.Errorf("AzureWebJobsStorage__credential %.32q: only managedidentity is supported", s.Credential)
	}
	a := Account{Name: s.AccountName, Identity: true, ClientID: s.ClientID,
		QueueURL: strings.TrimSuffix(s.QueueServiceURI, "/"), TableURL: strings.TrimSuffix(s.TableServiceURI, "/")}
	if a.Name != "" {
		if !isAccountName(a.Name) {
			return Account{}, fmt.Errorf("AzureWebJobsStorage__accountName %.32q is not a storage account name (3 to 24 lowercase letters and digits)", a.Name)
		}
		if a.QueueURL == "" {
			a.QueueURL = "https://" + a.Name + ".queue.core.windows.net"
		}
		if a.TableURL == "" {
			a.TableURL = "https://" + a.Name + ".table.core.windows.net"
		}
	}
	if a.TableURL == "" {
		// Deployments made before the jobs set only the host's blob and queue
		// URIs: the table of the same account is at the sibling host.
		a.TableURL = sibling(a.QueueURL, ".queue.", ".table.")
	}
	switch {
	case a.QueueURL == "" && a.TableURL == "":
		return Account{}, errors.New("AzureWebJobsStorage is not set (a connection string, or AzureWebJobsStorage__accountName for a managed identity)")
	case a.QueueURL == "":
		return Account{}, errors.New("AzureWebJobsStorage__queueServiceUri is needed with __tableServiceUri (or set __accountName)")
	case a.TableURL == "":
		return Account{}, errors.New("AzureWebJobsStorage__tableServiceUri is needed with __queueServiceUri (or set __accountName): jobs keep their state in a table")
	}
	for name, u := range map[string]string{"__queueServiceUri": a.QueueURL, "__tableServiceUri": a.TableURL} {
		if err := checkServiceURL(u); err != nil {
			return Account{}, fmt.Errorf("AzureWebJobsStorage%s: %w", name, err)
		}
	}
	return a, nil
}

// parseConnectionString reads key=value pairs separated by ";" (keys are
// case-insensitive, as for the host; a SAS keeps its own "=" and "&").
func parseConnectionString(cs string) (Account, error) {
	kv := map[string]string{}
	for i, part := range strings.Split(cs, ";") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return Account{}, fmt.Errorf("AzureWebJobsStorage is not a storage connection string: part %d is not key=value", i+1)
		}
		kv[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	if strings.EqualFold(kv["usedevelopmentstorage"], "true") {
		return Account{Name: devAccount, key: devKey, QueueURL: devQueue, TableURL: devTable}, nil
	}
	a := Account{Name: kv["accountname"], key: kv["accountkey"], sas: strings.TrimPrefix(kv["sharedaccesssignature"], "?"),
		QueueURL: strings.TrimSuffix(kv["queueendpoint"], "/"), TableURL: strings.TrimSuffix(kv["tableendpoint"], "/")}
	if a.key == "" && a.sas == "" {
		return Account{}, errors.New("AzureWebJobsStorage has neither AccountKey nor SharedAccessSignature (or UseDevelopmentStorage=true)")
	}
	if a.key != "" {
		if a.Name == "" {
			return Account{}, errors.New("AzureWebJobsStorage has an AccountKey but no AccountName")
		}
		if _, err := base64.StdEncoding.DecodeString(a.key); err != nil {
			return Account{}, errors.New("AzureWebJobsStorage's AccountKey is not base64")
		}
	}
	protocol := strings.ToLower(kv["defaultendpointsprotocol"])
	switch protocol {
	case "":
		protocol = "https"
	case "http", "https":
	default:
		return Account{}, fmt.Errorf("AzureWebJobsStorage's DefaultEndpointsProtocol %.16q must be http or https", protocol)
	}
	suffix := kv["endpointsuffix"]
	if suffix == "" {
		suffix = "core.windows.net"
	}
	if a.Name != "" && !isAccountName(a.Name) && (a.QueueURL == "" || a.TableURL == "") {
		return Account{}, fmt.Errorf("AzureWebJobsStorage's AccountName %.32q is not a storage account name", a.Name)
	}
	if a.QueueURL == "" || a.TableURL == "" {
		if a.Name == "" {
			return Account{}, errors.New("AzureWebJobsStorage needs AccountName, or both QueueEndpoint and TableEndpoint")
		}
		if a.QueueURL == "" {
			a.QueueURL = protocol + "://" + a.Name + ".queue." + suffix
		}
		if a.TableURL == "" {
			a.TableURL = protocol + "://" + a.Name + ".table." + suffix
		}
	}
	for name, u := range map[string]string{"QueueEndpoint": a.QueueURL, "TableEndpoint": a.TableURL} {
		if err := checkServiceURL(u); err != nil {
			return Account{}, fmt.Errorf("AzureWebJobsStorage's %s: %w", name, err)
		}
	}
	if a.sas != "" {
		if _, err := url.ParseQuery(a.sas); err != nil {
			return Account{}, errors.New("AzureWebJobsStorage's SharedAccessSignature is not a query string")
		}
	}
	return a, nil
}

// checkServiceURL accepts an absolute http(s) URL without query or fragment.
func checkServiceURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%.96q is not an http(s) service URL", s)
	}
	return nil
}

func isAccountName(s string) bool {
	if len(s) < 3 || len(s) > 24 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// withSAS appends the account's SAS to a service URL.
func (a Account) withSAS(serviceURL string) string {
	if a.sas == "" {
		return serviceURL
	}
	return serviceURL + "?" + a.sas
}

// String describes the account without its secrets.
func (a Account) String() string {
	auth := "shared key"
	switch {
	case a.Identity && a.ClientID != "":
		auth = "managed identity " + a.ClientID
	case a.Identity:
		auth = "managed identity"
	case a.sas != "":
		auth = "SAS"
	}
	return fmt.Sprintf("queue %s, table %s (%s)", a.QueueURL, a.TableURL, auth)
}

// sibling is the service URL of another service of the same account
// (https://acct.queue.core.windows.net → https://acct.table.core.windows.net),
// or "" when u is not of that form.
func sibling(u, from, to string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || strings.Count(p.Host, from) != 1 {
		return ""
	}
	p.Host = strings.Replace(p.Host, from, to, 1)
	return p.String()
}
