using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>The committed manifest: its name, hash and size, and the statistics it records.</summary>
public sealed record ManifestResult(string ManifestName, string Sha256, long Size, DateTimeOffset CompletedAt, BackupStatistics Statistics);
