#!/usr/bin/env bash
# Give the function's identity the Graph access it needs to reprocess access package
# assignments. Idempotent: every grant is looked up before it is created.
set -euo pipefail

readonly ASSIGNMENT_MANAGER_ROLE=e2182095-804a-4656-ae11-64734e9b7ae5 # Access package assignment manager
readonly GRAPH_APP_ID=00000003-0000-0000-c000-000000000000            # Microsoft Graph
readonly ENTITLEMENT_RW_APP_ROLE=9acd699f-1e81-4958-b001-93b1d2506e19 # EntitlementManagement.ReadWrite.All (application)
readonly GROUP_MEMBER_READ_APP_ROLE=98830695-27a2-44f7-8c18-0c3ebc9698f6 # GroupMember.Read.All (application)

usage() {
	cat <<'EOF'
Usage: grant-graph-access.sh (--object-id ID | --client-id ID)
                             [--catalog NAME]... [--catalog-id ID]...
                             [--app-permission] [--graph-url URL] [--dry-run]

Gives the identity that calls Graph (the function app's managed identity, or the app
registration named by GRAPH_CLIENT_ID) the right to reprocess access package assignments.

Two ways, least privileged first:

  Catalog role (default). The "Access package assignment manager" role
  (e2182095-804a-4656-ae11-64734e9b7ae5), scoped to each named access package catalog
  (appScopeId /AccessPackageCatalog/{id}, on /roleManagement/entitlementManagement/
  roleAssignments). The identity can view, assign, remove and reprocess assignments of
  access packages in those catalogs only, and holds no Graph application permission. It
  is what Graph's reprocess documentation recommends for app-only callers. Running it
  needs a catalog owner, Identity Governance Administrator or Global Administrator.

  --app-permission. The EntitlementManagement.ReadWrite.All application permission
  (app role 9acd699f-1e81-4958-b001-93b1d2506e19 of the Microsoft Graph service
  principal). Tenant-wide read and write of every entitlement-management object:
  catalogs, access packages, policies, assignments, connected organizations, settings.
  Use it only when the function must reach catalogs you cannot list in advance. With it
  comes GroupMember.Read.All (app role 98830695-27a2-44f7-8c18-0c3ebc9698f6): reading
  group memberships, which jobs in mode "drifted" check (checkMemberGroups). Running it
  needs Privileged Role Administrator or Global Administrator (admin consent).

Options:
  --object-id ID    service principal object id of the identity (Bicep output
                    MANAGED_IDENTITY_PRINCIPAL_ID)
  --client-id ID    client (application) id of the identity; its service principal is
                    looked up
  --catalog NAME    catalog display name; repeat for more catalogs
  --catalog-id ID   catalog id; repeat for more catalogs
  --app-permission  grant the tenant-wide application permission instead of catalog roles
  --graph-url URL   Graph endpoint (default https://graph.microsoft.com; national clouds:
                    https://graph.microsoft.us, https://dod-graph.microsoft.us,
                    https://microsoftgraph.chinacloudapi.cn)
  --dry-run         print the requests instead of sending them; nothing is sent, not even
                    the look-ups, so looked-up values appear as <placeholders>
  -h, --help        this text

Requests go through `az rest` as the signed-in Azure CLI user (az login). A new grant can
take a few minutes to reach Graph's token service.
EOF
}

die() {
	echo "grant-graph-access: $*" >&2
	exit 2
}

object_id="" client_id="" app_permission=false dry_run=false graph_url="https://graph.microsoft.com"
catalog_names=() catalog_ids=()
while (($#)); do
	case "$1" in
	--object-id) object_id="${2:?--object-id needs a value}"; shift 2 ;;
	--client-id) client_id="${2:?--client-id needs a value}"; shift 2 ;;
	--catalog) catalog_names+=("${2:?--catalog needs a value}"); shift 2 ;;
	--catalog-id) catalog_ids+=("${2:?--catalog-id needs a value}"); shift 2 ;;
	--app-permission) app_permission=true; shift ;;
	--graph-url) graph_url="${2:?--graph-url needs a value}"; shift 2 ;;
	--dry-run) dry_run=true; shift ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

guid_re='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
[[ -n $object_id || -n $client_id ]] || die "give --object-id or --client-id"
[[ -z $object_id || -z $client_id ]] || die "give --object-id or --client-id, not both"
for id in "$object_id" "$client_id" ${catalog_ids[@]+"${catalog_ids[@]}"}; do
	[[ -z $id || $id =~ $guid_re ]] || die "not a GUID: $id"
