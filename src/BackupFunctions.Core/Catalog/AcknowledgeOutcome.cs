namespace BackupFunctions.Core.Catalog;

/// <summary>What <see cref="AlertsTable.AcknowledgeAsync"/> did.</summary>
public enum AcknowledgeOutcome
{
    /// <summary>There is no alert with that id.</summary>
    NotFound,

    /// <summary>The open alert is now acknowledged.</summary>
    Acknowledged,

    /// <summary>It was acknowledged before; nothing changed (acknowledging is idempotent).</summary>
    AlreadyAcknowledged,

    /// <summary>It is resolved: there is nothing left to acknowledge.</summary>
    Resolved,
}
