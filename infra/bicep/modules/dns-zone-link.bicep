// Links an existing private DNS zone (deployed in its own resource group, e.g. the CMS database's
// privatelink.postgres.database.azure.com) to a VNet, so the app resolves the database's name to its private endpoint.
// main.bicep deploys this module in the zone's resource group.

@description('Name of the existing private DNS zone (in this module\'s resource group).')
param zoneName string

@description('VNet (resource id) to link.')
param vnetId string

@description('Link name, unique in the zone.')
param linkName string

param tags object

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' existing = {
  name: zoneName
}

resource link 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: zone
  name: linkName
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnetId
    }
  }
}
