// BackupFunctions: one resource group holds one install.
//   storage account (host state, Durable task hub, deployment package, catalog tables, "backups" container)
//   Log Analytics workspace + Application Insights
//   Flex Consumption plan + function app with a system-assigned identity and data-plane roles on the account
//   Key Vault: the RSA key that wraps the backups' data keys (the app may only read its public half) and the app's
//   secrets (transit key, sealing key), read through Key Vault references
//   the app settings, deployed last (after the roles the Key Vault references need)
// Deploy: see README.md beside this file.

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

@description('Upper bound of Flex Consumption instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of one Flex Consumption instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// The Microsoft.Web schema types runtime.version as a free string; '10.0' is the value Flex Consumption lists
// for .NET 10 isolated (az functionapp list-flexconsumption-runtimes).
@description('.NET version of the isolated worker.')
param dotnetVersion string = '10.0'

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

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: take('st${namePrefix}${environmentName}${suffix}', 24)
    skuName: storageSkuName
    deploymentContainerName: 'app-package'
    backupsContainerName: 'backups'
    softDeleteRetentionDays: softDeleteRetentionDays
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    workspaceName: 'log-${baseName}-${suffix}'
    appInsightsName: 'appi-${baseName}-${suffix}'
    retentionInDays: logRetentionInDays
    disableLocalAuth: appInsightsEntraAuth
    tags: allTags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    location: location
    planName: 'asp-${baseName}-${suffix}'
    appName: 'func-${baseName}-${suffix}'
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    dotnetVersion: dotnetVersion
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
    installName: '${baseName}-${suffix}'
    tags: allTags
  }
}

module storageAccess 'modules/storage-access.bicep' = {
  name: 'storageAccess'
  params: {
    principalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    appInsightsEntraAuth: appInsightsEntraAuth
  }
}

// Last: the settings name the key and reference the secrets, so the roles they need come first.
module appSettings 'modules/app-settings.bicep' = {
  name: 'appSettings'
  params: {
    appName: functionApp.outputs.name
    storageAccountName: storage.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    appInsightsEntraAuth: appInsightsEntraAuth
    keyUrl: keyVault.outputs.keyUrl
    transitKeyReference: keyVault.outputs.transitKeyReference
    sealingKeyReference: keyVault.outputs.sealingKeyReference
    appCanUnwrap: appCanUnwrap
    additionalAppSettings: additionalAppSettings
  }
  dependsOn: [
    storageAccess
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

@description('Key Vault holding the key-encryption key and the app\'s secrets.')
output keyVaultName string = keyVault.outputs.vaultName

@description('Versionless URL of the key-encryption key (Keys__KeyVaultKeyUrl; backupctl --key-vault-key).')
output keyUrl string = keyVault.outputs.keyUrl
