namespace BackupCli.Commands;

/// <summary>What <c>backupctl verify</c> found (its <c>--json</c> output).</summary>
internal sealed record VerifyReport(string BackupId, string Destination, bool ReadData)
{
    public bool Ok => Objects.All(o => o.Error is null);

    public List<ObjectCheck> Objects { get; } = [];

    /// <summary>True once the manifest's MAC was checked with the data key (whenever a key is given).</summary>
    public bool ManifestAuthentic { get; set; }

    /// <summary>Files and links checked against the index (<c>--read-data</c>).</summary>
    public long? Files { get; set; }

    public long? FilesBytes { get; set; }

    /// <summary>How the database dump was checked (<c>--read-data</c>); null without a database part.</summary>
    public string? DumpCheck { get; set; }

    /// <summary>Symbolic links whose target is absolute or leads out of the site (<c>--read-data</c>); restored as they are.</summary>
    public long? OutsideLinkCount { get; set; }
}
