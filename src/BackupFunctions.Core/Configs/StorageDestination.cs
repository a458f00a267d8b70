namespace BackupFunctions.Core.Configs;

/// <summary>
/// Where backups go. <c>azureBlob</c>: <see cref="Container"/> in the storage account of the <c>Storage:BlobConnection</c>
/// setting (or its service URI with managed identity); <c>local</c>: a folder under the <c>Storage:LocalRoot</c> setting.
/// </summary>
public sealed record StorageDestination
{
    /// <summary><c>azureBlob</c> or <c>local</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Blob container name (azureBlob).</summary>
    public string? Container { get; init; }

    /// <summary>Folder relative to the local root (local).</summary>
    public string? Path { get; init; }

    /// <summary>Name prefix inside the container or folder, e.g. the site's name.</summary>
    public string Prefix { get; init; } = "";
}
