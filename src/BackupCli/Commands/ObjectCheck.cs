namespace BackupCli.Commands;

/// <summary>The verdict on one stored object of a backup; <see cref="Error"/> is null when it passed.</summary>
/// <param name="Name">The part's name in the backup, or <c>&lt;backup&gt;/&lt;part&gt;</c> for a volume of an earlier backup an incremental one references.</param>
internal sealed record ObjectCheck(string Name, string Kind, long StoredSize)
{
    public string? Error { get; init; }
}
