// The container registry the app's image is pulled from, and the user-assigned identity that pulls it.
// A user-assigned identity (not the app's system-assigned one) because it exists, with AcrPull, before the function
// app is created: the very first start can pull the image. The registry has no admin user: nothing holds a password.

@description('Azure region.')
param location string

@description('Registry name: 5-50 letters and digits, globally unique.')
@minLength(5)
@maxLength(50)
param name string

@description('User-assigned identity that pulls the image.')
param pullIdentityName string

@description('Basic is enough for one image pulled a few times a day; Premium adds private endpoints.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param skuName string

param tags object

// Built-in role: pull images.
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

resource pullIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: pullIdentityName
  location: location
  tags: tags
}

resource pullRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullIdentity.id, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: pullIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'BackupFunctions: pull the app image'
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
output pullIdentityId string = pullIdentity.id
output pullIdentityClientId string = pullIdentity.properties.clientId
// The role assignment's id, so the function app can wait for it (dependsOn through this output).
output pullRoleId string = pullRole.id
