// What the function app's identity may do: data-plane roles on its storage account (host state, Durable task
// hub, catalog, backups) and, when telemetry uses Entra ID, publishing to Application Insights.
// No control-plane role: the identity cannot read account keys or change the account.

@description('Object id of the function app\'s system-assigned identity.')
param principalId string

@description('Storage account the identity works in.')
param storageAccountName string

@description('Application Insights component the identity publishes telemetry to.')
param appInsightsName string

@description('Grant Monitoring Metrics Publisher on the Application Insights component.')
param appInsightsEntraAuth bool

// Built-in role definition ids (the same in every tenant).
var storageRoles = {
  // Blobs: backups, host and Durable leases. Owner is what the Functions docs require for
  // an identity-based AzureWebJobsStorage connection.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Queues: Durable control and work-item queues, host queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Tables: the catalog and the Durable history and instance tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(storageRoles): {
    name: guid(storage.id, principalId, role.value)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: principalId
      principalType: 'ServicePrincipal'
      description: 'BackupFunctions app identity: ${role.key}'
    }
  }
]

resource telemetryRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (appInsightsEntraAuth) {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'BackupFunctions app identity: publish telemetry with Entra ID'
  }
}
