namespace BackupFunctions.Core.Keys;

/// <summary>
/// The key derivation of a passphrase key-encryption key, stored with the envelope so the same key can be derived at
/// restore time. <see cref="Algorithm"/> is <c>pbkdf2-sha256</c> (uses <see cref="Iterations"/>) or <c>scrypt</c>
/// (uses <see cref="CostN"/>, <see cref="BlockSizeR"/>, <see cref="ParallelismP"/>).
/// </summary>
public sealed record KdfParameters
{
    public required string Algorithm { get; init; }

    /// <summary>Random salt, base64.</summary>
    public required string Salt { get; init; }

    public int? Iterations { get; init; }
    public int? CostN { get; init; }
    public int? BlockSizeR { get; init; }
    public int? ParallelismP { get; init; }
}
