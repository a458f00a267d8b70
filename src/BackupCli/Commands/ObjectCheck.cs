namespace BackupCli.Commands;

/// <summary>The verdict on one stored object of a backup; <see cref="Error"/> is null when it passed.</summary>
internal sealed record ObjectCheck(string Name, string Kind, long StoredSize)
{
    public string? Error { get; init; }
}
