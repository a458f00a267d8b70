// The function app's settings: every setting the app's start-up validation reads, with values valid in Azure.
// A separate sites/config resource, deployed (by main.bicep) after the identity's storage and Key Vault roles, so that
// the Key Vault references resolve when the settings are applied. The whole set is replaced on each deployment.
// tests/BackupFunctions.Tests/Deployment checks this set against the app's own options validation.

@description('Function app the settings belong to.')
param appName string

@description('Storage account holding host state, the catalog and the backups container.')
param storageAccountName string

@description('Application Insights component the app sends telemetry to.')
param appInsightsName string

@description('Send telemetry with the app identity (Entra ID) instead of the connection string\'s key alone.')
param appInsightsEntraAuth bool

@description('Versionless URL of the Key Vault key that wraps the backups\' data keys.')
param keyUrl string

@description('Key Vault reference of the transit key.')
param transitKeyReference string

@description('Key Vault reference of the sealing key, or empty.')
param sealingKeyReference string

@description('The app identity may unwrap: scheduled deep verification can run in the app.')
param appCanUnwrap bool

@description('CIDR ranges the app may connect to besides public addresses (Network__AllowedRanges): the private endpoints\' subnets.')
param allowedRanges array

@description('Extra app settings (name: value), merged over the defaults.')
param additionalAppSettings object

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource app 'Microsoft.Web/sites@2025-03-01' existing = {
  name: appName
}

// WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENTAZUREFILECONNECTIONSTRING and WEBSITE_CONTENTSHARE are deliberately
// absent: the app comes in the container image, and a content share would need the account key (shared key is off).
var defaultAppSettings = union(
  {
    // The Functions host in the image runs the isolated worker.
    FUNCTIONS_EXTENSION_VERSION: '~4'
    FUNCTIONS_WORKER_RUNTIME: 'dotnet-isolated'
    // The image carries the app: no /home share mounted over it.
    WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false'
    // Identity-based host storage: the Functions host and the Durable Task Azure Storage provider derive the
    // blob, queue and table endpoints from the account name and sign in with the system-assigned identity.
    AzureWebJobsStorage__accountName: storage.name
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    // The catalog and azureBlob destinations through the managed identity (no connection strings, no account keys).
    Catalog__TableServiceUri: storage.properties.primaryEndpoints.table
    Storage__BlobServiceUri: storage.properties.primaryEndpoints.blob
    // The key-encryption key: exactly one of Keys__LocalKeyFile, Keys__PassphraseSetting and Keys__KeyVaultKeyUrl.
    // The app reads the key's public half and wraps locally; it needs no unwrap to back up, because the data key
    // travels between a backup's steps sealed with the transit key.
    Keys__KeyVaultKeyUrl: keyUrl
    Keys__TransitKey: transitKeyReference
    // Empty: the API accepts secrets only as setting references, since no key seals posted values.
    Secrets__SealingKey: sealingKeyReference
    // Deep verification unwraps every data key: with a wrap-only identity the nightly run could only fail (and mark
    // sound backups verification_failed), so it is off unless the app may unwrap. backupctl verify --read-data under
    // a restore identity does it instead.
    Verification__DeepSchedule: appCanUnwrap ? '0 0 3 * * *' : ''
    // Outbound confinement: public addresses, plus the subnets of the private endpoints (a CMS database behind one).
    Network__AllowedRanges: join(allowedRanges, ',')
    // Local roots a files backup may read: none, the instance's disk is its own (site files come through files.source).
    Files__AllowedRoots: ''
    // Postgres__BinDirectory is not set here: the image sets it (ENV in infra/docker/Dockerfile) to the folder of the
    // client tools it installs, so the two cannot disagree.
  },
  appInsightsEntraAuth ? { APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD' } : {}
)

resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: union(defaultAppSettings, additionalAppSettings)
}
