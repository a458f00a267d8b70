// The one storage account of an install: Functions host state (AzureWebJobsStorage: Durable task hub queues,
// tables and leases), the Table Storage catalog and the "backups"
// container (the primary backup destination).
//
// Shared key access is OFF. That is feasible because every client of this account signs in with Entra ID:
//  - the Functions host and the Durable Task Azure Storage provider use AzureWebJobsStorage__accountName
//    (identity-based connection) for blobs, queues and tables;
//  - the app runs from a container image (no deployment package, no Azure Files content share, the one Functions
//    feature that still requires an account key: WEBSITE_CONTENTAZUREFILECONNECTIONSTRING is not set);
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

@description('Blob container that receives backups.')
param backupsContainerName string

@description('Days deleted blobs and containers stay recoverable (soft delete; a deleted backup is the one thing a backup service must not lose silently).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int

@description('Enabled, or Disabled when the app reaches the account through private endpoints only.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

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
    // With private networking the public endpoint is off and the app comes through its private endpoints.
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
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
output backupsContainerName string = backupsContainer.name
