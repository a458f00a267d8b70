// Private endpoints of the install's storage account (blob, queue, table: host state, the Durable task hub, the
// catalog, the backups) and Key Vault, in the private endpoints subnet, with their private DNS zones linked to the
// VNets that resolve them (the app's VNet integration VNet, and the endpoints' VNet if it is another one).
// The app reaches them through its VNet integration; main.bicep turns their public endpoints off.

@description('Azure region of the endpoints (the VNet\'s region).')
param location string

@description('Subnet the private endpoints get their addresses from.')
param privateEndpointsSubnetId string

@description('VNets (resource ids) linked to the private DNS zones, so names resolve to the endpoints there.')
param linkedVnetIds array

@description('Storage account name (in this resource group).')
param storageAccountName string

@description('Key Vault name (in this resource group).')
param keyVaultName string

@description('Name prefix of the endpoints, e.g. backupfn-prod-<suffix>.')
param baseName string

param tags object

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

// Zone names per cloud: the storage suffix comes from environment(); Key Vault's private link zone is the
// vaultcore one (its data-plane host is <vault>.vault.azure.net, the private link alias <vault>.privatelink.vaultcore.azure.net).
var storageSuffix = environment().suffixes.storage
var endpoints = [
  {
    key: 'blob'
    targetId: storage.id
    groupId: 'blob'
    zone: 'privatelink.blob.${storageSuffix}'
  }
  {
    key: 'queue'
    targetId: storage.id
    groupId: 'queue'
    zone: 'privatelink.queue.${storageSuffix}'
  }
  {
    key: 'table'
    targetId: storage.id
    groupId: 'table'
    zone: 'privatelink.table.${storageSuffix}'
  }
  {
    key: 'vault'
    targetId: vault.id
    groupId: 'vault'
    zone: 'privatelink.vaultcore.azure.net'
  }
]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for e in endpoints: {
    name: e.zone
    location: 'global'
    tags: tags
  }
]

// One link per zone and VNet: zones x VNets, flattened (index i = zone i / count, VNet i % count).
resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for i in range(0, length(endpoints) * length(linkedVnetIds)): {
    parent: zones[i / length(linkedVnetIds)]
    name: 'link-${uniqueString(linkedVnetIds[i % length(linkedVnetIds)])}'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: linkedVnetIds[i % length(linkedVnetIds)]
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2025-05-01' = [
  for (e, i) in endpoints: {
    name: 'pe-${baseName}-${e.key}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: privateEndpointsSubnetId
      }
      privateLinkServiceConnections: [
        {
          name: 'pe-${baseName}-${e.key}'
          properties: {
            privateLinkServiceId: e.targetId
            groupIds: [
              e.groupId
            ]
          }
        }
      ]
    }
  }
]

resource dnsZoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2025-05-01' = [
  for (e, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: replace(e.zone, '.', '-')
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]
