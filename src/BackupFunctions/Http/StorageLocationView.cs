using BackupFunctions.Core.Storage;

namespace BackupFunctions.Http;

/// <summary>A storage location as the API shows it: everything but its secrets, of which only the names are shown.</summary>
public sealed record StorageLocationView(
    string Id,
    string Name,
    string Type,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyList<string> SecretsSet,
    long? MaxSizeBytes,
    ImmutabilityOptions Immutability,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastTested,
    StorageProbeResult? LastTestResult,
    bool Enabled,
    DateTimeOffset? UpdatedAt)
{
    public static StorageLocationView From(StorageLocation location) => new(
        location.Id, location.Name, location.Type, location.Settings, [.. location.Secrets.Keys.Order(StringComparer.Ordinal)],
        location.MaxSizeBytes, location.Immutability, location.CreatedAt, location.LastTest?.TestedAt, location.LastTest,
        location.Enabled, location.UpdatedAt);
}
