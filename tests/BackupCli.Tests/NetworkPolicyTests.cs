using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Storage.S3;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// backupctl builds its stores through the service's factory, so the service's network policy applies: on the
/// operator's own machine loopback and private addresses are allowed by default, link-local and metadata ones never,
/// and <c>BACKUPCTL_ALLOWED_RANGES</c> narrows it to public addresses and the ranges listed.
/// </summary>
public sealed class NetworkPolicyTests : IAsyncLifetime
{
    private readonly CephRgwBucket _bucket = new();

    public Task InitializeAsync() => _bucket.InitializeAsync();

    public Task DisposeAsync() => _bucket.DisposeAsync();

    private static Dictionary<string, string> Credentials(string? ranges = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["BACKUPCTL_S3_ACCESS_KEY_ID"] = CephRgw.AccessKey,
            ["BACKUPCTL_S3_SECRET_ACCESS_KEY"] = CephRgw.SecretKey,
        };
        if (ranges is not null)
            environment["BACKUPCTL_ALLOWED_RANGES"] = ranges;
        return environment;
    }

    [Fact]
    public async Task A_loopback_destination_works_by_default()
    {
        var result = await Cli.RunAsync(Credentials(), "storage", "test", "--to", $"s3://{_bucket.Name}?endpoint={CephRgw.Endpoint}");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Narrowed_ranges_refuse_a_loopback_destination_with_nothing_sent()
    {
        var endpoint = new Uri(CephRgw.Endpoint);
        await using var forwarder = new TcpForwarder(endpoint.Host, endpoint.Port);

        var result = await Cli.RunAsync(Credentials("10.0.0.0/8"), "storage", "test", "--to",
            $"s3://{_bucket.Name}?endpoint=http://127.0.0.1:{forwarder.Port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(NotAllowed)", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, forwarder.Accepted);
    }

    [Fact]
    public async Task A_metadata_address_is_refused_by_default_with_nothing_sent()
    {
        // Refused before any packet leaves: the policy judges the address before connecting.
        var result = await Cli.RunAsync(Credentials(), "storage", "test", "--to", $"s3://{_bucket.Name}?endpoint=http://169.254.169.254");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(NotAllowed)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ranges_that_are_not_cidrs_are_a_usage_error()
    {
        var result = await Cli.RunAsync(Credentials("ten-dot-something"), "storage", "test", "--to", $"s3://{_bucket.Name}?endpoint={CephRgw.Endpoint}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("BACKUPCTL_ALLOWED_RANGES", result.Stderr, StringComparison.Ordinal);
    }
}
