package azstorage

import (
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/config"
)

const testKey = "c2VjcmV0LWtleS1ub3QtcmVhbA=="

func TestParseAccount(t *testing.T) {
	for _, c := range []struct {
		name      string
		in        config.Storage
		queue     string
		table     string
		shared    bool
		sas       bool
		identity  bool
		clientID  string
		wantError string
	}{
		{name: "UseDevelopmentStorage is Azurite", in: config.Storage{ConnectionString: "UseDevelopmentStorage=true"},
			queue: devQueue, table: devTable, shared: true},
		{name: "account key, default endpoints", in: config.Storage{ConnectionString: "DefaultEndpointsProtocol=https;AccountName=fnstore1;AccountKey=" + testKey + ";EndpointSuffix=core.windows.net"},
			queue: "https://fnstore1.queue.core.windows.net", table: "https://fnstore1.table.core.windows.net", shared: true},
		{name: "sovereign suffix, keys in any case", in: config.Storage{ConnectionString: "accountname=fnstore1;accountkey=" + testKey + ";endpointsuffix=core.usgovcloudapi.net;"},
			queue: "https://fnstore1.queue.core.usgovcloudapi.net", table: "https://fnstore1.table.core.usgovcloudapi.net", shared: true},
		{name: "explicit endpoints", in: config.Storage{ConnectionString: "AccountName=devstoreaccount1;AccountKey=" + testKey + ";QueueEndpoint=http://127.0.0.1:4001/devstoreaccount1;TableEndpoint=http://127.0.0.1:4002/devstoreaccount1/"},
			queue: "http://127.0.0.1:4001/devstoreaccount1", table: "http://127.0.0.1:4002/devstoreaccount1", shared: true},
		{name: "SAS with endpoints", in: config.Storage{ConnectionString: "QueueEndpoint=https://a.queue.core.windows.net;TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=qt&sig=abc%3D"},
			queue: "https://a.queue.core.windows.net", table: "https://a.table.core.windows.net", sas: true},
		{name: "identity by account name", in: config.Storage{AccountName: "fnstore1", Credential: "managedidentity", ClientID: "b7b4f5c1-8a0e-4c0c-9d43-3b6a1f3c2d10"},
			queue: "https://fnstore1.queue.core.windows.net", table: "https://fnstore1.table.core.windows.net", identity: true, clientID: "b7b4f5c1-8a0e-4c0c-9d43-3b6a1f3c2d10"},
		{name: "identity by service URIs", in: config.Storage{QueueServiceURI: "https://s.queue.core.windows.net", TableServiceURI: "https://s.table.core.windows.net"},
			queue: "https://s.queue.core.windows.net", table: "https://s.table.core.windows.net", identity: true},
		{name: "identity, table beside the queue (a deployment from before the jobs)", in: config.Storage{QueueServiceURI: "https://s.queue.core.windows.net/", Credential: "managedidentity"},
			queue: "https://s.queue.core.windows.net", table: "https://s.table.core.windows.net", identity: true},
		{name: "not key=value", in: config.Storage{ConnectionString: "AccountName=a;AccountKey=" + testKey + ";junk"}, wantError: "part 3 is not key=value"},
		{name: "no key nor SAS", in: config.Storage{ConnectionString: "AccountName=fnstore1"}, wantError: "neither AccountKey nor SharedAccessSignature"},
		{name: "key not base64", in: config.Storage{ConnectionString: "AccountName=fnstore1;AccountKey=not*base64!secret"}, wantError: "AccountKey is not base64"},
		{name: "bad protocol", in: config.Storage{ConnectionString: "DefaultEndpointsProtocol=ftp;AccountName=fnstore1;AccountKey=" + testKey}, wantError: "must be http or https"},
		{name: "custom queue URI without table URI", in: config.Storage{QueueServiceURI: "https://queues.contoso.example"}, wantError: "__tableServiceUri is needed"},
		{name: "bad account name", in: config.Storage{AccountName: "Not_An_Account"}, wantError: "is not a storage account name"},
		{name: "unsupported credential", in: config.Storage{AccountName: "fnstore1", Credential: "clientsecret"}, wantError: "only managedidentity"},
		{name: "service URI with a query", in: config.Storage{QueueServiceURI: "https://s.queue.core.windows.net?sig=x", TableServiceURI: "https://s.table.core.windows.net"}, wantError: "not an http(s) service URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseAccount(c.in)
			if c.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantError) {
					t.Fatalf("error = %v, want one containing %q", err, c.wantError)
				}
				for _, secret := range []string{testKey, "not*base64!secret"} {
					if strings.Contains(err.Error(), secret) {
						t.Fatalf("the error shows the key: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAccount: %v", err)
			}
			if a.QueueURL != c.queue || a.TableURL != c.table || (a.key != "") != c.shared || (a.sas != "") != c.sas || a.Identity != c.identity || a.ClientID != c.clientID {
				t.Fatalf("account = %+v", a)
			}
			if s := a.String(); strings.Contains(s, testKey) || strings.Contains(s, "sig=") {
				t.Fatalf("String shows a secret: %s", s)
			}
		})
	}
}
