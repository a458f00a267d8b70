using BackupFunctions.Core.Verification;

namespace BackupFunctions.Http;

/// <summary>The (optional) body of <c>POST /api/backups/{id}/verify</c>.</summary>
public sealed record VerifyBackupBody
{
    /// <summary><c>quick</c> (sizes and SHA-256 of the stored objects) or <c>deep</c> (default: decrypt, decompress, parse).</summary>
    public string Level { get; init; } = DeepVerifier.Level;

    /// <summary>The copy to verify (0 the primary, 1… the replicas); null for every copy.</summary>
    public int? Location { get; init; }
}
