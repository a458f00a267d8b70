namespace BackupFunctions.Core.Storage;

/// <summary>The destination types a storage location can have.</summary>
public static class StorageTypes
{
    public const string Local = "local";
    public const string AzureBlob = "azureBlob";
    public const string S3 = "s3";
    public const string Gcs = "gcs";
    public const string Sftp = "sftp";
    public const string Ftp = "ftp";

    public static IReadOnlyList<string> All { get; } = [Local, AzureBlob, S3, Gcs, Sftp, Ftp];
}
