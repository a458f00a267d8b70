namespace BackupFunctions.Core.Tests.Support;

/// <summary>One line of tests/fixtures/format-v1/site.tsv: an entry of the site the frozen backups hold, as find/stat saw it.</summary>
/// <param name="Type"><c>f</c> file, <c>d</c> folder, <c>l</c> symbolic link.</param>
/// <param name="Sha256">Files only.</param>
/// <param name="LinkTarget">Links only.</param>
public sealed record FormatV1SiteEntry(string Path, char Type, UnixFileMode Mode, DateTimeOffset ModifiedAt, long Size, string? Sha256, string? LinkTarget);
