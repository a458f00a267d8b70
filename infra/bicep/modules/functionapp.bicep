// Flex Consumption plan and the BackupFunctions app (Linux, .NET isolated worker) with a system-assigned identity.
// The identity gets its data-plane roles in storage-access.bicep and keyvault.bicep; every storage connection is
// identity-based. The app settings are in app-settings.bicep.

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

param tags object

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

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

// App settings are not set here but in app-settings.bicep, as a separate sites/config resource deployed after the
// identity's Key Vault and storage roles: Key Vault references resolve when the settings are applied, and a
// reference whose role is not there yet would leave the app starting with the reference text as the value.
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
