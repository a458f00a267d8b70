using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Catalog;

/// <summary>One copy of a backup: the primary (index 0) or a replica (index 1… in the config's order).</summary>
/// <param name="Type">The destination type (local, azureBlob, s3, …).</param>
/// <param name="Location">Where it is, without secrets (e.g. <c>s3://bucket</c>).</param>
/// <param name="ManifestName">The manifest's object name in that destination.</param>
public sealed record BackupLocation(string Type, string Location, string ManifestName, bool Primary)
{
    public int Index { get; init; }

    /// <summary>The storage location (<c>stg-…</c>), or null for an inline destination.</summary>
    public string? StorageId { get; init; }

    /// <summary>The destination as the config named it when the backup was made (a retried copy goes to the same place).</summary>
    public Configs.StorageDestination? Destination { get; init; }

    /// <summary><c>ok</c> (the copy is complete) or <c>failed</c> (the copy could not be made; see <see cref="Error"/>).</summary>
    public string Status { get; init; } = "ok";

    public string? Error { get; init; }

    /// <summary>The latest verification of this copy (quick after every backup; deep on demand or on schedule).</summary>
    public VerificationResult? LastVerification { get; init; }

    /// <summary>When this copy was last deep-verified; the verification schedule takes the oldest first.</summary>
    public DateTimeOffset? LastDeepVerifiedAt { get; init; }
}
