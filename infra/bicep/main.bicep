// BackupFunctions: one resource group holds one install.
//   storage account, shared keys off (host state, Durable task hub, catalog tables, "backups" container)
//   Log Analytics workspace + Application Insights (Entra ID ingestion)
//   container registry + the identity that pulls the image (infra/docker/Dockerfile: app + pg_dump/pg_restore)
//   Elastic Premium plan + function app (Linux container) with a system-assigned identity and data-plane roles
//   Key Vault: the RSA key that wraps the backups' data keys (the app may only read its public half) and the app's
//   secrets (transit key, sealing key), read through Key Vault references
//   optional private networking: VNet integration, private endpoints + DNS zones for storage and Key Vault, the CMS
//   database's private DNS zone linked, Network__AllowedRanges from the endpoints' subnet
//   monitoring (modules/monitoring.bicep): alert rules, action group, workbook
//   the app settings, deployed last (after the roles the Key Vault references need)
// Deploy: scripts/deploy.sh; docs/deployment.md; README.md beside this file.

targetScope = 'resourceGroup'

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Short name of the application in resource names (lowercase letters and digits).')
@minLength(2)
@maxLength(10)
param namePrefix string = 'backupfn'

@description('Environment name in resource names and tags, e.g. dev, test, prod (lowercase letters and digits).')
@minLength(1)
@maxLength(8)
param environmentName string = 'dev'

@description('Tags added to every resource, on top of application and environment.')
param tags object = {}

