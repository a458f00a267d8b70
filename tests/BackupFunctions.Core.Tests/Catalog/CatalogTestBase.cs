using System.Security.Cryptography;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Catalog;

/// <summary>A catalog on Azurite with its own tables (a fresh prefix per test), deleted afterwards.</summary>
public abstract class CatalogTestBase : IAsyncLifetime
{
    protected CatalogTestBase()
    {
        Prefix = "t" + RandomNumberGenerator.GetHexString(10, lowercase: true);
        Service = new TableServiceClient(TestEnvironment.AzuriteConnectionString);
        Time = new FakeTimeProvider(DateTimeOffset.Parse("2026-02-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Catalog = new BackupCatalog(Service, Prefix, Time);
    }

    protected string Prefix { get; }
    protected TableServiceClient Service { get; }
    protected FakeTimeProvider Time { get; }
    protected BackupCatalog Catalog { get; }

    protected TableClient ConfigsTable => Service.GetTableClient(Prefix + "BackupConfigs");
    protected TableClient JobsTable => Service.GetTableClient(Prefix + "BackupJobs");
    protected TableClient BackupsTable => Service.GetTableClient(Prefix + "Backups");
    protected TableClient RestoreJobRows => Service.GetTableClient(Prefix + "RestoreJobs");

    /// <summary>Tables a test made beside the catalog's, deleted with them.</summary>
    protected List<TableClient> ExtraTables { get; } = [];

    public Task InitializeAsync() => Catalog.EnsureCreatedAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        foreach (var name in new[] { "BackupConfigs", "BackupStorage", "BackupJobs", "Backups", "BackupAlerts", "RestoreJobs", "RestoreDrills" })
            await Service.GetTableClient(Prefix + name).DeleteAsync();
        foreach (var table in ExtraTables)
            await table.DeleteAsync();
    }
}
