namespace BackupFunctions.Core.Tests.Support;

/// <summary>One line of tests/fixtures/format-v1/backups.tsv: a frozen backup and how it was written.</summary>
/// <param name="Components">The site components it holds; empty for the whole site (or none, for <c>database</c>).</param>
public sealed record FormatV1FixtureBackup(string BackupId, string Type, string Compression, int Level, string Encryption, IReadOnlyList<string> Components)
{
    public bool HasFiles => Type is "full" or "files";

    public bool HasDatabase => Type is "full" or "database";

    public bool Encrypted => Encryption != "none";

    /// <summary>Whether the site entry at <paramref name="path"/> is in this backup.</summary>
    public bool Holds(string path) =>
        HasFiles && (Components.Count == 0 || Components.Any(c => path == c || path.StartsWith(c + "/", StringComparison.Ordinal)));

    public override string ToString() => $"{BackupId} ({Type}, {Compression} level {Level}, encryption {Encryption})";
}
