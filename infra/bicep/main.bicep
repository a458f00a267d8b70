// BackupFunctions: one resource group holds one install.
//   storage account (host state, Durable task hub, deployment package, catalog tables, "backups" container)
//   Log Analytics workspace + Application Insights
//   Flex Consumption plan + function app with a system-assigned identity and data-plane roles on the account
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

@description('Extra app settings (name: value), merged over the defaults set in modules/functionapp.bicep.')
param additionalAppSettings object = {}

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
    appInsightsName: monitoring.outputs.appInsightsName
    appInsightsEntraAuth: appInsightsEntraAuth
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    dotnetVersion: dotnetVersion
    additionalAppSettings: additionalAppSettings
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

@description('Function app name (for az functionapp / func azure functionapp publish).')
output functionAppName string = functionApp.outputs.name

@description('Default host name: https://<this>/api/...')
output defaultHostName string = functionApp.outputs.defaultHostName

@description('Object id of the app\'s system-assigned identity (grant it Key Vault access later).')
output principalId string = functionApp.outputs.principalId

@description('Storage account name (catalog tables, backups container, host state).')
output storageAccountName string = storage.outputs.name
