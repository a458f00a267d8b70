// Reads the address prefixes of an existing subnet (deployed by main.bicep in the subnet's resource group), for the
// app's outbound allow-list Network__AllowedRanges.

@description('VNet name.')
param vnetName string

@description('Subnet name.')
param subnetName string

resource vnet 'Microsoft.Network/virtualNetworks@2025-05-01' existing = {
  name: vnetName
}

resource subnet 'Microsoft.Network/virtualNetworks/subnets@2025-05-01' existing = {
  parent: vnet
  name: subnetName
}

// A subnet has either addressPrefix or, with several, addressPrefixes.
output prefixes array = subnet.properties.?addressPrefixes ?? [
  subnet.properties.addressPrefix
]
