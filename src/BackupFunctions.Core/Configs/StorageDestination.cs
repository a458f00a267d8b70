namespace BackupFunctions.Core.Configs;

/// <summary>
/// Where backups go: a storage location of the catalog by <see cref="StorageId"/> (any destination type, secrets
/// kept by the catalog), or inline: <c>azureBlob</c> (<see cref="Container"/> in the account of the
/// <c>Storage:BlobConnection</c> setting, or its service URI with managed identity) or <c>local</c> (a folder under
/// the <c>Storage:LocalRoot</c> setting).
/// </summary>
public sealed record StorageDestination
{
    /// <summary>A storage location (<c>stg-…</c>) from /api/backup-storage.</summary>
    public string? StorageId { get; init; }

    /// <summary>Inline destinations: <c>azureBlob</c> or <c>local</c>; empty with <see cref="StorageId"/>.</summary>
    public string Type { get; init; } = "";

    /// <summary>Blob container name (azureBlob).</summary>
    public string? Container { get; init; }

    /// <summary>Folder relative to the local root (local).</summary>
    public string? Path { get; init; }

    /// <summary>Name prefix inside the container or folder, e.g. the site's name.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>
    /// Inline destinations: the most the destination may hold, like a storage location's <c>maxSizeBytes</c> (a local
    /// folder refuses puts beyond it; every type raises storage_full near it). Null: no limit.
    /// </summary>
    public long? MaxSizeBytes { get; init; }
}
