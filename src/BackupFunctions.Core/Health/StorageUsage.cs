namespace BackupFunctions.Core.Health;

/// <summary>How full one destination was when it was last measured (by the hourly alert evaluation).</summary>
public sealed record StorageUsage
{
    /// <summary>The destination's key (see <see cref="DestinationRef"/>): a storage location id, or <c>inline-…</c>.</summary>
    public required string Destination { get; init; }

    /// <summary>The location's name, or what an inline destination is (<c>azureBlob:container</c>, <c>local:path</c>).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// The bytes of every object in the destination (all prefixes: a size limit is the destination's), temporary
    /// objects included (they take room too; see <see cref="TemporaryBytes"/>).
    /// </summary>
    public required long UsedBytes { get; init; }

    /// <summary>
    /// Of <see cref="UsedBytes"/>, the bytes of temporary objects: uploads in progress and what interrupted uploads left
    /// behind (local, SFTP and FTP destinations), until job cleanup or retention removes them.
    /// </summary>
    public long TemporaryBytes { get; init; }

    /// <summary>How many temporary objects <see cref="TemporaryBytes"/> are.</summary>
    public int TemporaryObjects { get; init; }

    /// <summary>What it may hold: its <c>maxSizeBytes</c>, or for a local folder without one the used bytes plus the file
    /// system's free space; null when neither is known (no percentage then, and no storage_full).</summary>
    public long? TotalBytes { get; init; }

    /// <summary><see cref="UsedBytes"/> of <see cref="TotalBytes"/> in per cent, two decimals; null without a total.</summary>
    public double? Percentage { get; init; }

    /// <summary>Where <see cref="TotalBytes"/> comes from: <c>maxSize</c> or <c>fileSystem</c>; null without a total.</summary>
    public string? TotalFrom { get; init; }

    public required DateTimeOffset MeasuredAt { get; init; }

    /// <summary>Per cent of <paramref name="total"/> that <paramref name="used"/> is, two decimals; null without a (positive) total.</summary>
    public static double? PercentageOf(long used, long? total)
        => total is > 0 ? Math.Round(used * 100.0 / total.Value, 2, MidpointRounding.ToZero) : null;
}
