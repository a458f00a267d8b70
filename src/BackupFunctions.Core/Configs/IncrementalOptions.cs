namespace BackupFunctions.Core.Configs;

/// <summary>How a config of type <c>incremental</c> compares the site with its base (docs/format.md, "Incremental backups").</summary>
public sealed record IncrementalOptions
{
    /// <summary>Compare path, type, size, modification time and mode: reads no file that is unchanged.</summary>
    public const string CompareMetadata = "metadata";

    /// <summary>As <see cref="CompareMetadata"/>, and the SHA-256 of every file as it is now: reads the whole site.</summary>
    public const string CompareHash = "hash";

    /// <summary>The most incremental backups in a row; the next one is a full backup.</summary>
    public const int MaxFullEvery = 100;

    /// <summary>A full backup after at most this many incremental ones (1–100, default 7: with a daily schedule, a full backup each week).</summary>
    public int FullEvery { get; init; } = 7;

    /// <summary><see cref="CompareMetadata"/> (default) or <see cref="CompareHash"/>.</summary>
    public string Compare { get; init; } = CompareMetadata;
}
