using BackupFunctions.Core.Secrets;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// A change to a storage location (PUT /api/backup-storage/{id}): what is given replaces what the location has,
/// what is not given stays. Where a location points (type, settings, immutability) cannot change: existing backups
/// are read through it, so a different place is a new location.
/// </summary>
public sealed record StorageLocationUpdate
{
    public string? Name { get; init; }

    /// <summary>Secrets to replace (rotate), by name; the others stay. Sealed as on create, never shown.</summary>
    public Dictionary<string, SecretValue>? Secrets { get; init; }

    public long? MaxSizeBytes { get; init; }

    public bool? Enabled { get; init; }
}
