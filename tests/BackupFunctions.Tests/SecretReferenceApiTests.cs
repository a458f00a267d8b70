using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// A secret given by reference — a storage location's secret, database.passwordSetting, a webhook secret — may name
/// only an app setting BackupSecrets__NAME. The app's own settings (Keys:TransitKey, Secrets:SealingKey,
/// AzureWebJobsStorage, another config's password) are refused when posted, and a row written before the rule that
/// names one does not resolve: its value never reaches the host the caller chose.
/// </summary>
public sealed class SecretReferenceApiTests(SecretReferenceHostFixture host) : IClassFixture<SecretReferenceHostFixture>
{
    private static readonly string[] ForbiddenNames =
    [
        "Keys:TransitKey", "Secrets:SealingKey", "AzureWebJobsStorage", "DEMO_DB_PASSWORD", "Keys__TransitKey", "BackupSecrets__A__B", "BackupSecrets",
    ];

    public static TheoryData<string, string> ForbiddenReferences()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in ForbiddenNames)
        {
            foreach (var target in new[] { "storage", "database", "webhook", "webhook-protected" })
                data.Add(target, name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ForbiddenReferences))]
    public async Task A_reference_to_a_setting_outside_BackupSecrets_is_refused_naming_the_field_and_nothing_is_stored(string target, string name)
    {
        var (route, body, field) = target switch
        {
            "storage" => ("api/backup-storage", (object)new
            {
                name = "ftp", type = "ftp",
                settings = new { host = FtpTestServer.Host, port = FtpTestServer.Port, user = FtpTestServer.User, path = FtpTestServer.BasePath },
                secrets = new { password = new { setting = name } },
            }, "secrets.password"),
            "database" => ("api/backup-configs", Config(database: new
            {
                host = TestEnvironment.PostgresHost, port = TestEnvironment.PostgresPort, database = "cms", username = "postgres", passwordSetting = name,
            }), "database.passwordSetting"),
            "webhook" => ("api/backup-configs", Config(webhook: new { url = "https://hooks.example.com/x", secret = new { setting = name } }),
                "notifications.webhooks[0].secret"),
            _ => ("api/backup-configs", Config(webhook: new { url = "https://hooks.example.com/x", protectedSecret = "setting:" + name }),
                "notifications.webhooks[0].protectedSecret"),
        };
        var before = await CountRowsAsync();

        using var response = await host.Http.PostAsJsonAsync(route, body);
        var messages = await ProblemAssert.NamesFieldAsync(response, field);
        Assert.Contains("BackupSecrets__NAME", messages[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountRowsAsync());
    }

    [Fact]
    public async Task Sftp_and_ftp_passwords_from_BackupSecrets_pass_the_connection_test_against_the_real_servers()
    {
        var sftp = await host.CreateStorageAsync(new
        {
            name = "sftp", type = "sftp",
            settings = new { host = SftpServer.Host, port = SftpServer.Port, user = SftpServer.User, path = TestEnvironment.UniqueName("refs"), hostKeyFingerprint = SftpServer.HostKey },
            secrets = new { password = new { setting = SecretReferenceHostFixture.SftpPasswordReference } },
        });
        var ftp = await host.CreateStorageAsync(new
        {
            name = "ftp", type = "ftp",
            settings = new { host = FtpTestServer.Host, port = FtpTestServer.Port, user = FtpTestServer.User, path = FtpTestServer.BasePath },
            secrets = new { password = new { setting = SecretReferenceHostFixture.FtpPasswordReference } },
        });

        foreach (var id in new[] { sftp, ftp })
        {
            using var test = await host.Http.PostAsync($"api/backup-storage/{id}/test", null);
            var result = await test.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        }
        // Kept in the app-setting form, whichever spelling was posted.
        var location = await Catalog.StorageLocations.GetAsync(ftp, default);
        Assert.Equal("setting:BackupSecrets__TEST_FTP_PASSWORD", location!.Secrets["password"]);
    }

    [Fact]
    public async Task A_database_password_from_BackupSecrets_is_used_for_the_backup()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("refs"));
        try
        {
            var configId = await host.CreateConfigAsync(new
            {
                name = "db with password setting",
                database = new { host = db.Host, port = db.Port, database = db.Database, username = db.Username, passwordSetting = SecretReferenceHostFixture.DatabasePasswordReference },
                schedule = new { frequency = "manual" },
                storage = new { type = "local", path = "refs-" + Guid.NewGuid().ToString("N")[..8] },
            });

            var job = await BackupAsync(configId);

            Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(db.Database);
        }
    }

    [Theory]
    [InlineData("Secrets:SealingKey")]
    [InlineData("Keys:TransitKey")]
    [InlineData("DEMO_DB_PASSWORD")]
    public async Task A_location_stored_before_the_rule_with_a_forbidden_reference_never_sends_that_setting(string setting)
    {
        // What the location's FTP server (the caller's choice) is told goes through a recording relay to the real vsftpd.
        await using var relay = new TcpForwarder(FtpTestServer.Host, FtpTestServer.Port);
        var location = await Catalog.StorageLocations.CreateAsync((id, now) => new StorageLocation
        {
            Id = id,
            Name = "planted",
            Type = StorageTypes.Ftp,
            Settings = new Dictionary<string, string>
            {
                ["host"] = "127.0.0.1", ["port"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["user"] = FtpTestServer.User, ["path"] = FtpTestServer.BasePath,
            },
            // As an earlier version stored a reference: "setting:" and any name.
            Secrets = new Dictionary<string, string> { ["password"] = "setting:" + setting },
            CreatedAt = now,
        }, default);

        using var test = await host.Http.PostAsync($"api/backup-storage/{location.Id}/test", null);
        var result = await test.Content.ReadFromJsonAsync<JsonElement>();

        // First what matters: the server never heard the app's setting (nor any other of its secrets).
        foreach (var secret in new[] { host.SealingKey, host.TransitKey, host.OutsidePassword })
        {
            Assert.DoesNotContain(secret, relay.ClientText, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, result.ToString(), StringComparison.Ordinal);
        }
        Assert.Equal(0, relay.Accepted);
        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        var failed = result.GetProperty("failedStep");
        Assert.Equal("configure", failed.GetProperty("step").GetString());
        var error = failed.GetProperty("error").GetString()!;
        Assert.Contains($"'{setting}'", error, StringComparison.Ordinal);
        Assert.Contains("BackupSecrets__NAME", error, StringComparison.Ordinal);
        Assert.Contains("post the storage location again", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_stored_before_the_rule_with_a_forbidden_password_setting_fails_with_what_to_do()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("refs"));
        try
        {
            var stored = await Catalog.Configs.CreateAsync(new BackupConfig
            {
                Name = "planted",
                Database = new DatabaseSource { Host = db.Host, Port = db.Port, Database = db.Database, Username = db.Username, PasswordSetting = "DEMO_DB_PASSWORD" },
                Schedule = new BackupSchedule { Frequency = "manual" },
                Storage = new StorageDestination { Type = "local", Path = "planted-" + Guid.NewGuid().ToString("N")[..8] },
            }, default);

            var job = await BackupAsync(stored.Id);

            Assert.True(job.GetProperty("status").GetString() == "failed", job.ToString());
            var error = job.GetProperty("error").GetString()!;
            Assert.Contains("'DEMO_DB_PASSWORD'", error, StringComparison.Ordinal);
            Assert.Contains("BackupSecrets__NAME", error, StringComparison.Ordinal);
            Assert.Contains("post the config again", error, StringComparison.Ordinal);
            Assert.DoesNotContain(host.OutsidePassword, job.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(host.OutsidePassword, StringComparison.Ordinal));
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(db.Database);
        }
    }

    private BackupCatalog Catalog => host.Host.Services.GetRequiredService<BackupCatalog>();

    private object Config(object? database = null, object? webhook = null) => new
    {
        name = "refs",
        database,
        files = database is null ? new { root = Directory.CreateDirectory(host.Scratch("site")).FullName } : null,
        schedule = new { frequency = "manual" },
        storage = new { type = "local", path = "refs" },
        notifications = webhook is null ? null : new { webhooks = new[] { webhook } },
    };

    private async Task<JsonElement> BackupAsync(string configId)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        return await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
    }

    private async Task<(int Configs, int Locations)> CountRowsAsync()
    {
        var configs = 0;
        await foreach (var _ in Catalog.Configs.AllAsync(default))
            configs++;
        var locations = 0;
        string? token = null;
        do
        {
            var page = await Catalog.StorageLocations.ListAsync(100, token, default);
            locations += page.Items.Count;
            token = page.ContinuationToken;
        }
        while (token is not null);
        return (configs, locations);
    }
}
