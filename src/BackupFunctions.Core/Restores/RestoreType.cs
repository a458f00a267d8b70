namespace BackupFunctions.Core.Restores;

/// <summary>What a restore brings back (the API's <c>type</c>: full, database, files, selective).</summary>
public enum RestoreType
{
    Full,
    Database,
    Files,

    /// <summary>Only the <see cref="RestoreOptions.SelectiveItems"/>; everything else of the target is left as it is.</summary>
    Selective,
}
