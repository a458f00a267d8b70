namespace BackupFunctions.Core.Keys;

/// <summary>Which key-encryption key wraps the backups' data keys (settings section <c>Keys</c>).</summary>
public sealed class KeyOptions
{
    public const string SectionName = "Keys";

    /// <summary>Path of the local key file (32 random bytes, base64). Make one with run.sh or LocalKeyFileKek.Create.</summary>
    public string LocalKeyFile { get; set; } = "";
}
