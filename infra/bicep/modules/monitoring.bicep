// Azure Portal monitoring of the service: one action group (e-mail and webhook receivers from the parameters), a log
// search alert rule per thing an operator must act on (failed backups, overdue configs, failed verifications, failed
// restores, failed restore drills, the service gone silent) and a workbook with each config's runs, sizes, storage and open alerts.
// The Kusto is in ../monitoring/queries/*.kql, loaded here and shown in docs/operations.md ("Monitoring in the Azure
// Portal"); MonitoringTemplateTests checks that both say the same. The queries read the AppMetrics table of the
// workspace the Application Insights component writes to (the app's BackupFunctions meter).

@description('Azure region of the alert rules and the workbook (the action group is global).')
param location string

@description('Resource ID of the Application Insights component: the workbook is listed under it.')
param appInsightsId string

@description('Resource ID of the Log Analytics workspace behind the component: what the alert rules and the workbook query.')
param logAnalyticsWorkspaceId string

@description('E-mail addresses the alerts go to.')
param actionGroupEmails array = []

@description('HTTPS URLs the alerts are posted to (common alert schema).')
param actionGroupWebhooks array = []

@description('Hours without a successful backup after which a config is overdue.')
@minValue(1)
param configOverdueHours int = 26

var queries = {
  failedBackups: loadTextContent('../monitoring/queries/failed-backups.kql')
  overdueConfigs: replace(
    loadTextContent('../monitoring/queries/overdue-configs.kql'),
    'let overdueHours = 26;',
    'let overdueHours = ${configOverdueHours};'
  )
  failedVerifications: loadTextContent('../monitoring/queries/failed-verifications.kql')
  failedRestores: loadTextContent('../monitoring/queries/failed-restores.kql')
  failedRestoreDrills: loadTextContent('../monitoring/queries/failed-restore-drills.kql')
  serviceSilent: loadTextContent('../monitoring/queries/service-silent.kql')
}

