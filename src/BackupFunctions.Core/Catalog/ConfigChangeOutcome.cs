namespace BackupFunctions.Core.Catalog;

/// <summary>How a replace or delete of a config ended.</summary>
public enum ConfigChangeOutcome
{
    /// <summary>Replaced or deleted.</summary>
    Changed,

    /// <summary>There is no config with that id.</summary>
    NotFound,

    /// <summary>The config changed since the version the editor read (HTTP 412); nothing was written.</summary>
    Stale,
}
