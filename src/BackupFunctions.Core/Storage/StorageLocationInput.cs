using System.Text.Json;
using BackupFunctions.Core.Secrets;

namespace BackupFunctions.Core.Storage;

/// <summary>A storage location as the API receives it (POST /api/backup-storage).</summary>
public sealed record StorageLocationInput
{
    public string? Name { get; init; }
    public string? Type { get; init; }

    /// <summary>The type's settings; values may be JSON strings, numbers or booleans.</summary>
    public Dictionary<string, JsonElement>? Settings { get; init; }

    /// <summary>The type's secrets: a value, or a reference to an app setting.</summary>
    public Dictionary<string, SecretValue>? Secrets { get; init; }

    public long? MaxSizeBytes { get; init; }
    public ImmutabilityOptions? Immutability { get; init; }

    /// <summary>Null: enabled.</summary>
    public bool? Enabled { get; init; }
}