done
if $app_permission; then
	((${#catalog_names[@]} + ${#catalog_ids[@]} == 0)) || die "--app-permission is tenant-wide: drop --catalog/--catalog-id"
else
	((${#catalog_names[@]} + ${#catalog_ids[@]} > 0)) || die "name at least one --catalog or --catalog-id (or use --app-permission)"
fi
[[ $graph_url =~ ^https://[A-Za-z0-9.-]+$ ]] || die "--graph-url must be https://host"
api="$graph_url/v1.0"

# Dry-run output and notes go to fd 3, the real stdout, so they still show when a
# function's result is captured with $(...).
exec 3>&1

# OData string literal inside a URL: quotes doubled, then percent-encoded byte by byte.
odata_string() {
	local LC_ALL=C
	local s=${1//\'/\'\'} out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case "$c" in
		[A-Za-z0-9._~-]) out+="$c" ;;
		*) out+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%%27%s%%27' "$out"
}

note() { echo "# $*" >&3; }

# graph METHOD URL [BODY] [JMESPATH]: send one request and print the queried value, or
# under --dry-run print the request instead.
graph() {
	local method=$1 url=$2 body=${3:-} query=${4:-}
	if $dry_run; then
		printf '%s %s\n' "$method" "$url" >&3
		[[ -z $body ]] || printf '%s\n' "$body" >&3
		return 0
	fi
	local args=(rest --method "$method" --url "$url" --output tsv)
	[[ -z $body ]] || args+=(--headers "Content-Type=application/json" --body "$body")
	[[ -z $query ]] || args+=(--query "$query")
	local value
	value=$(az "${args[@]}")
	[[ $value == None ]] && value="" # az prints None for a null result
	printf '%s' "$value"
}

# lookup PLACEHOLDER URL JMESPATH: GET URL and print the queried value; under --dry-run
# print PLACEHOLDER, standing for the value the request would return.
lookup() {
	if $dry_run; then
		graph GET "$2"
		printf '%s' "$1"
	else
		graph GET "$2" "" "$3"
	fi
}

# create URL BODY: POST BODY to URL.
create() {
	local id
	id=$(graph POST "$1" "$2" "id")
	$dry_run || note "granted ($id)"
}

if [[ -z $object_id ]]; then
	note "service principal of client id $client_id"
	object_id=$(lookup "<servicePrincipalId>" \
		"$api/servicePrincipals?\$filter=appId%20eq%20$(odata_string "$client_id")&\$select=id,displayName" "value[0].id")
	[[ -n $object_id ]] || die "no service principal has client id $client_id"
fi

if $app_permission; then
	note "Microsoft Graph service principal"
	graph_sp=$(lookup "<graphServicePrincipalId>" \
		"$api/servicePrincipals?\$filter=appId%20eq%20$(odata_string "$GRAPH_APP_ID")&\$select=id" "value[0].id")
	[[ -n $graph_sp ]] || die "no Microsoft Graph service principal in this tenant"
	for grant in "$ENTITLEMENT_RW_APP_ROLE EntitlementManagement.ReadWrite.All" "$GROUP_MEMBER_READ_APP_ROLE GroupMember.Read.All"; do
		role=${grant%% *} name=${grant#* }
		note "existing $name grant"
		existing=$(lookup "" "$api/servicePrincipals/$object_id/appRoleAssignments" \
			"value[?appRoleId=='$role' && resourceId=='$graph_sp'].id | [0]")
		if [[ -n $existing ]]; then
			note "already granted ($existing)"
			continue
		fi
		note "grant $name"
		create "$api/servicePrincipals/$object_id/appRoleAssignments" \
			"{\"principalId\":\"$object_id\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role\"}"
	done
	exit 0
fi

n=0
for name in ${catalog_names[@]+"${catalog_names[@]}"}; do
	n=$((n + 1))
	note "catalog \"$name\""
	id=$(lookup "<catalogId$n>" \
		"$api/identityGovernance/entitlementManagement/catalogs?\$filter=displayName%20eq%20$(odata_string "$name")&\$select=id,displayName" "value[].id")
	[[ -n $id ]] || die "no catalog named \"$name\""
	[[ $id != *$'\n'* ]] || die "more than one catalog is named \"$name\": use --catalog-id"
	catalog_ids+=("$id")
done

for catalog in "${catalog_ids[@]}"; do
	scope="/AccessPackageCatalog/$catalog"
	note "existing assignment manager role on $scope"
	existing=$(lookup "" \
		"$api/roleManagement/entitlementManagement/roleAssignments?\$filter=appScopeId%20eq%20$(odata_string "$scope")" \
		"value[?principalId=='$object_id' && roleDefinitionId=='$ASSIGNMENT_MANAGER_ROLE'].id | [0]")
	if [[ -n $existing ]]; then
		note "already granted ($existing)"
		continue
	fi
	note "grant Access package assignment manager on $scope"
	create "$api/roleManagement/entitlementManagement/roleAssignments" \
		"{\"principalId\":\"$object_id\",\"roleDefinitionId\":\"$ASSIGNMENT_MANAGER_ROLE\",\"appScopeId\":\"$scope\"}"
done
