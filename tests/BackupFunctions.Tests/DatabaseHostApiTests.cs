using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// <c>database.host</c> and <c>database.sslMode</c> through the API: a host the network policy refuses never gets a
/// config, and TLS words other than the three known ones are refused naming the field.
/// </summary>
public sealed class DatabaseHostApiTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Theory]
    [InlineData("169.254.169.254")]      // cloud metadata (IMDS)
    [InlineData("168.63.129.16")]        // Azure's wire server
    [InlineData("fd00:ec2::254")]        // AWS metadata over IPv6
    [InlineData("169.254.10.20")]        // link-local
    [InlineData("/var/run/postgresql")]  // a Unix socket folder: would reach whatever listens there
    [InlineData("db1.example.com,127.0.0.1")] // a host list: the tools would try each
    [InlineData("[::1]")]
    public async Task A_database_host_the_policy_refuses_is_a_400_naming_database_host(string databaseHost)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", Config(databaseHost, sslMode: null));

        await ProblemAssert.NamesFieldAsync(response, "database.host");
    }

    [Theory]
    [InlineData("VerifyFull")]
    [InlineData("prefer")]
    [InlineData("verify-ca")]
    [InlineData("")]
    public async Task An_sslMode_other_than_the_three_words_is_a_400_naming_database_sslMode(string sslMode)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", Config("db.example.com", sslMode));

        await ProblemAssert.NamesFieldAsync(response, "database.sslMode");
    }

    [Theory]
    [InlineData(null, "verify-full")]
    [InlineData("verify-full", "verify-full")]
    [InlineData("require", "require")]
    [InlineData("disable", "disable")]
    public async Task A_config_keeps_its_sslMode_and_defaults_to_verify_full(string? sslMode, string stored)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", Config("db.example.com", sslMode));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        Assert.Equal(stored, JsonDocument.Parse(body).RootElement.GetProperty("database").GetProperty("sslMode").GetString());
    }

    internal static object Config(string databaseHost, string? sslMode) => new
    {
        name = "db host",
        database = sslMode is null
            ? (object)new { host = databaseHost, port = 5432, database = "cms", username = "backup" }
            : new { host = databaseHost, port = 5432, database = "cms", username = "backup", sslMode },
        schedule = new { frequency = "manual" },
        storage = new { type = "local", path = "dbhost" },
    };

}
