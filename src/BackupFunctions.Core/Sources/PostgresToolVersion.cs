namespace BackupFunctions.Core.Sources;

/// <summary>
/// What one PostgreSQL client tool said about itself: where it is, its version (from <c>--version</c>) and major,
/// or why it could not tell (<see cref="Error"/>; then <see cref="Version"/> and <see cref="Major"/> are null).
/// </summary>
/// <param name="Tool">pg_dump or pg_restore.</param>
/// <param name="Path">The file that was run: the full path where it was found (in Postgres:BinDirectory or on PATH), else the name tried.</param>
/// <param name="Version">As the tool prints it, e.g. <c>16.4</c>.</param>
/// <param name="Major">The major version, e.g. 16.</param>
/// <param name="Error">Why no version is known (not found, would not start, no version in its output).</param>
public sealed record PostgresToolVersion(string Tool, string Path, string? Version, int? Major, string? Error)
{
    public bool Found => Major is not null;
}
