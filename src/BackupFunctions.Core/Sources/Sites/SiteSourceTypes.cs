namespace BackupFunctions.Core.Sources.Sites;

/// <summary>The kinds of place a CMS keeps its site files in, as <c>files.source.type</c> names them.</summary>
public static class SiteSourceTypes
{
    /// <summary>A folder on this machine (a mounted share counts): today's behaviour.</summary>
    public const string Local = "local";

    /// <summary>A blob container and prefix (Azure Blob Storage; Azurite in tests).</summary>
    public const string AzureBlob = "azureBlob";

    /// <summary>An Azure Files share and folder, read with the app's identity.</summary>
    public const string AzureFiles = "azureFiles";

    /// <summary>The CMS host over SFTP, with a pinned host key.</summary>
    public const string Sftp = "sftp";

    public static readonly IReadOnlyList<string> All = [Local, AzureBlob, AzureFiles, Sftp];
}
