namespace BackupFunctions.Core.Archive;

/// <summary>
/// A symbolic link of a backup whose target does not stay inside the restored folder. Such links are restored as they
/// were stored (the site had them when it was backed up, as a host that links <c>uploads/</c> to shared storage does),
/// and named in the restore's result so that an operator can check that their targets exist on the new host.
/// </summary>
/// <param name="Path">'/'-separated path relative to the site root, as in the file index.</param>
/// <param name="Target">The link's target text, exactly as stored and restored.</param>
/// <param name="Reason">One of the constants below.</param>
public sealed record OutsideLink(string Path, string Target, string Reason)
{
    /// <summary>The target is an absolute path.</summary>
    public const string Absolute = "absolute";

    /// <summary>The relative target climbs out of the restored folder, or reaches another link of the backup that does.</summary>
    public const string Outside = "outside";

    /// <summary>The target does not resolve: the links of the backup form a loop (or a chain longer than the kernel follows).</summary>
    public const string Loop = "loop";

    /// <summary>How many are listed; all are counted.</summary>
    public const int MaxListed = 20;
}
