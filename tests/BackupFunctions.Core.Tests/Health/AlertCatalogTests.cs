using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Tests.Health;

/// <summary>The alerts section of the catalog on Azurite: raise once while open, acknowledge, resolve, list.</summary>
public sealed class AlertCatalogTests : HealthTestBase
{
    private BackupAlert Alert(string type, string configId, string severity = "high", string? subject = null) => new()
    {
        Id = AlertTypes.IdFor(type, configId, subject),
        Type = type,
        Severity = severity,
        ConfigId = configId,
        Message = $"{type} of {configId}",
        CreatedAt = Time.GetUtcNow(),
    };

    [Fact]
    public async Task The_same_alert_is_new_once_while_open_and_new_again_after_it_was_resolved()
    {
        var first = await Catalog.Alerts.RaiseAsync(Alert(AlertTypes.BackupFailed, "cfg-a"), default);
        Time.Advance(TimeSpan.FromHours(1));
        var second = await Catalog.Alerts.RaiseAsync(Alert(AlertTypes.BackupFailed, "cfg-a", "critical"), default);

        Assert.True(first.IsNew);
        Assert.False(second.IsNew);
        var stored = (await Catalog.Alerts.GetAsync(first.Alert.Id, default))!;
        Assert.Equal(("critical", 2, T0, T0.AddHours(1), "open"), (stored.Severity, stored.Occurrences, stored.CreatedAt, stored.LastSeenAt!.Value, stored.Status));

        var resolved = await Catalog.Alerts.ResolveAsync(stored.Id, default);
        Assert.Equal(T0.AddHours(1), resolved!.ResolvedAt);
        Assert.Null(await Catalog.Alerts.ResolveAsync(stored.Id, default));
        Assert.Null(await Catalog.Alerts.ResolveAsync("backup_failed_nothing", default));

        Time.Advance(TimeSpan.FromHours(1));
        var third = await Catalog.Alerts.RaiseAsync(Alert(AlertTypes.BackupFailed, "cfg-a"), default);
        Assert.True(third.IsNew);
        Assert.Equal((T0.AddHours(2), 1, "open"), (third.Alert.CreatedAt, third.Alert.Occurrences, third.Alert.Status));
        Assert.Null((await Catalog.Alerts.GetAsync(stored.Id, default))!.ResolvedAt);
    }

