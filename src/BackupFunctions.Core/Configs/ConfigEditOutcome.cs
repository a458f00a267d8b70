namespace BackupFunctions.Core.Configs;

/// <summary>The end of a config edit, as the API answers it.</summary>
public enum ConfigEditOutcome
{
    /// <summary>Created (201), replaced or deleted (200).</summary>
    Done,

    /// <summary>A field is not valid (400 naming it).</summary>
    Invalid,

    /// <summary>No such config (404).</summary>
    NotFound,

    /// <summary>The config changed since the editor read it (412).</summary>
    Stale,

    /// <summary>Jobs of the config are running (409).</summary>
    Busy,
}
