// The key-encryption key and the app's secrets: a Key Vault (RBAC, soft delete, purge protection) holding
//   - an RSA 3072 key that wraps every backup's data key (Keys__KeyVaultKeyUrl);
//   - the transit key (Keys__TransitKey) and, with useSealingKey, the sealing key (Secrets__SealingKey), read by the app
//     through Key Vault references.
// Who may do what with the key (README.md beside main.bicep, "Who holds which key rights"):
//   - the app identity: read the key, i.e. its PUBLIC half. The app wraps data keys locally with it (RSA-OAEP-256),
//     so backups need no wrap or unwrap call; it cannot unwrap the data key of any stored backup.
//   - restorePrincipalIds (operators, a restore identity): read + unwrap, for backupctl restore and verify --read-data.
//   - the app too only when appCanUnwrap (deep verification inside the app).

@description('Azure region.')
param location string

@description('Key Vault name (3-24 letters, digits and hyphens, globally unique).')
param vaultName string

@description('standard: software-protected RSA key; premium: HSM-protected (RSA-HSM).')
@allowed([
  'standard'
  'premium'
])
param skuName string

@description('Days a deleted vault or key stays recoverable (7-90). Purge protection is always on.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionDays int

@description('Object id of the function app\'s system-assigned identity.')
param appPrincipalId string

@description('Give the app identity unwrap rights too (deep verification in the app).')
param appCanUnwrap bool

@description('Object ids (users, groups, identities) that restore: they get read + unwrap on the key.')
param restorePrincipalIds array

@description('The transit key: 32 random bytes, base64.')
@secure()
param transitKey string

@description('The sealing key: 32 random bytes, base64; ignored without useSealingKey.')
@secure()
param sealingKey string

@description('Store the sealing key and grant the app its secret.')
param useSealingKey bool

@description('Enabled, or Disabled when the app reaches the vault through a private endpoint only.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('Tells the custom role names of this install apart (role names are unique in a tenant): <prefix>-<env>-<suffix>.')
param installName string

param tags object

var keyName = 'backup-kek'

// Built-in role: read secret values (Key Vault references of the app settings).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: skuName
    }
    // Azure RBAC instead of access policies: the rights below are role assignments scoped to one key or secret.
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionDays
    // The key is the only way to the backups' data keys: nobody, not even an Owner, can purge it before retention ends.
    enablePurgeProtection: true
    // With private networking the public endpoint is off: the app (and the Key Vault references of its settings,
    // resolved through its VNet integration) come through the private endpoint.
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
      bypass: 'AzureServices'
    }
  }
}

// Created once: ARM's create-if-not-exist for keys makes the first version and leaves an existing key untouched, so a
// redeployment neither rotates the key nor changes it. Rotate with `az keyvault key rotate`; old versions must stay
// enabled, since each backup records the version that wrapped its data key.
resource key 'Microsoft.KeyVault/vaults/keys@2025-05-01' = {
  parent: vault
  name: keyName
  tags: tags
  properties: {
    kty: skuName == 'premium' ? 'RSA-HSM' : 'RSA'
    keySize: 3072
    // The app wraps locally with the public key (no wrapKey call) but checks that key_ops permit unwrapKey, since a
    // key that cannot unwrap would make every backup unrestorable.
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    attributes: {
      enabled: true
    }
  }
}

resource transitKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = {
  parent: vault
  name: 'transit-key'
  tags: tags
  properties: {
    value: transitKey
    contentType: '32 random bytes, base64: Keys__TransitKey of the BackupFunctions app'
  }
}

resource sealingKeySecret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (useSealingKey) {
  parent: vault
  name: 'sealing-key'
  tags: tags
  properties: {
    value: sealingKey
    contentType: '32 random bytes, base64: Secrets__SealingKey of the BackupFunctions app'
  }
}

// Custom roles with exactly the data actions needed. Built-in alternatives give more: Key Vault Crypto Service
// Encryption User adds wrap and unwrap, Key Vault Crypto User adds decrypt, sign, update and backup.
// Wrapping needs no wrap/action: with an RSA key the app encrypts with the public half that keys/read returns.
resource keyReaderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, installName, 'backup-key-reader')
  properties: {
    roleName: 'BackupFunctions backup key reader (${installName})'
    description: 'Read a Key Vault key and its public half, to wrap backup data keys locally. No unwrap.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/read'
        ]
        notDataActions: []
      }
    ]
  }
}

resource keyUnwrapperRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, installName, 'backup-key-unwrapper')
  properties: {
    roleName: 'BackupFunctions backup key unwrapper (${installName})'
    description: 'Read a Key Vault key and unwrap backup data keys with it: restore and deep verification.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/keys/read'
          'Microsoft.KeyVault/vaults/keys/unwrap/action'
        ]
        notDataActions: []
      }
    ]
  }
}

// A role created by a resource group deployment lives at the subscription: assignments name it by its subscription id.
var keyReaderRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyReaderRole.name)
var keyUnwrapperRoleId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyUnwrapperRole.name)

resource appKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(key.id, appPrincipalId, 'backup-key-reader')
  scope: key
  properties: {
    roleDefinitionId: keyReaderRoleId
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'BackupFunctions app identity: wrap backup data keys (public key only)'
  }
}

resource appKeyUnwrapper 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (appCanUnwrap) {
  name: guid(key.id, appPrincipalId, 'backup-key-unwrapper')
  scope: key
  properties: {
    roleDefinitionId: keyUnwrapperRoleId
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'BackupFunctions app identity: unwrap for deep verification (appCanUnwrap)'
  }
}

resource restoreKeyUnwrappers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in restorePrincipalIds: {
    name: guid(key.id, principalId, 'backup-key-unwrapper')
    scope: key
    properties: {
      roleDefinitionId: keyUnwrapperRoleId
      principalId: principalId
      description: 'BackupFunctions restore: unwrap backup data keys (restorePrincipalIds)'
    }
  }
]

resource appTransitKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(transitKeySecret.id, appPrincipalId, keyVaultSecretsUser)
  scope: transitKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'BackupFunctions app identity: Key Vault reference of Keys__TransitKey'
  }
}

resource appSealingKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useSealingKey) {
  name: guid(sealingKeySecret.id, appPrincipalId, keyVaultSecretsUser)
  scope: sealingKeySecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'BackupFunctions app identity: Key Vault reference of Secrets__SealingKey'
  }
}

@description('Versionless key URL: the current version wraps new backups; each backup records the version it used.')
output keyUrl string = key.properties.keyUri

@description('Key Vault reference of the transit key (an app setting value).')
output transitKeyReference string = '@Microsoft.KeyVault(SecretUri=${transitKeySecret.properties.secretUri})'

@description('Key Vault reference of the sealing key, or empty without one.')
output sealingKeyReference string = !useSealingKey
  ? ''
  : '@Microsoft.KeyVault(SecretUri=${sealingKeySecret!.properties.secretUri})'

output vaultName string = vault.name
output vaultId string = vault.id
