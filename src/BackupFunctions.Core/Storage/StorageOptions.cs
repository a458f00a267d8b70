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

    /// <summary>Retries of a destination call that failed transiently (network, throttling, 5xx), 0-10; each step's own retries come on top.</summary>
    public int Retries { get; set; } = 4;

    /// <summary>The first retry's delay in seconds; each further one doubles (with jitter), up to 30 s.</summary>
    public double RetryDelaySeconds { get; set; } = 1;

    /// <summary>
    /// Hours (1-8760) after its last write that retention takes a temporary object (what an upload killed mid-way
    /// leaves behind on a local, SFTP or FTP destination) for garbage and removes it; a running upload writes its
    /// temporary object all the time, and those in the folders of running jobs are never removed.
    /// </summary>
    public int TemporaryGraceHours { get; set; } = 24;
}
