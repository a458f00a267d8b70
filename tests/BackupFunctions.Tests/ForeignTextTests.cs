using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// A storage test's answer (and the result recorded on the location) says which step failed, its kind and what to
/// check in our words: never what the foreign server said, so an API caller cannot use the service to read a server.
/// Hostile servers on 127.0.0.1 put a marker in their greeting, their refusal, their HTTP reason phrase and body.
/// </summary>
public sealed class ForeignTextTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task An_ftp_server_s_banner_and_refusal_are_not_echoed()
    {
        await using var server = new HostileFtpServer("FTP-MARKER-7c1f", refuseLogin: true);
        var id = await host.CreateStorageAsync(new
        {
            name = "hostile-ftp", type = "ftp",
            settings = new { host = "127.0.0.1", port = server.Port, user = "someone", path = "/" },
            secrets = new { password = "whatever" },
        });

        var (answer, failed) = await TestAsync(id);

        Assert.Equal("authentication", failed.GetProperty("kind").GetString());
        Assert.DoesNotContain(server.Marker, answer, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Marker, await host.Http.GetStringAsync($"api/backup-storage/{id}"), StringComparison.Ordinal);
        // The operator still has it, in the server-side log.
        Assert.Contains(host.Logs.Lines, line => line.Contains(server.Marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_s3_server_s_error_answer_is_not_echoed()
    {
        await using var server = await HostileHttpServer.StartAsync("S3-MARKER-9e2d");
        var id = await host.CreateStorageAsync(new
        {
            name = "hostile-s3", type = "s3",
            settings = new { bucket = "anybucket", endpoint = server.BaseUri.ToString().TrimEnd('/'), pathStyle = true, accessKeyId = "AKIAEXAMPLE" },
            secrets = new { secretAccessKey = "not-a-real-secret-key" },
        });

        var (answer, failed) = await TestAsync(id);

        Assert.Equal("permission", failed.GetProperty("kind").GetString());
        Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("error").GetString()));
        Assert.DoesNotContain(server.Marker, answer, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Marker, await host.Http.GetStringAsync($"api/backup-storage/{id}"), StringComparison.Ordinal);
    }

    private async Task<(string Answer, JsonElement FailedStep)> TestAsync(string id)
    {
        using var test = await host.Http.PostAsync($"api/backup-storage/{id}/test", null);
        var answer = await test.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        var result = JsonDocument.Parse(answer).RootElement;
        Assert.False(result.GetProperty("ok").GetBoolean(), answer);
        return (answer, result.GetProperty("failedStep").Clone());
    }
}
