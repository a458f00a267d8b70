using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Catalog;

/// <summary>Where a restore job is. Serialized as pending, running, completed, failed, cancelled, rolled_back.</summary>
public enum RestoreJobStatus
{
    Pending,
    Running,
    Completed,

    /// <summary>Failed, and even the rollback could not put the site back (or it failed before anything live changed).</summary>
    Failed,

    /// <summary>Stopped on request before anything live changed.</summary>
    Cancelled,

    /// <summary>Failed or cancelled after the live site was touched, and put back as it was before.</summary>
    [JsonStringEnumMemberName("rolled_back")]
    RolledBack,
}
