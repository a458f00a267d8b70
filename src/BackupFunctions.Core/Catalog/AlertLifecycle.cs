namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The pure rules of an alert's life, applied by <see cref="BackupCatalog"/> to the stored row:
/// <list type="bullet">
/// <item>Raise: no row, or a resolved one → a new open alert (<see cref="RaisedAlert.IsNew"/>). An open or
/// acknowledged row → the same alert with the new message and severity, <see cref="BackupAlert.LastSeenAt"/> moved and
/// <see cref="BackupAlert.Occurrences"/> counted up; its status, creation and acknowledgement stay.</item>
/// <item>Acknowledge: open → acknowledged; acknowledged stays as it is; resolved cannot be acknowledged.</item>
/// <item>Resolve: open or acknowledged → resolved; a resolved alert stays as it was.</item>
/// </list>
/// </summary>
public static class AlertLifecycle
{
    public static RaisedAlert Raise(BackupAlert? existing, BackupAlert raised, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(raised);
        if (existing is null || !AlertStatuses.IsUnresolved(existing.Status))
        {
            return new RaisedAlert(raised with
            {
                Status = AlertStatuses.Open,
                LastSeenAt = now,
                Occurrences = 1,
                AcknowledgedAt = null,
                AcknowledgedBy = null,
                AcknowledgementNote = null,
                ResolvedAt = null,
            }, IsNew: true);
        }
        return new RaisedAlert(existing with
        {
            Severity = raised.Severity,
            Message = raised.Message,
            BackupId = raised.BackupId ?? existing.BackupId,
            Destination = raised.Destination ?? existing.Destination,
            LastSeenAt = now,
            Occurrences = existing.Occurrences + 1,
        }, IsNew: false);
    }

    /// <returns>The outcome, and the alert as it is to be stored (null when <paramref name="existing"/> is null).</returns>
    public static (AcknowledgeOutcome Outcome, BackupAlert? Alert) Acknowledge(BackupAlert? existing, string? by, string? note, DateTimeOffset now) => existing switch
    {
        null => (AcknowledgeOutcome.NotFound, null),
        { Status: AlertStatuses.Resolved } => (AcknowledgeOutcome.Resolved, existing),
        { Status: AlertStatuses.Acknowledged } => (AcknowledgeOutcome.AlreadyAcknowledged, existing),
        _ => (AcknowledgeOutcome.Acknowledged, existing with
        {
            Status = AlertStatuses.Acknowledged,
            AcknowledgedAt = now,
            AcknowledgedBy = by,
            AcknowledgementNote = note,
        }),
    };

    /// <returns>The resolved alert, or null when there is nothing to resolve (no alert, or resolved already).</returns>
    public static BackupAlert? Resolve(BackupAlert? existing, DateTimeOffset now)
        => existing is not null && AlertStatuses.IsUnresolved(existing.Status)
            ? existing with { Status = AlertStatuses.Resolved, ResolvedAt = now }
            : null;
}
