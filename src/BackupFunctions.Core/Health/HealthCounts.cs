namespace BackupFunctions.Core.Health;

/// <summary>How many configs are in each health status, and how many alerts are open and acknowledged.</summary>
public sealed record HealthCounts(int Configs, int Healthy, int Warning, int Critical, int OpenAlerts, int AcknowledgedAlerts);
