// The one storage account of an install: Functions host state (AzureWebJobsStorage: Durable task hub queues,
// tables and leases), the Flex Consumption deployment package, the Table Storage catalog and the "backups"
// container (the primary backup destination).
//
// Shared key access is OFF. That is feasible because every client of this account signs in with Entra ID:
//  - the Functions host and the Durable Task Azure Storage provider use AzureWebJobsStorage__accountName
//    (identity-based connection) for blobs, queues and tables;
//  - Flex Consumption pulls the deployment package with the app's system-assigned identity;
//  - Flex Consumption needs no Azure Files content share (WEBSITE_CONTENTAZUREFILECONNECTIONSTRING), the one
//    Functions feature that still requires an account key on the other plans;
//  - the app's own catalog and backup clients use TableServiceUri / BlobServiceUri with managed identity.
// Operators therefore need data-plane roles (e.g. Storage Blob Data Reader) to browse it in the portal.

@description('Azure region.')
param location string

@description('Storage account name: 3-24 lowercase letters and digits, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Replication. Backups are the last copy of a site: prefer zone or geo redundancy in production.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param skuName string

@description('Blob container Flex Consumption deploys the app package from.')
param deploymentContainerName string

@description('Blob container that receives backups.')
param backupsContainerName string

@description('Days deleted blobs and containers stay recoverable (soft delete; a deleted backup is the one thing a backup service must not lose silently).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int

param tags object

resource account 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    // No private networking yet: the Flex Consumption app reaches the account over its public endpoint.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource backupsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = {
  parent: blobService
  name: backupsContainerName
  properties: {
    publicAccess: 'None'
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
output backupsContainerName string = backupsContainer.name
