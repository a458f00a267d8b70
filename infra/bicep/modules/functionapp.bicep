// Elastic Premium plan (Linux) and the BackupFunctions app as a custom container (infra/docker/Dockerfile: the app,
// the Functions host and the PostgreSQL client tools in one image), with a system-assigned identity for everything
// the app does and the registry's user-assigned identity for pulling the image. Optional VNet integration: all
// outbound traffic then goes through the subnet (private endpoints, the CMS database's private DNS zone).
// The identity's data-plane roles are in storage-access.bicep and keyvault.bicep; the app settings in
// app-settings.bicep (deployed after those roles, so the Key Vault references resolve).

@description('Azure region.')
param location string

@description('Elastic Premium plan name.')
param planName string

@description('Function app name (also the host name: <name>.azurewebsites.net), globally unique.')
param appName string

@description('EP1 (1 vCPU, 3.5 GB), EP2 (2 vCPU, 7 GB), EP3 (4 vCPU, 14 GB).')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param skuName string

@description('Always-ready instances (a Premium plan bills at least one).')
@minValue(1)
@maxValue(20)
param minimumInstanceCount int

@description('Upper bound of instances the plan scales out to.')
@minValue(1)
@maxValue(100)
param maximumInstanceCount int

@description('Image reference: <registry>/<repository>:<tag>, or a public Functions base image before the first build.')
param image string

@description('Pull the image with the user-assigned identity (a private registry); false for a public image.')
param pullWithIdentity bool

@description('Resource id of the user-assigned identity that pulls the image.')
param pullIdentityId string

@description('Client id of that identity.')
param pullIdentityClientId string

@description('Subnet for regional VNet integration (delegated to Microsoft.Web/serverFarms), or empty for none.')
param vnetIntegrationSubnetId string

param tags object

var vnetIntegrated = !empty(vnetIntegrationSubnetId)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'elastic'
  sku: {
    name: skuName
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: maximumInstanceCount
  }
}

// App settings are not set here but in app-settings.bicep, as a separate sites/config resource deployed after the
// identity's Key Vault and storage roles: Key Vault references resolve when the settings are applied, and a
// reference whose role is not there yet would leave the app starting with the reference text as the value.
resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux,container'
  identity: {
    type: 'SystemAssigned, UserAssigned'
    userAssignedIdentities: {
      '${pullIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    virtualNetworkSubnetId: vnetIntegrated ? vnetIntegrationSubnetId : null
    siteConfig: {
      linuxFxVersion: 'DOCKER|${image}'
      acrUseManagedIdentityCreds: pullWithIdentity
      acrUserManagedIdentityID: pullWithIdentity ? pullIdentityClientId : null
      minimumElasticInstanceCount: minimumInstanceCount
      // Scale decisions made by the runtime inside the app: with storage behind private endpoints the platform's
      // scale controller cannot look at the Durable queues, the app can.
      functionsRuntimeScaleMonitoringEnabled: vnetIntegrated
      vnetRouteAllEnabled: vnetIntegrated
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
  }
}

// Publishing credentials (FTP, SCM basic auth) off: the image comes from the registry, nothing is uploaded.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output principalId string = app.identity.principalId
