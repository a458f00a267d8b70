// Flex Consumption plan and the BackupFunctions app (Linux, .NET isolated worker) with a system-assigned identity.
// The identity gets its data-plane roles in storage-access.bicep; every storage connection is identity-based.

@description('Azure region.')
param location string

@description('Flex Consumption plan name.')
param planName string

@description('Function app name (also the host name: <name>.azurewebsites.net), globally unique.')
param appName string

@description('Storage account holding host state, the deployment container, the catalog and backups.')
param storageAccountName string

@description('Blob container Flex Consumption deploys the app package from.')
param deploymentContainerName string

@description('Application Insights component the host sends telemetry to.')
param appInsightsName string

@description('Send telemetry with the app identity (Entra ID) instead of the connection string\'s key alone.')
param appInsightsEntraAuth bool

@description('Upper bound of instances Flex Consumption scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of one instance; pg_dump, compression and encryption run inside it.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('.NET version of the isolated worker (Flex Consumption runtime "dotnet-isolated").')
param dotnetVersion string

@description('Extra app settings (name: value), merged over the defaults.')
param additionalAppSettings object

param tags object

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE are deliberately absent:
// on Flex Consumption the runtime and the package location come from functionAppConfig, and the platform
// rejects those settings.
var defaultAppSettings = union(
  {
    // Identity-based host storage: the Functions host and the Durable Task Azure Storage provider derive the
    // blob, queue and table endpoints from the account name and sign in with the system-assigned identity.
    AzureWebJobsStorage__accountName: storage.name
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    Catalog__TableServiceUri: storage.properties.primaryEndpoints.table
    Storage__BlobServiceUri: storage.properties.primaryEndpoints.blob
    // The key-encryption key: until the Key Vault provider lands, the app needs a key file that the deployment
    // does not create; set Keys__LocalKeyFile (the app refuses to start without one rather than back up unencrypted).
    Keys__LocalKeyFile: ''
  },
  appInsightsEntraAuth ? { APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' } : {}
)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: map(items(union(defaultAppSettings, additionalAppSettings)), setting => {
        name: setting.key
        value: setting.value
      })
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output principalId string = app.identity.principalId
