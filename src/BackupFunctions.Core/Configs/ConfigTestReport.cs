namespace BackupFunctions.Core.Configs;

/// <summary>The answer of <c>POST /api/backup-configs/{id}/test</c>: <see cref="Ok"/> when every check passed.</summary>
public sealed record ConfigTestReport(string ConfigId, bool Ok, DateTimeOffset TestedAt, IReadOnlyList<ConfigCheck> Checks);
