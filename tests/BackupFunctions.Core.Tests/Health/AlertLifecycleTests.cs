using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Tests.Health;

public sealed class AlertLifecycleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 8, 0, 0, TimeSpan.Zero);

    private static BackupAlert Alert(string severity = "high", string message = "m1", DateTimeOffset? at = null) => new()
    {
        Id = "backup_failed_cfg-1",
        Type = AlertTypes.BackupFailed,
        Severity = severity,
        ConfigId = "cfg-1",
        Message = message,
        CreatedAt = at ?? T0,
    };

    [Fact]
    public void A_first_raise_opens_a_new_alert()
    {
        var (alert, isNew) = AlertLifecycle.Raise(null, Alert(), T0);
        Assert.True(isNew);
        Assert.Equal(AlertStatuses.Open, alert.Status);
        Assert.Equal(1, alert.Occurrences);
        Assert.Equal(T0, alert.CreatedAt);
        Assert.Equal(T0, alert.LastSeenAt);
    }

    [Theory]
    [InlineData(AlertStatuses.Open)]
    [InlineData(AlertStatuses.Acknowledged)]
    public void Raising_an_unresolved_alert_again_only_updates_it(string status)
    {
        var existing = AlertLifecycle.Raise(null, Alert(), T0).Alert with
        {
            Status = status,
            Occurrences = 2,
            AcknowledgedAt = status == AlertStatuses.Acknowledged ? T0.AddMinutes(5) : null,
            AcknowledgedBy = status == AlertStatuses.Acknowledged ? "ops" : null,
        };
        var later = T0.AddHours(2);
        var (alert, isNew) = AlertLifecycle.Raise(existing, Alert("critical", "m2", later), later);

        Assert.False(isNew);
        Assert.Equal(status, alert.Status);
        Assert.Equal("critical", alert.Severity);
        Assert.Equal("m2", alert.Message);
        Assert.Equal(T0, alert.CreatedAt);
        Assert.Equal(later, alert.LastSeenAt);
        Assert.Equal(3, alert.Occurrences);
        Assert.Equal(existing.AcknowledgedBy, alert.AcknowledgedBy);
    }

    [Fact]
    public void Raising_a_resolved_alert_opens_it_anew()
    {
        var old = AlertLifecycle.Raise(null, Alert(), T0).Alert with
        {
            Status = AlertStatuses.Resolved,
            ResolvedAt = T0.AddHours(1),
            AcknowledgedAt = T0.AddMinutes(1),
            AcknowledgedBy = "ops",
            Occurrences = 7,
        };
        var later = T0.AddDays(1);
        var (alert, isNew) = AlertLifecycle.Raise(old, Alert(at: later), later);
        Assert.True(isNew);
        Assert.Equal(AlertStatuses.Open, alert.Status);
        Assert.Equal(later, alert.CreatedAt);
        Assert.Equal(1, alert.Occurrences);
        Assert.Null(alert.ResolvedAt);
        Assert.Null(alert.AcknowledgedAt);
        Assert.Null(alert.AcknowledgedBy);
    }

    [Fact]
    public void Acknowledge_moves_open_to_acknowledged_once()
    {
        var open = AlertLifecycle.Raise(null, Alert(), T0).Alert;
        var (outcome, acknowledged) = AlertLifecycle.Acknowledge(open, "ops", "looking", T0.AddMinutes(3));
        Assert.Equal(AcknowledgeOutcome.Acknowledged, outcome);
        Assert.Equal(AlertStatuses.Acknowledged, acknowledged!.Status);
        Assert.Equal(T0.AddMinutes(3), acknowledged.AcknowledgedAt);
        Assert.Equal("ops", acknowledged.AcknowledgedBy);
        Assert.Equal("looking", acknowledged.AcknowledgementNote);

        var (again, same) = AlertLifecycle.Acknowledge(acknowledged, "someone else", null, T0.AddMinutes(9));
        Assert.Equal(AcknowledgeOutcome.AlreadyAcknowledged, again);
        Assert.Equal(acknowledged, same);
    }

    [Fact]
    public void A_resolved_or_missing_alert_cannot_be_acknowledged()
    {
        var resolved = AlertLifecycle.Resolve(AlertLifecycle.Raise(null, Alert(), T0).Alert, T0.AddHours(1))!;
        Assert.Equal(AcknowledgeOutcome.Resolved, AlertLifecycle.Acknowledge(resolved, "ops", null, T0.AddHours(2)).Outcome);
        Assert.Equal((AcknowledgeOutcome.NotFound, (BackupAlert?)null), AlertLifecycle.Acknowledge(null, "ops", null, T0));
    }

    [Fact]
    public void Resolve_closes_open_and_acknowledged_alerts_and_leaves_resolved_ones()
    {
        var open = AlertLifecycle.Raise(null, Alert(), T0).Alert;
        var resolved = AlertLifecycle.Resolve(open, T0.AddHours(1));
        Assert.Equal(AlertStatuses.Resolved, resolved!.Status);
        Assert.Equal(T0.AddHours(1), resolved.ResolvedAt);
        Assert.Equal(AlertStatuses.Resolved, AlertLifecycle.Resolve(open with { Status = AlertStatuses.Acknowledged }, T0)!.Status);
        Assert.Null(AlertLifecycle.Resolve(resolved, T0.AddHours(2)));
        Assert.Null(AlertLifecycle.Resolve(null, T0));
    }
}
