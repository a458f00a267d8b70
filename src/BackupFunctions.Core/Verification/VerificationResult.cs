namespace BackupFunctions.Core.Verification;

/// <summary>What a verification of one copy of a backup found.</summary>
/// <param name="Level"><c>quick</c> (stored sizes and SHA-256) or <c>deep</c> (every byte decrypted, decompressed and parsed).</param>
/// <param name="Objects">The objects looked at, the manifest included.</param>
/// <param name="Bytes">Stored bytes of the objects that passed.</param>
/// <param name="Problems">
/// One line per object that failed, each starting with the object's name and <c>": "</c> (the key and the manifest's
/// MAC count as <c>manifest.json</c>); empty when <paramref name="Ok"/>.
/// </param>
public sealed record VerificationResult(
    string Level, bool Ok, int Objects, long Bytes, IReadOnlyList<string> Problems, DateTimeOffset VerifiedAt, double Seconds)
{
    /// <summary>Deep only: files and links of the file volumes checked against the index (null for quick).</summary>
    public long? Files { get; init; }

    /// <summary>Deep only: bytes of the files whose SHA-256 matched the index.</summary>
    public long? FilesBytes { get; init; }

    /// <summary>Deep only: how the database dump was proven readable; null without a database part or when it failed.</summary>
    public string? DumpCheck { get; init; }

    /// <summary>
    /// Deep only: symbolic links whose target is absolute or leads out of the site (see <see cref="Archive.OutsideLink"/>).
    /// Not a problem: a restore writes them as they were and names them; null when no file volume was checked.
    /// </summary>
    public long? OutsideLinkCount { get; init; }
}
