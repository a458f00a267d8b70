using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>/api/backup-storage: named destinations, their secrets kept out of answers and rows, and the connection test.</summary>
public sealed class BackupStorageApiTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const string S3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY-test";

    [Fact]
    public async Task A_local_location_is_created_listed_and_passes_its_connection_test()
    {
        var id = await host.CreateStorageAsync(new { name = "nas", type = "local", settings = new { path = "nas", fileMode = "0640" }, maxSizeBytes = 1L << 30 });

        var view = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-storage/{id}");
        Assert.Equal("local", view.GetProperty("type").GetString());
        Assert.Equal("0640", view.GetProperty("settings").GetProperty("fileMode").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("lastTested").ValueKind);
        var list = await host.Http.GetFromJsonAsync<JsonElement>("api/backup-storage?pageSize=100");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetString() == id);

        using var test = await host.Http.PostAsync($"api/backup-storage/{id}/test", null);
        var result = await test.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
        Assert.Equal(["configure", "write", "read", "list", "delete"],
            result.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
        Assert.Empty(Directory.GetFiles(Path.Combine(host.LocalRoot, "nas"), "*", SearchOption.AllDirectories));

        var after = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-storage/{id}");
        Assert.NotEqual(JsonValueKind.Null, after.GetProperty("lastTested").ValueKind);
        Assert.True(after.GetProperty("lastTestResult").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task An_azure_blob_location_without_an_access_tier_passes_its_connection_test()
    {
        // The tier is optional; without it the store must still open (it once converted a null string to a tier).
        var id = await host.CreateStorageAsync(new { name = "blob", type = "azureBlob", settings = new { container = host.Container } });

        using var test = await host.Http.PostAsync($"api/backup-storage/{id}/test", null);
        var result = await test.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
    }

    [Fact]
    public async Task A_failing_location_says_which_step_failed_and_why_and_records_it()
    {
        // A file where the destination's folder should be: nothing can be written there.
        File.WriteAllText(Path.Combine(host.LocalRoot, "blocked"), "not a folder");
        var id = await host.CreateStorageAsync(new { name = "broken", type = "local", settings = new { path = "blocked/inner" } });

        using var test = await host.Http.PostAsync($"api/backup-storage/{id}/test", null);
        var result = await test.Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(result.GetProperty("ok").GetBoolean());
        var failed = result.GetProperty("failedStep");
        Assert.Equal("write", failed.GetProperty("step").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("error").GetString()));
        var after = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-storage/{id}");
        Assert.False(after.GetProperty("lastTestResult").GetProperty("ok").GetBoolean());
    }

    public static TheoryData<string, string> FailingRemoteLocations => new()
    {
        // A wrong password on the real sshd: refused at login.
        { "sftp-wrong-password", "authentication" },
        // A wrong secret on the real Ceph RGW: SignatureDoesNotMatch.
        { "s3-wrong-secret", "authentication" },
        // A bucket that does not exist on Ceph RGW.
        { "s3-missing-bucket", "containerNotFound" },
        // Nothing listens on port 9: like a server that is down.
        { "ftp-down", "network" },
    };

    [Theory]
    [MemberData(nameof(FailingRemoteLocations))]
    public async Task A_remote_location_that_fails_says_why(string scenario, string kind)
    {
        object location = scenario switch
        {
            "sftp-wrong-password" => new
            {
                name = scenario, type = "sftp",
                settings = new { host = Core.Tests.Storage.Sftp.SftpServer.Host, port = Core.Tests.Storage.Sftp.SftpServer.Port, user = Core.Tests.Storage.Sftp.SftpServer.User, path = "probe", hostKeyFingerprint = Core.Tests.Storage.Sftp.SftpServer.HostKey },
                secrets = new { password = "not-the-password" },
            },
            "s3-wrong-secret" => S3Location(scenario, "anybucket", "wrong-secret"),
            "s3-missing-bucket" => S3Location(scenario, TestEnvironment.UniqueName("nobucket"), Core.Tests.Storage.S3.CephRgw.SecretKey),
            _ => new
            {
                name = scenario, type = "ftp",
                settings = new { host = "127.0.0.1", port = 9, user = "nobody", path = "/x" },
                secrets = new { password = "x" },
            },
        };
        var id = await host.CreateStorageAsync(location);

        using var test = await host.Http.PostAsync($"api/backup-storage/{id}/test", null);
        var result = await test.Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(result.GetProperty("ok").GetBoolean(), result.ToString());
        var failed = result.GetProperty("failedStep");
        Assert.Equal("write", failed.GetProperty("step").GetString());
        Assert.Equal(kind, failed.GetProperty("kind").GetString());
    }

    private static object S3Location(string name, string bucket, string secret) => new
    {
        name, type = "s3",
        settings = new { bucket, endpoint = Core.Tests.Storage.S3.CephRgw.Endpoint, region = "us-east-1", pathStyle = true, accessKeyId = Core.Tests.Storage.S3.CephRgw.AccessKey },
        secrets = new { secretAccessKey = secret },
    };

    [Fact]
    public async Task Secret_values_are_sealed_in_the_row_and_never_returned()
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-storage", new
        {
            name = "offsite",
            type = "s3",
            settings = new { bucket = "backups", region = "eu-west-1", accessKeyId = "AKIAEXAMPLE", pathStyle = true },
            secrets = new { secretAccessKey = S3Secret },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain(S3Secret, body, StringComparison.Ordinal);
        var view = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["secretAccessKey"], view.GetProperty("secretsSet").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("true", view.GetProperty("settings").GetProperty("pathStyle").GetString());

        var list = await host.Http.GetStringAsync("api/backup-storage?pageSize=100");
        Assert.DoesNotContain(S3Secret, list, StringComparison.Ordinal);
        var row = await RowAsync(view.GetProperty("id").GetString()!);
        var rowText = string.Join("\n", row.Select(column => column.Value?.ToString()));
        Assert.DoesNotContain(S3Secret, rowText, StringComparison.Ordinal);
        Assert.Contains("sealed:v1:", row.GetString("Secrets"), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains(S3Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secret_may_be_a_reference_to_an_app_setting()
    {
        var id = await host.CreateStorageAsync(new
        {
            name = "ftp",
            type = "ftp",
            settings = new { host = "ftp.example.org", user = "backup" },
            secrets = new { password = new { setting = "BackupSecrets__FTP_PASSWORD" } },
        });

        var row = await RowAsync(id);
        Assert.Contains("setting:BackupSecrets__FTP_PASSWORD", row.GetString("Secrets"), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadLocations => new()
    {
        { """{"name":"x","type":"tape"}""", "type" },
        { """{"type":"local","settings":{"path":"a"}}""", "name" },
        { """{"name":"x","type":"local"}""", "settings.path" },
        { """{"name":"x","type":"local","settings":{"path":"/etc"}}""", "settings.path" },
        { """{"name":"x","type":"local","settings":{"path":"a","colour":"red"}}""", "settings.colour" },
        { """{"name":"x","type":"local","settings":{"path":"a","fileMode":"0999"}}""", "settings.fileMode" },
        { """{"name":"x","type":"local","settings":{"path":"a"},"secrets":{"password":"p"}}""", "secrets.password" },
        { """{"name":"x","type":"azureBlob","settings":{"container":"Bad_Name"}}""", "settings.container" },
        { """{"name":"x","type":"azureBlob","settings":{"container":"ok","accessTier":"Frozen"}}""", "settings.accessTier" },
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a"}}""", "secrets.secretAccessKey" },
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a","endpoint":"ftp://x"},"secrets":{"secretAccessKey":"s"}}""", "settings.endpoint" },
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a","storageClass":"COLD"},"secrets":{"secretAccessKey":"s"}}""", "settings.storageClass" },
        { """{"name":"x","type":"sftp","settings":{"host":"h","user":"u","hostKeyFingerprint":"SHA256:abc"},"secrets":{"password":"p"}}""", "settings.hostKeyFingerprint" },
        { """{"name":"x","type":"sftp","settings":{"host":"h","user":"u","port":70000,"hostKeyFingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"},"secrets":{"password":"p"}}""", "settings.port" },
        { """{"name":"x","type":"sftp","settings":{"host":"h","user":"u","hostKeyFingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"}}""", "secrets.password" },
        { """{"name":"x","type":"sftp","settings":{"host":"h","user":"u","hostKeyFingerprint":"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"},"secrets":{"password":"p"},"immutability":{"enabled":true,"days":30}}""", "immutability.enabled" },
        { """{"name":"x","type":"ftp","settings":{"host":"h","user":"u"},"secrets":{"password":{"setting":"not a setting name"}}}""", "secrets.password" },
        { """{"name":"x","type":"s3","settings":{"bucket":"b","accessKeyId":"a"},"secrets":{"secretAccessKey":"s"},"immutability":{"enabled":true,"days":0}}""", "immutability.days" },
        { """{"name":"x","type":"local","settings":{"path":"a"},"maxSizeBytes":-5}""", "maxSizeBytes" },
    };

    [Theory]
    [MemberData(nameof(BadLocations))]
    public async Task A_bad_location_is_refused_naming_the_field(string body, string field)
    {
        using var response = await host.Http.PostAsync("api/backup-storage", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.NamesFieldAsync(response, field);
    }

    [Fact]
    public async Task A_config_naming_a_storage_location_that_does_not_exist_is_refused()
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", new
        {
            name = "site",
            files = new { root = Directory.CreateDirectory(host.Scratch("site")).FullName },
            schedule = new { frequency = "manual" },
            storage = new { storageId = "stg-000000000000000000000000" },
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("storage.storageId", out _), problem.ToString());
    }

    [Fact]
    public async Task Unknown_ids_are_not_found()
    {
        using var get = await host.Http.GetAsync("api/backup-storage/stg-000000000000000000000000");
        using var test = await host.Http.PostAsync("api/backup-storage/nope/test", null);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, test.StatusCode);
    }

    private async Task<TableEntity> RowAsync(string id)
    {
        var table = new TableClient(TestEnvironment.AzuriteConnectionString, host.TablePrefix + "BackupStorage");
        return (await table.GetEntityAsync<TableEntity>("storage", id)).Value;
    }
}
