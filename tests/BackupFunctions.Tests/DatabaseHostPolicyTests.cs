using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// Without Network__AllowedRanges a loopback database is refused at create time, and a stored config that leads there
/// (written before the check existed, or a name that resolves there now) fails its backup before any connection.
/// </summary>
public sealed class DatabaseHostPolicyTests(NoInternalRangesHostFixture host) : IClassFixture<NoInternalRangesHostFixture>
{
    [Fact]
    public async Task A_loopback_database_is_a_400_naming_database_host()
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", DatabaseHostApiTests.Config("127.0.0.1", sslMode: null));

        await ProblemAssert.NamesFieldAsync(response, "database.host");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Network__AllowedRanges", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost")]        // a name that resolves to loopback when the backup runs
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    public async Task A_stored_config_whose_host_leads_to_a_refused_address_fails_its_backup_without_connecting(string databaseHost)
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var configId = await PlantOldConfigAsync(databaseHost, port);

        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2));

        Assert.Equal("failed", job.GetProperty("status").GetString());
        var error = job.GetProperty("error").GetString()!;
        Assert.StartsWith($"DumpDatabase failed: Connecting to '{databaseHost}' is not allowed: ", error, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "the refused host must get no connection");
    }

    /// <summary>
    /// A config row as a version before the host check and before <c>sslMode</c> wrote it: straight into the table,
    /// its database without the sslMode field.
    /// </summary>
    private async Task<string> PlantOldConfigAsync(string databaseHost, int port)
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var stored = await catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = "planted",
            Database = new DatabaseSource { Host = databaseHost, Port = port, Database = "cms", Username = "backup" },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = "planted", Prefix = "site" },
        }, CancellationToken.None);

        var table = new TableClient(TestEnvironment.AzuriteConnectionString, host.TablePrefix + "BackupConfigs");
        var row = (await table.GetEntityAsync<TableEntity>("config", stored.Id)).Value;
        var config = JsonNode.Parse(row.GetString("Config"))!;
        config["database"]!.AsObject().Remove("sslMode");
        row["Config"] = config.ToJsonString();
        await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace);
        return stored.Id;
    }
}
