using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>
/// Version-level immutability: every uploaded blob carries its policy. Azurite accepts and ignores these headers
/// (it has no immutability), so this checks what the store sends; the refusal of a delete is the service's.
/// </summary>
public sealed class AzureBlobImmutabilityTests(AzuriteContainer container) : IClassFixture<AzuriteContainer>
{
    [Theory]
    [InlineData(false, "Unlocked")]
    [InlineData(true, "Locked")]
    public async Task Every_put_sends_the_policy_until_the_date_the_store_is_given(bool compliance, string mode)
    {
        var recorder = new HeaderRecorder();
        var options = new BlobClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerCall);
        var client = new BlobContainerClient(TestEnvironment.AzuriteConnectionString, container.Client.Name, options);
        var until = new DateTimeOffset(2027, 1, 31, 12, 0, 0, TimeSpan.Zero);
        var store = new AzureBlobStore(client, lockUntil: _ => until, lockCompliance: compliance);

        await store.PutAsync("locked/small", new MemoryStream([1, 2, 3]), CancellationToken.None);
        await store.PutAsync("locked/large", new GeneratedStream(9 * 1024 * 1024), CancellationToken.None);

        var commits = recorder.Puts.Where(p => p.Query.Contains("comp=blocklist", StringComparison.Ordinal) || !p.Query.Contains("comp=", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, commits.Count);
        Assert.All(commits, put =>
        {
            Assert.Equal("Sun, 31 Jan 2027 12:00:00 GMT", put.Until);
            Assert.Equal(mode, put.Mode);
        });
    }

    [Fact]
    public async Task Without_a_lock_no_policy_is_sent()
    {
        var recorder = new HeaderRecorder();
        var options = new BlobClientOptions();
        options.AddPolicy(recorder, HttpPipelinePosition.PerCall);
        var store = new AzureBlobStore(new BlobContainerClient(TestEnvironment.AzuriteConnectionString, container.Client.Name, options));

        await store.PutAsync("unlocked/x", new MemoryStream([1]), CancellationToken.None);

        Assert.All(recorder.Puts, put => Assert.Null(put.Until));
    }

    private sealed class HeaderRecorder : HttpPipelineSynchronousPolicy
    {
        public ConcurrentQueue<(string Query, string? Until, string? Mode)> Puts { get; } = new();

        public override void OnSendingRequest(HttpMessage message)
        {
            if (message.Request.Method != RequestMethod.Put || !message.Request.Uri.Path.Contains("/locked/", StringComparison.Ordinal) && !message.Request.Uri.Path.Contains("/unlocked/", StringComparison.Ordinal))
                return;
            message.Request.Headers.TryGetValue("x-ms-immutability-policy-until-date", out var until);
            message.Request.Headers.TryGetValue("x-ms-immutability-policy-mode", out var mode);
            Puts.Enqueue((message.Request.Uri.Query, until, mode));
        }
    }
}
