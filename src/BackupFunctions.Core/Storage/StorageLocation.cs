namespace BackupFunctions.Core.Storage;

/// <summary>
/// A named destination in the catalog (table BackupStorage), which backup configs use by id. Its secrets are kept
/// in protected form only (<see cref="Secrets.SecretSealer"/>) and never leave the engine.
/// </summary>
public sealed record StorageLocation
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary>One of <see cref="StorageTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>The type's settings (see <see cref="StorageSettingsSchema"/>), normalised to invariant strings.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Secret name → protected form (sealed value or app-setting reference).</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>The most the destination may hold; a local destination refuses puts beyond it, every type raises storage_full near it.</summary>
    public long? MaxSizeBytes { get; init; }

    public ImmutabilityOptions Immutability { get; init; } = new();

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a PUT last changed it (name, secrets, size, enabled); null: never changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>
    /// False: no new run writes to it (a run whose config names it fails with that reason); its backups still restore,
    /// verify and delete. Rows written before the column existed are enabled.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The last connection test (POST /api/backup-storage/{id}/test), or null.</summary>
    public StorageProbeResult? LastTest { get; init; }
}
