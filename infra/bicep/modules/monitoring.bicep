// PLACEHOLDER so main.bicep builds before the merge: helper i16-monitor writes the real module (alert rules, action
// group, workbook) with these parameters; the lead keeps that version at merge. Deploys nothing.

@description('Azure region.')
param location string

@description('Resource id of the Application Insights component the rules and the workbook read.')
param appInsightsId string

@description('Resource id of the Log Analytics workspace behind it.')
param logAnalyticsWorkspaceId string

@description('E-mail addresses the action group notifies.')
param actionGroupEmails array

@description('Webhook URLs the action group calls.')
param actionGroupWebhooks array

@description('Hours after which a config without a successful backup counts as overdue.')
param configOverdueHours int

output placeholder object = {
  location: location
  appInsightsId: appInsightsId
  logAnalyticsWorkspaceId: logAnalyticsWorkspaceId
  receivers: length(actionGroupEmails) + length(actionGroupWebhooks)
  configOverdueHours: configOverdueHours
}