    [Fact]
    public async Task Concurrent_raises_of_one_alert_make_exactly_one_new_alert()
    {
        var raises = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Catalog.Alerts.RaiseAsync(Alert(AlertTypes.StorageFull, "cfg-b"), default)));
        Assert.Single(raises, r => r.IsNew);
        Assert.Equal(8, (await Catalog.Alerts.GetAsync(raises[0].Alert.Id, default))!.Occurrences);
    }

    [Fact]
    public async Task Acknowledge_goes_from_open_to_acknowledged_idempotently_and_not_from_resolved()
    {
        var id = (await Catalog.Alerts.RaiseAsync(Alert(AlertTypes.BackupFailed, "cfg-c"), default)).Alert.Id;
        Time.Advance(TimeSpan.FromMinutes(10));

        var (outcome, alert) = await Catalog.Alerts.AcknowledgeAsync(id, "ops@example.org", "restarting the DB", default);
        Assert.Equal(AcknowledgeOutcome.Acknowledged, outcome);
        var stored = (await Catalog.Alerts.GetAsync(id, default))!;
        Assert.Equal(alert, stored);
        Assert.Equal(("acknowledged", T0.AddMinutes(10), "ops@example.org", "restarting the DB"),
            (stored.Status, stored.AcknowledgedAt!.Value, stored.AcknowledgedBy, stored.AcknowledgementNote));

        Time.Advance(TimeSpan.FromMinutes(10));
        var (again, same) = await Catalog.Alerts.AcknowledgeAsync(id, "someone else", null, default);
        Assert.Equal(AcknowledgeOutcome.AlreadyAcknowledged, again);
        Assert.Equal(stored, same);
        Assert.Equal(stored, await Catalog.Alerts.GetAsync(id, default));

        // Raising it again while acknowledged keeps it acknowledged and not new.
        var raised = await Catalog.Alerts.RaiseAsync(Alert(AlertTypes.BackupFailed, "cfg-c", "critical"), default);
        Assert.False(raised.IsNew);
        Assert.Equal(("acknowledged", "critical", "ops@example.org"), (raised.Alert.Status, raised.Alert.Severity, raised.Alert.AcknowledgedBy));

        await Catalog.Alerts.ResolveAsync(id, default);
        Assert.Equal(AcknowledgeOutcome.Resolved, (await Catalog.Alerts.AcknowledgeAsync(id, null, null, default)).Outcome);
        Assert.Equal(AcknowledgeOutcome.NotFound, (await Catalog.Alerts.AcknowledgeAsync("backup_failed_cfg-unknown", null, null, default)).Outcome);
        Assert.Equal(AcknowledgeOutcome.NotFound, (await Catalog.Alerts.AcknowledgeAsync("no/such#id", null, null, default)).Outcome);
    }

    [Fact]
    public async Task Listing_filters_by_status_config_and_severity_newest_first_in_pages()
    {
        var ids = new List<string>();
        foreach (var (type, config, severity) in new[]
        {
            (AlertTypes.BackupFailed, "cfg-1", "high"),
            (AlertTypes.StorageFull, "cfg-1", "critical"),
            (AlertTypes.BackupOverdue, "cfg-2", "medium"),
            (AlertTypes.BackupFailed, "cfg-2", "critical"),
            (AlertTypes.BackupOverdue, "cfg-1", "medium"),
        })
        {
            ids.Add((await Catalog.Alerts.RaiseAsync(Alert(type, config, severity), default)).Alert.Id);
            Time.Advance(TimeSpan.FromMinutes(1));
        }
        await Catalog.Alerts.ResolveAsync(ids[1], default);
        await Catalog.Alerts.AcknowledgeAsync(ids[3], null, null, default);

        async Task<List<string>> ListAsync(AlertQuery query, int pageSize = 100)
        {
            var all = new List<string>();
            string? token = null;
            do
            {
                var page = await Catalog.Alerts.ListAsync(query, pageSize, token, default);
                Assert.True(page.Items.Count <= pageSize);
                all.AddRange(page.Items.Select(a => a.Id));
                token = page.ContinuationToken;
            }
            while (token is not null);
            return all;
        }

        Assert.Equal([ids[4], ids[3], ids[2], ids[1], ids[0]], await ListAsync(new AlertQuery(), pageSize: 2));
        Assert.Equal([ids[4], ids[2], ids[0]], await ListAsync(new AlertQuery { Status = AlertStatuses.Open }));
        Assert.Equal([ids[3]], await ListAsync(new AlertQuery { Status = AlertStatuses.Acknowledged }));
        Assert.Equal([ids[1]], await ListAsync(new AlertQuery { Status = AlertStatuses.Resolved }));
        Assert.Equal([ids[4], ids[1], ids[0]], await ListAsync(new AlertQuery { ConfigId = "cfg-1" }));
        Assert.Equal([ids[3], ids[1]], await ListAsync(new AlertQuery { Severity = AlertSeverities.Critical }));
        Assert.Equal([ids[4]], await ListAsync(new AlertQuery { ConfigId = "cfg-1", Severity = "medium", Status = "open" }));
        Assert.Empty(await ListAsync(new AlertQuery { ConfigId = "cfg-' or Status eq 'open" }));

        var unresolved = new List<string>();
        await foreach (var alert in Catalog.Alerts.UnresolvedAsync(default))
            unresolved.Add(alert.Id);
        Assert.Equal(new[] { ids[0], ids[2], ids[3], ids[4] }.Order(StringComparer.Ordinal), unresolved);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Catalog.Alerts.ListAsync(new AlertQuery(), 2, "not-a-token", default));
        Assert.Equal("continuationToken", e.ParamName);
    }
}
