namespace BackupFunctions.Core.Storage;

/// <summary>Where destinations live (settings section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// Blob Storage connection string for <c>azureBlob</c> destinations (Azurite locally). Empty: use
    /// <see cref="BlobServiceUri"/> with managed identity.
    /// </summary>
    public string BlobConnection { get; set; } = "";

    /// <summary>Blob service endpoint for managed identity, e.g. https://account.blob.core.windows.net.</summary>
    public string BlobServiceUri { get; set; } = "";

    /// <summary>Folder under which <c>local</c> destinations live; a destination's path may not leave it.</summary>
    public string LocalRoot { get; set; } = "";
}
