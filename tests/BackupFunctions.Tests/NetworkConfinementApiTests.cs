using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Storage.S3;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// With <c>Network__AllowedRanges</c> empty (the deployed default): storage endpoints and webhook URLs naming loopback
/// or private addresses are refused at create time naming the field, and a location that names them anyway (a row an
/// older version wrote, or a name that resolves inward only later) is refused at connect time with nothing sent,
/// against the real servers behind counting forwarders.
/// </summary>
public sealed class NetworkConfinementApiTests(PublicOnlyHostFixture host) : IClassFixture<PublicOnlyHostFixture>
{
    public static TheoryData<string, string> LoopbackLocations => new()
    {
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a","endpoint":"http://127.0.0.1:7480"},"secrets":{"secretAccessKey":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"gcs","settings":{"bucket":"b","accessId":"a","endpoint":"http://localhost:7480"},"secrets":{"hmacSecret":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a","endpoint":"http://10.1.2.3"},"secrets":{"secretAccessKey":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a","endpoint":"https://s3.example.com:0"},"secrets":{"secretAccessKey":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"sftp","settings":{"host":"127.0.0.1","user":"u","hostKeyFingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"},"secrets":{"password":"p"}}""", "settings.host" },
        { """{"name":"x","type":"sftp","settings":{"host":"[::1]","user":"u","hostKeyFingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"},"secrets":{"password":"p"}}""", "settings.host" },
        { """{"name":"x","type":"ftp","settings":{"host":"localhost","user":"u"},"secrets":{"password":"p"}}""", "settings.host" },
        { """{"name":"x","type":"ftp","settings":{"host":"192.168.1.10","user":"u"},"secrets":{"password":"p"}}""", "settings.host" },
        { """{"name":"x","type":"ftp","settings":{"host":"ftp.example.org:21","user":"u"},"secrets":{"password":"p"}}""", "settings.host" },
    };

    [Theory]
    [MemberData(nameof(LoopbackLocations))]
    public async Task A_location_naming_a_loopback_or_private_address_is_refused_naming_the_field(string body, string field)
    {
        using var response = await host.Http.PostAsync("api/backup-storage", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/hook")]
    [InlineData("https://10.0.0.5/hook")]
    [InlineData("https://[::1]/hook")]
    public async Task A_webhook_naming_a_loopback_or_private_address_is_refused_naming_the_field(string url)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", new
        {
            name = "site",
            files = new { root = "/var/www/site", components = new[] { "uploads" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "site" },
            notifications = new { webhooks = new[] { new { url } } },
        });
        await ProblemAssert.NamesFieldAsync(response, "notifications.webhooks[0].url");
    }

    public static TheoryData<string> Types => new() { "s3", "sftp", "ftp" };

    [Theory]
    [MemberData(nameof(Types))]
    public async Task A_planted_location_at_a_loopback_address_is_refused_at_connect_time_with_nothing_sent(string type)
    {
        // As a version without the create-time check wrote it: straight into the catalog.
        var (targetHost, targetPort) = Target(type);
        await using var forwarder = new TcpForwarder(targetHost, targetPort);
        var id = await PlantAsync(type, "127.0.0.1", forwarder.Port);

        var failed = await FailedStepAsync(id);

        Assert.Equal("notAllowed", failed.GetProperty("kind").GetString());
        Assert.Equal(0, forwarder.Accepted);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public async Task A_host_name_that_resolves_inward_passes_create_time_and_is_refused_at_connect_time(string type)
    {
        var (targetHost, targetPort) = Target(type);
        await using var forwarder = new TcpForwarder(targetHost, targetPort);
        var name = RebindingNames.Any();
        var id = await host.CreateStorageAsync(Location(type, name, forwarder.Port));

        var failed = await FailedStepAsync(id);

        Assert.Equal("notAllowed", failed.GetProperty("kind").GetString());
        Assert.Equal(0, forwarder.Accepted);
    }

    private static (string Host, int Port) Target(string type) => type switch
    {
        "s3" => (new Uri(CephRgw.Endpoint).Host, new Uri(CephRgw.Endpoint).Port),
        "sftp" => (SftpServer.Host, SftpServer.Port),
        _ => (FtpTestServer.Host, FtpTestServer.Port),
    };

    private static object Location(string type, string hostName, int port) => type switch
    {
        "s3" => new
        {
            name = "rebound", type,
            settings = new { bucket = "anybucket", endpoint = $"http://{hostName}:{port}", pathStyle = true, accessKeyId = CephRgw.AccessKey },
            secrets = new { secretAccessKey = CephRgw.SecretKey },
        },
        "sftp" => new
        {
            name = "rebound", type,
            settings = new { host = hostName, port, user = SftpServer.User, hostKeyFingerprint = SftpServer.HostKey },
            secrets = new { password = SftpServer.Password },
        },
        _ => (object)new
        {
            name = "rebound", type,
            settings = new { host = hostName, port, user = FtpTestServer.User, path = FtpTestServer.BasePath },
            secrets = new { password = FtpTestServer.Password },
        },
    };

    private async Task<string> PlantAsync(string type, string address, int port)
    {
        var catalog = new BackupCatalog(new TableServiceClient(TestEnvironment.AzuriteConnectionString), host.TablePrefix, TimeProvider.System);
        var sealer = new SecretSealer(host.SealingKey, new SecretReferences(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()));
        var portText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (settings, secretName, secret) = type switch
        {
            "s3" => (new Dictionary<string, string>
            {
                ["bucket"] = "anybucket", ["endpoint"] = $"http://{address}:{portText}", ["pathStyle"] = "true", ["accessKeyId"] = CephRgw.AccessKey,
            }, "secretAccessKey", CephRgw.SecretKey),
            "sftp" => (new Dictionary<string, string>
            {
                ["host"] = address, ["port"] = portText, ["user"] = SftpServer.User, ["hostKeyFingerprint"] = SftpServer.HostKey,
            }, "password", SftpServer.Password),
            _ => (new Dictionary<string, string>
            {
                ["host"] = address, ["port"] = portText, ["user"] = FtpTestServer.User, ["path"] = FtpTestServer.BasePath,
            }, "password", FtpTestServer.Password),
        };
        var location = await catalog.StorageLocations.CreateAsync((id, now) => new StorageLocation
        {
            Id = id,
            Name = "planted",
            Type = type,
            Settings = settings,
            Secrets = new Dictionary<string, string> { [secretName] = sealer.Protect(id, secretName, new SecretValue { Value = secret }) },
            CreatedAt = now,
        }, CancellationToken.None);
        return location.Id;
    }

    private async Task<JsonElement> FailedStepAsync(string id)
    {
        using var test = await host.Http.PostAsync($"api/backup-storage/{id}/test", null);
        var result = await test.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        return result.GetProperty("failedStep");
    }
}
