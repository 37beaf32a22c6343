// The reprocess function on Azure Functions Flex Consumption (FC1), Linux, custom handler.
//
// One user-assigned managed identity does everything: it reads the deployment package and
// runs the host's storage (blob and queue, no account keys), reads Key Vault secrets, sends
// telemetry to Application Insights, and - unless a Graph app registration is given - calls
// Graph itself. Grant it Graph access afterwards with grant-graph-access.sh.
//
// Deploy: azd up (azure.yaml beside this file), or
//   az deployment group create -g <group> -f infra/azure/main.bicep -p environmentName=<name>
// then upload dist/azure-functions.zip (see infra/README.md).
//
// Optional settings: the binary also reads these; set them with the additionalAppSettings
// parameter when you need them.
//   GRAPH_BASE_URL, AZURE_AUTHORITY_HOST   explicit Graph and login hosts (GRAPH_CLOUD usually suffices)
//   WEBHOOK_GITHUB_ID_POINTER, WEBHOOK_STANDARD_ID_POINTER, WEBHOOK_ZENDESK_ID_POINTER,
//   WEBHOOK_PAGERDUTY_ID_POINTER, WEBHOOK_JIRA_ID_POINTER
//                                          JSON pointer to the assignment id in a webhook body (default /assignmentId)
//   AZURE_TENANT_ID, AZURE_CLIENT_SECRET   not needed here: the managed identity replaces them
// Not used on Azure: AZURE_TOKEN_FROM_AWS_STS (Lambda's keyless federation).

targetScope = 'resourceGroup'

@minLength(1)
@maxLength(40)
@description('Short name of this deployment (azd sets it); resource names derive from it.')
param environmentName string

@description('Region of every resource. Flex Consumption is not offered in every region.')
param location string = resourceGroup().location

@description('Tenant of the Graph app registration and the issuer of caller tokens. Default: this subscription\'s tenant.')
param graphTenantId string = tenant().tenantId

@description('Client id of a Graph app registration. Empty: the managed identity itself calls Graph (recommended).')
param graphClientId string = ''

@description('Key Vault secret holding the Graph app\'s client secret. Needs graphClientId.')
param graphClientSecretName string = ''

@description('Key Vault certificate of the Graph app (preferred over a client secret). Needs graphClientId.')
param graphCertificateName string = ''

@allowed(['public', 'usgov', 'usgovdod', 'china'])
@description('National cloud of Graph and Entra.')
param graphCloud string = 'public'

@description('Whole-request deadline; keep it under the 230 s HTTP limit and the callers\' timeouts.')
param requestTimeout string = '25s'

@description('App ID URI or client id that caller tokens must be issued for. Empty: no bearer-token check (function keys only).')
param authAudience string = ''

@description('App role caller tokens must carry. Set together with authAudience.')
param authRequiredRole string = ''

@description('Comma-separated host suffixes a Logic Apps callback URL may use. Empty: the binary\'s default (.logic.azure.com).')
param callbackAllowedHosts string = ''

@description('Key Vault secret with the GitHub webhook secret. Empty: the GitHub webhook route is off.')
param webhookGithubSecretName string = ''

@description('Key Vault secret with the Standard Webhooks secret (whsec_...). Empty: route off.')
param webhookStandardSecretName string = ''

@description('Key Vault secret with the Zendesk webhook signing secret. Empty: route off.')
param webhookZendeskSecretName string = ''

@description('Key Vault secret with the PagerDuty webhook signing secret. Empty: route off.')
param webhookPagerdutySecretName string = ''

@description('Key Vault secret with the Jira webhook secret. Empty: route off.')
param webhookJiraSecretName string = ''

@description('More app settings, merged last (see "Optional settings" above).')
param additionalAppSettings object = {}

@minValue(40)
@maxValue(1000)
@description('Upper bound on instances: also a bound on concurrent Graph calls.')
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
@description('Memory of each instance, MB.')
param instanceMemoryMB int = 2048

@description('Object id of a user or group that may manage the vault\'s secrets and certificates (azd passes the signed-in user). Empty: none.')
param keyVaultAdminPrincipalId string = ''

@description('Access package ids (comma-separated GUIDs) the sweep re-enforces on its schedule. Empty: the sweep only purges expired jobs.')
param sweepAccessPackageIds string = ''

@description('What the sweep\'s jobs reprocess: drifted (only assignments whose target lacks a group of the package) or all.')
@allowed(['drifted', 'all'])
param sweepMode string = 'drifted'

@description('When the sweep runs: an NCRONTAB expression with seconds (default 03:00 UTC daily).')
param sweepSchedule string = '0 0 3 * * *'

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  keyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

