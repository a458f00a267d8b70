namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>One entry of a folder listing (LIST or MLSD).</summary>
/// <param name="Name">The name inside the folder (no '/').</param>
/// <param name="IsFolder">A folder to descend into; other entries are files.</param>
/// <param name="LastModified">UTC; as precise as the listing tells (LIST: minutes, or days for old files).</param>
internal sealed record FtpListEntry(string Name, bool IsFolder, long Size, DateTimeOffset LastModified);