@description('Storage replication. Backups are the last copy of a site: consider Standard_ZRS or Standard_GZRS for production.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Days deleted blobs and containers stay recoverable (soft delete; a deleted backup is the one thing a backup service must not lose silently).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int = 7

@description('Days Log Analytics keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Telemetry authenticated with the app identity only (Application Insights local auth disabled).')
param appInsightsEntraAuth bool = true

@description('Elastic Premium size: EP1 (1 vCPU, 3.5 GB) is enough for one CMS; EP2/EP3 for large dumps or many configs.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param planSkuName string = 'EP1'

@description('Always-ready instances (a Premium plan bills at least one all month).')
@minValue(1)
@maxValue(20)
param minimumInstanceCount int = 1

@description('Upper bound of instances the plan scales out to.')
@minValue(1)
@maxValue(100)
param maximumInstanceCount int = 3

@description('Tag of the app image in the install\'s registry (repository backupfunctions), e.g. the git commit. Empty: the public Functions base image without the app (the first deployment, before scripts/deploy.sh builds the image).')
param appImageTag string = ''

@description('.NET version of the isolated worker: the Functions base image of an empty appImageTag.')
param dotnetVersion string = '10.0'

@description('Subnet id for the app\'s regional VNet integration (delegated to Microsoft.Web/serverFarms, /27 or larger). Empty: no private networking.')
param vnetIntegrationSubnetId string = ''

@description('Subnet id the private endpoints of storage and Key Vault go in (the CMS database\'s endpoint may live there too). Needs vnetIntegrationSubnetId. Empty: public endpoints.')
param privateEndpointsSubnetId string = ''

@description('With private endpoints: turn the public endpoints of storage and Key Vault off. Operators then run backupctl from inside the VNet (or add a firewall rule for their address).')
param disablePublicNetworkAccess bool = true

@description('Resource id of the CMS database\'s existing private DNS zone (e.g. privatelink.postgres.database.azure.com in the CMS\'s resource group): linked to the app\'s VNet. Empty: none.')
param cmsDatabasePrivateDnsZoneId string = ''

@description('More CIDR ranges for Network__AllowedRanges, on top of the private endpoints subnet (e.g. the CMS database\'s subnet when its private endpoint lives in another VNet).')
param additionalAllowedRanges array = []

@description('E-mail addresses notified by the alert rules.')
param alertEmails array = []

@description('Webhook URLs called by the alert rules.')
param alertWebhooks array = []

@description('Hours after which a config without a successful backup raises the overdue alert.')
@minValue(1)
param configOverdueHours int = 26

@description('Extra app settings (name: value), merged over the defaults set in modules/app-settings.bicep.')
param additionalAppSettings object = {}

@description('Keys__TransitKey: 32 random bytes, base64 (head -c 32 /dev/urandom | base64). Seals a backup\'s data key between its steps, so the app backs up with a wrap-only key identity. Stored as a Key Vault secret; pass the same value at every deployment.')
@secure()
@minLength(44)
@maxLength(44)
param transitKey string

@description('Store sealingKey in the vault and set Secrets__SealingKey to it, so the API accepts secret values (sealed before they are stored). Off: the API accepts secrets only as setting references.')
param useSealingKey bool = false

@description('Secrets__SealingKey (with useSealingKey): 32 random bytes, base64. Pass the SAME value at every deployment: values sealed with another key no longer open.')
@secure()
param sealingKey string = ''

@description('Key Vault SKU: standard (software-protected RSA 3072 key) or premium (HSM-protected, RSA-HSM).')
@allowed([
  'standard'
  'premium'
])
param keyVaultSkuName string = 'standard'

@description('Days a deleted vault or key stays recoverable (7-90); purge protection is always on.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionDays int = 90

@description('Object ids (users, groups, service principals) that restore and deep-verify with backupctl: they get read + unwrap on the key.')
param restorePrincipalIds array = []

@description('Let the app identity unwrap too (deep verification in the app, on demand and scheduled). Off: the app can wrap only.')
param appCanUnwrap bool = false

// Globally unique names (storage account, function app host name) get a suffix that is stable per resource
// group, so a redeployment updates the same resources.
var suffix = uniqueString(resourceGroup().id, namePrefix, environmentName)
var baseName = '${namePrefix}-${environmentName}'
var allTags = union(tags, {
  application: 'BackupFunctions'
  environment: environmentName
})

var privateEndpoints = !empty(privateEndpointsSubnetId)
var vnetIntegrated = !empty(vnetIntegrationSubnetId)
var publicNetworkAccess = privateEndpoints && disablePublicNetworkAccess ? 'Disabled' : 'Enabled'
// Resource ids: /subscriptions/<s>/resourceGroups/<g>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>
var integrationSubnet = split(vnetIntegrationSubnetId, '/')
var endpointsSubnet = split(privateEndpointsSubnetId, '/')
var integrationVnetId = vnetIntegrated ? join(take(integrationSubnet, 9), '/') : ''
var endpointsVnetId = privateEndpoints ? join(take(endpointsSubnet, 9), '/') : ''
var cmsZone = split(cmsDatabasePrivateDnsZoneId, '/')
var imageRepository = 'backupfunctions'

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: take('st${namePrefix}${environmentName}${suffix}', 24)
    skuName: storageSkuName
    backupsContainerName: 'backups'
    softDeleteRetentionDays: softDeleteRetentionDays
    publicNetworkAccess: publicNetworkAccess
    tags: allTags
  }
}

module insights 'modules/insights.bicep' = {
  name: 'insights'
  params: {
    location: location
    workspaceName: 'log-${baseName}-${suffix}'
    appInsightsName: 'appi-${baseName}-${suffix}'
    retentionInDays: logRetentionInDays
    disableLocalAuth: appInsightsEntraAuth
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    appInsightsId: insights.outputs.appInsightsId
    logAnalyticsWorkspaceId: insights.outputs.workspaceId
    actionGroupEmails: alertEmails
    actionGroupWebhooks: alertWebhooks
    configOverdueHours: configOverdueHours
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    location: location
    name: take('cr${namePrefix}${environmentName}${suffix}', 50)
    pullIdentityName: 'id-${baseName}-${suffix}-pull'
    skuName: 'Basic'
    tags: allTags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    location: location
    planName: 'asp-${baseName}-${suffix}'
    appName: 'func-${baseName}-${suffix}'
    skuName: planSkuName
    minimumInstanceCount: minimumInstanceCount
    maximumInstanceCount: maximumInstanceCount
    // Before the first image build the plan runs the public base image (no functions), so the very first deployment
    // succeeds; scripts/deploy.sh builds the image and deploys again with its tag.
    image: empty(appImageTag)
      ? 'mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated${dotnetVersion}'
      : '${registry.outputs.loginServer}/${imageRepository}:${appImageTag}'
    pullWithIdentity: !empty(appImageTag)
    pullIdentityId: registry.outputs.pullIdentityId
    pullIdentityClientId: registry.outputs.pullIdentityClientId
    vnetIntegrationSubnetId: vnetIntegrationSubnetId
    tags: allTags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    location: location
    vaultName: take('kv${namePrefix}${environmentName}${suffix}', 24)
    skuName: keyVaultSkuName
    softDeleteRetentionDays: keyVaultSoftDeleteRetentionDays
    appPrincipalId: functionApp.outputs.principalId
    appCanUnwrap: appCanUnwrap
    restorePrincipalIds: restorePrincipalIds
    transitKey: transitKey
    sealingKey: sealingKey
    useSealingKey: useSealingKey
    publicNetworkAccess: publicNetworkAccess
    installName: '${baseName}-${suffix}'
    tags: allTags
  }
}

module storageAccess 'modules/storage-access.bicep' = {
  name: 'storageAccess'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.name
    appInsightsName: insights.outputs.appInsightsName
    appInsightsEntraAuth: appInsightsEntraAuth
  }
}

