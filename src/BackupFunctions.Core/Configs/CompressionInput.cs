namespace BackupFunctions.Core.Configs;

/// <summary><c>compression</c> as a request may write it: today's <c>algorithm</c>/<c>level</c> and the seed's <c>enabled</c>.</summary>
public sealed record CompressionInput
{
    /// <summary>False: no compression (algorithm <c>none</c>, whatever <see cref="Algorithm"/> says).</summary>
    public bool? Enabled { get; init; }
    public string? Algorithm { get; init; }
    public int? Level { get; init; }
}