var token = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var appName = 'func-${environmentName}-${token}'
var deploymentContainerName = 'app-package-${take(token, 8)}'
var queueName = 'reprocess-requests' // functions/reprocess-queue/function.json listens here
var jobsQueueName = 'reprocess-jobs' // JOBS_QUEUE: functions/job-worker/function.json listens on %JOBS_QUEUE%
var jobsTableName = 'reprocessjobs' // JOBS_TABLE: job records and the shared webhook replay records
var tags = { 'azd-env-name': environmentName }

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${environmentName}-${token}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${token}' // 3-24 lowercase letters and digits
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false // identity only: no account keys to leak
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// The host creates reprocess-requests-poison itself after maxDequeueCount failed tries.
resource reprocessQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: queueName
}

// Work units of jobs (job-worker); the host creates reprocess-jobs-poison for messages
// that fail maxDequeueCount times, and the job counts their items as failed.
resource jobsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: jobsQueueName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Job state: a row per job and per committed work unit (conditional inserts), purged by
// the sweep after 30 days (Table Storage has no TTL).
resource jobsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: jobsTableName
}

// Blob Data Owner: the host's leases and keys, and the deployment package.
// Queue Data Contributor: the queue triggers (read, delete, move to poison) and the jobs' fan-out.
// Table Data Contributor: job state and the webhook replay records.
resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataOwner, roles.storageQueueDataContributor, roles.storageTableDataContributor]: {
    name: guid(storage.id, identity.id, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${environmentName}-${token}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${environmentName}-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true // telemetry only through Entra: the identity below
  }
}

resource telemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${token}' // 3-24 characters, globally unique
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true // access by role assignment, never by access policy
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    publicNetworkAccess: 'Enabled'
  }
}

// Read secrets (and certificates, through their secret) - nothing else.
resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// With RBAC even a subscription owner cannot write secrets without a data-plane role.
resource vaultAdmins 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in (empty(keyVaultAdminPrincipalId) ? [] : [roles.keyVaultSecretsOfficer, roles.keyVaultCertificatesOfficer]): {
    name: guid(vault.id, keyVaultAdminPrincipalId, role)
    scope: vault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: keyVaultAdminPrincipalId
    }
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${environmentName}-${token}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true } // Linux
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' }) // azure.yaml's service
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Flex takes the runtime here; FUNCTIONS_WORKER_RUNTIME is not accepted as an app setting.
      runtime: { name: 'custom', version: '1.0' }
    }
  }
  dependsOn: [deploymentContainer, storageRoles]
}

// Settings every deployment has.
var appSettings = {
  // The host's own storage, through the identity (no connection string, no key).
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table // the binary's job table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'

  // The binary's settings.
  AZURE_CLIENT_ID: identity.properties.clientId // picks the user-assigned identity for Key Vault (and Graph)
  KEYVAULT_URL: vault.properties.vaultUri
  GRAPH_TENANT_ID: graphTenantId
  GRAPH_CLOUD: graphCloud
  REQUEST_TIMEOUT: requestTimeout
  JOBS_QUEUE: jobsQueueName
  JOBS_TABLE: jobsTableName
  SWEEP_MODE: sweepMode
  SWEEP_SCHEDULE: sweepSchedule // read by the host for functions/sweep (%SWEEP_SCHEDULE%)
}

// Settings that exist only when their parameter is given: an empty app setting would
// read as "set to nothing".
var optionalAppSettings = {
  GRAPH_CLIENT_ID: graphClientId
  GRAPH_CLIENT_SECRET_NAME: graphClientSecretName
  GRAPH_CERTIFICATE_NAME: graphCertificateName
  AUTH_AUDIENCE: authAudience
  AUTH_REQUIRED_ROLE: authRequiredRole
  CALLBACK_ALLOWED_HOSTS: callbackAllowedHosts
  WEBHOOK_GITHUB_SECRET_NAME: webhookGithubSecretName
  WEBHOOK_STANDARD_SECRET_NAME: webhookStandardSecretName
  WEBHOOK_ZENDESK_SECRET_NAME: webhookZendeskSecretName
  WEBHOOK_PAGERDUTY_SECRET_NAME: webhookPagerdutySecretName
  WEBHOOK_JIRA_SECRET_NAME: webhookJiraSecretName
  SWEEP_ACCESS_PACKAGE_IDS: sweepAccessPackageIds
}

var givenAppSettings = toObject(filter(items(optionalAppSettings), s => !empty(s.value)), s => s.key, s => s.value)

resource functionAppSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(appSettings, givenAppSettings, additionalAppSettings)
  dependsOn: [reprocessQueue, jobsQueue, jobsTable, vaultReader, telemetryRole]
}

output AZURE_FUNCTION_APP_NAME string = functionApp.name
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output FUNCTION_APP_URL string = 'https://${functionApp.properties.defaultHostName}'
output KEYVAULT_URL string = vault.properties.vaultUri
output KEYVAULT_NAME string = vault.name
output MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
@description('Service principal object id of the identity: pass it to grant-graph-access.sh --object-id.')
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output STORAGE_QUEUE_URL string = '${storage.properties.primaryEndpoints.queue}${queueName}'