// Failures are events: their alert stays fired until an operator closes it (autoMitigate off). Overdue is a state:
// it resolves by itself once the config has backed up again.
var rules = [
  {
    name: 'backupfunctions-failed-backups'
    displayName: 'BackupFunctions: backup failed'
    description: 'A backup run of a config failed (backup.runs, outcome failed).'
    severity: 1
    frequency: 'PT15M'
    window: 'PT15M'
    query: queries.failedBackups
    measure: 'Failures'
    aggregation: 'Total'
    operator: 'GreaterThan'
    threshold: 0
    splitByConfig: true
    autoMitigate: false
  }
  {
    name: 'backupfunctions-overdue-configs'
    displayName: 'BackupFunctions: backups overdue'
    description: 'A config has had no successful backup for more than ${configOverdueHours} hours (backup.since_success).'
    severity: 2
    frequency: 'PT1H'
    window: 'PT2H'
    query: queries.overdueConfigs
    measure: 'HoursSinceSuccess'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: configOverdueHours
    splitByConfig: true
    autoMitigate: true
  }
  {
    name: 'backupfunctions-failed-verifications'
    displayName: 'BackupFunctions: verification failed'
    description: 'A copy of a backup failed its quick or deep verification (backup.verifications, result failed).'
    severity: 0
    frequency: 'PT15M'
    window: 'PT15M'
    query: queries.failedVerifications
    measure: 'Failures'
    aggregation: 'Total'
    operator: 'GreaterThan'
    threshold: 0
    splitByConfig: true
    autoMitigate: false
  }
  {
    name: 'backupfunctions-failed-restores'
    displayName: 'BackupFunctions: restore failed'
    description: 'A restore job failed or was rolled back (restore.runs).'
    severity: 1
    frequency: 'PT15M'
    window: 'PT15M'
    query: queries.failedRestores
    measure: 'Failures'
    aggregation: 'Total'
    operator: 'GreaterThan'
    threshold: 0
    splitByConfig: true
    autoMitigate: false
  }
  {
    name: 'backupfunctions-failed-restore-drills'
    displayName: 'BackupFunctions: restore drill failed'
    description: 'A restore drill failed: a backup did not restore, or did not answer its checks (restore.drill.runs, result failed).'
    severity: 1
    frequency: 'PT15M'
    window: 'PT15M'
    query: queries.failedRestoreDrills
    measure: 'Failures'
    aggregation: 'Total'
    operator: 'GreaterThan'
    threshold: 0
    splitByConfig: true
    autoMitigate: false
  }
  {
    // The one rule that fires on silence: if the Functions app stops, no other rule can.
    name: 'backupfunctions-service-silent'
    displayName: 'BackupFunctions: service silent'
    description: 'No hourly alert evaluation of the service was recorded for 3 hours (backup.since_success): the Functions app is not running, or no config is enabled.'
    severity: 1
    frequency: 'PT1H'
    window: 'PT3H'
    query: queries.serviceSilent
    measure: 'Evaluations'
    aggregation: 'Total'
    operator: 'LessThan'
    threshold: 1
    splitByConfig: false
    autoMitigate: true
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-backupfunctions'
  location: 'global'
  properties: {
    groupShortName: 'BackupFn'
    enabled: true
    emailReceivers: [
      for (email, i) in actionGroupEmails: {
        name: 'email-${i}'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
    webhookReceivers: [
      for (url, i) in actionGroupWebhooks: {
        name: 'webhook-${i}'
        serviceUri: url
        useCommonAlertSchema: true
      }
    ]
  }
}

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for rule in rules: {
    name: rule.name
    location: location
    kind: 'LogAlert'
    properties: {
      displayName: rule.displayName
      description: rule.description
      severity: rule.severity
      enabled: true
      evaluationFrequency: rule.frequency
      windowSize: rule.window
      scopes: [
        logAnalyticsWorkspaceId
      ]
      criteria: {
        allOf: [
          {
            query: rule.query
            timeAggregation: rule.aggregation
            metricMeasureColumn: rule.measure
            // One alert per config (the e-mail and the open-alerts list name it); the silence rule has one for the service.
            dimensions: rule.splitByConfig
              ? [
                  {
                    name: 'ConfigName'
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                  {
                    name: 'ConfigId'
                    operator: 'Include'
                    values: [
                      '*'
                    ]
                  }
                ]
              : []
            operator: rule.operator
            threshold: rule.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: rule.autoMitigate
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

// The workbook's items name their query by file; the deployment puts each file's text in its place and points the
// Log Analytics items at the workspace (the open-alerts item asks Azure Resource Graph about this subscription).
var workbookTemplate = loadJsonContent('../monitoring/workbook.json')
var workbookQueries = {
  'config-summary.kql': loadTextContent('../monitoring/queries/config-summary.kql')
  'open-alerts.kql': loadTextContent('../monitoring/queries/open-alerts.kql')
  'outcome-history.kql': loadTextContent('../monitoring/queries/outcome-history.kql')
  'backup-trends.kql': loadTextContent('../monitoring/queries/backup-trends.kql')
  'storage-used.kql': loadTextContent('../monitoring/queries/storage-used.kql')
}
var workbookItems = map(
  workbookTemplate.items,
  item =>
    item.type == 3
      ? union(item, {
          content: union(item.content, {
            query: workbookQueries[item.content.query]
            crossComponentResources: item.content.queryType == 0 ? [logAnalyticsWorkspaceId] : [subscription().id]
          })
        })
      : item
)

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, appInsightsId, 'backupfunctions-workbook')
  location: location
  kind: 'shared'
  properties: {
    displayName: 'BackupFunctions: backups per config'
    category: 'workbook'
    sourceId: appInsightsId
    serializedData: string(union(workbookTemplate, { items: workbookItems }))
    version: '1.0'
  }
}

output actionGroupId string = actionGroup.id
output workbookId string = workbook.id
output alertRuleNames array = [for (rule, i) in rules: alertRules[i].name]
