namespace BackupFunctions.Core.Restores;

/// <summary>The database side of a preview: one row per table in the backup, the live database or both.</summary>
/// <param name="LiveServerVersion">The live server's version (<c>server_version</c>); null when the database does not exist.</param>
/// <param name="BackupServerVersion">The version of the server the dump came from (manifest).</param>
/// <param name="DatabaseExists">False: the database would be created.</param>
public sealed record DatabasePreview(string? LiveServerVersion, string BackupServerVersion, bool DatabaseExists, IReadOnlyList<TablePreview> Tables);
