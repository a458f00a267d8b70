namespace BackupFunctions.Core.Configs;

/// <summary>
/// <c>encryption</c> as a request may write it: today's <c>algorithm</c> names, the seed's <c>aes256</c> and
/// <c>chacha20</c>, <c>enabled</c> and <c>keyDerivation</c>.
/// </summary>
public sealed record EncryptionInput
{
    /// <summary>False: no encryption (algorithm <c>none</c>, whatever <see cref="Algorithm"/> says).</summary>
    public bool? Enabled { get; init; }
    public string? Algorithm { get; init; }
    public string? KeyDerivation { get; init; }
}