module privateNetwork 'modules/private-network.bicep' = if (privateEndpoints) {
  name: 'privateNetwork'
  params: {
    location: location
    privateEndpointsSubnetId: privateEndpointsSubnetId
    linkedVnetIds: union([integrationVnetId], [endpointsVnetId])
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.vaultName
    baseName: '${baseName}-${suffix}'
    tags: allTags
  }
}

// The CMS database's zone usually lives with the CMS (another resource group, maybe another subscription).
module cmsDatabaseZoneLink 'modules/dns-zone-link.bicep' = if (!empty(cmsDatabasePrivateDnsZoneId) && vnetIntegrated) {
  name: 'cmsDatabaseZoneLink'
  scope: resourceGroup(empty(cmsDatabasePrivateDnsZoneId) ? subscription().subscriptionId : cmsZone[2], empty(cmsDatabasePrivateDnsZoneId) ? resourceGroup().name : cmsZone[4])
  params: {
    zoneName: last(cmsZone)
    vnetId: integrationVnetId
    linkName: 'link-${baseName}-${suffix}'
    tags: allTags
  }
}

// The private endpoints subnet (an existing one, maybe in another resource group): its address prefix goes into
// Network__AllowedRanges, so the app may connect to the CMS database's private endpoint there. One prefix per subnet
// (ARM returns addressPrefix; a subnet with several has addressPrefixes instead: list them in additionalAllowedRanges).
resource endpointsSubnetRef 'Microsoft.Network/virtualNetworks/subnets@2025-05-01' existing = if (privateEndpoints) {
  scope: resourceGroup(privateEndpoints ? endpointsSubnet[2] : subscription().subscriptionId, privateEndpoints ? endpointsSubnet[4] : resourceGroup().name)
  name: privateEndpoints ? '${endpointsSubnet[8]}/${last(endpointsSubnet)}' : 'none/none'
}

// Last: the settings name the key and reference the secrets, so the roles they need come first; with private
// endpoints, the Key Vault references resolve through them, so those come first too.
module appSettings 'modules/app-settings.bicep' = {
  name: 'appSettings'
  params: {
    appName: functionApp.outputs.name
    storageAccountName: storage.outputs.name
    appInsightsName: insights.outputs.appInsightsName
    appInsightsEntraAuth: appInsightsEntraAuth
    keyUrl: keyVault.outputs.keyUrl
    transitKeyReference: keyVault.outputs.transitKeyReference
    sealingKeyReference: keyVault.outputs.sealingKeyReference
    appCanUnwrap: appCanUnwrap
    allowedRanges: concat(privateEndpoints ? [endpointsSubnetRef!.properties.addressPrefix] : [], additionalAllowedRanges)
    additionalAppSettings: additionalAppSettings
  }
  dependsOn: [
    storageAccess
    privateNetwork
  ]
}

@description('Function app name (for az functionapp / func azure functionapp publish).')
output functionAppName string = functionApp.outputs.name

@description('Default host name: https://<this>/api/...')
output defaultHostName string = functionApp.outputs.defaultHostName

@description('Object id of the app\'s system-assigned identity.')
output principalId string = functionApp.outputs.principalId

@description('Storage account name (catalog tables, backups container, host state).')
output storageAccountName string = storage.outputs.name

@description('Container registry of the app image (az acr build -r <this>).')
output registryName string = registry.outputs.name

@description('Key Vault holding the key-encryption key and the app\'s secrets.')
output keyVaultName string = keyVault.outputs.vaultName

@description('Versionless URL of the key-encryption key (Keys__KeyVaultKeyUrl; backupctl --key-vault-key).')
output keyUrl string = keyVault.outputs.keyUrl
