namespace BackupFunctions.Core.Downloads;

/// <summary>
/// The answer to a request to download a backup: the download, or why not — <see cref="Found"/> false for an unknown
/// backup, else <see cref="Refusal"/> (being removed, no copy that can be read).
/// </summary>
public sealed record DownloadStart(IBackupDownload? Download, bool Found = true, string? Refusal = null);
