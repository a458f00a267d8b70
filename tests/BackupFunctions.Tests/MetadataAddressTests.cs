using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// Link-local and cloud metadata addresses are refused at create time even when <c>Network__AllowedRanges</c> lists
/// every address: the identity's tokens live behind them.
/// </summary>
public sealed class MetadataAddressTests(EverythingAllowedHostFixture host) : IClassFixture<EverythingAllowedHostFixture>
{
    public static TheoryData<string, string> MetadataLocations => new()
    {
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a","endpoint":"http://169.254.169.254"},"secrets":{"secretAccessKey":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a","endpoint":"http://[fd00:ec2::254]/latest"},"secrets":{"secretAccessKey":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"gcs","settings":{"bucket":"b","accessId":"a","endpoint":"http://168.63.129.16"},"secrets":{"hmacSecret":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"sftp","settings":{"host":"168.63.129.16","user":"u","hostKeyFingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"},"secrets":{"password":"p"}}""", "settings.host" },
        { """{"name":"x","type":"sftp","settings":{"host":"169.254.169.254","user":"u","hostKeyFingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"},"secrets":{"password":"p"}}""", "settings.host" },
        { """{"name":"x","type":"ftp","settings":{"host":"fd00:ec2::254","user":"u"},"secrets":{"password":"p"}}""", "settings.host" },
        { """{"name":"x","type":"ftp","settings":{"host":"[fd00:ec2::254]","user":"u"},"secrets":{"password":"p"}}""", "settings.host" },
    };

    [Theory]
    [MemberData(nameof(MetadataLocations))]
    public async Task A_location_naming_a_metadata_address_is_refused_naming_the_field(string body, string field)
    {
        using var response = await host.Http.PostAsync("api/backup-storage", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Theory]
    [InlineData("https://[fd00:ec2::254]/hook")]
    [InlineData("https://168.63.129.16/hook")]
    public async Task A_webhook_naming_a_metadata_address_is_refused_naming_the_field(string url)
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

    [Fact]
    public async Task A_loopback_location_is_accepted_when_its_range_is_listed()
    {
        var id = await host.CreateStorageAsync(new
        {
            name = "lan", type = "ftp",
            settings = new { host = "127.0.0.1", user = "u" },
            secrets = new { password = "p" },
        });
        Assert.StartsWith("stg-", id, StringComparison.Ordinal);
    }
}
