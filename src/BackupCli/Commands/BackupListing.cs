namespace BackupCli.Commands;

/// <summary>One row of <c>backupctl ls</c> (and one element of its JSON <c>backups</c> array).</summary>
/// <param name="Status"><c>complete</c>, <c>incomplete</c> (parts, no manifest), <c>damaged</c> (a part the manifest
/// lists is missing or has another size) or <c>unreadable</c> (bad, oversized or newer manifest).</param>
/// <param name="StoredBytes">Bytes of every object in the backup's folder, as listed by the destination.</param>
internal sealed record BackupListing(string BackupId, string Status, long StoredBytes, int Objects)
{
    public string? ConfigId { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary><c>full</c>, <c>incremental</c>, <c>database</c> or <c>files</c>.</summary>
    public string? Type { get; init; }
    /// <summary>An incremental backup's base (the backup it was compared with); null otherwise.</summary>
    public string? BaseBackupId { get; init; }
    /// <summary>
    /// An incremental backup's chain: every earlier backup its index points into (its manifest's references), each needed
    /// to restore it; null when it holds all its files.
    /// </summary>
    public IReadOnlyList<string>? References { get; init; }
    /// <summary><c>database</c> and/or <c>files</c>.</summary>
    public IReadOnlyList<string> Contents { get; init; } = [];
    public string? Compression { get; init; }
    public int? CompressionLevel { get; init; }
    public string? Encryption { get; init; }
    public string? KeyType { get; init; }
    public string? KeyId { get; init; }
    public long? Files { get; init; }
    public long? FilesBytes { get; init; }
    public int? Tables { get; init; }
    public string? Database { get; init; }
    public double? CompressionRatio { get; init; }
    /// <summary>Why the backup is incomplete, damaged or unreadable; null when complete.</summary>
    public string? Problem { get; init; }
}
