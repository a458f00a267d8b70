using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>How Azure failures reach the caller: the retry decision of every activity depends on it.</summary>
public sealed class AzureBlobStoreTests(AzuriteContainer container) : IClassFixture<AzuriteContainer>
{
    // A valid key, but not Azurite's: every request is refused with 403.
    private const string WrongKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";

    private static readonly BlobClientOptions NoRetries = new() { Retry = { MaxRetries = 0, Mode = RetryMode.Fixed } };

    [Fact]
    public async Task A_refused_credential_is_a_permanent_failure_naming_operation_object_and_status()
    {
        await new AzureBlobStore(container.Client).PutAsync("x", new MemoryStream([1]), CancellationToken.None);
        var connection = TestEnvironment.AzuriteConnectionString.Replace(AzuriteKey(), WrongKey, StringComparison.Ordinal);
        var store = new AzureBlobStore(new BlobContainerClient(connection, container.Client.Name, NoRetries));

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("x", CancellationToken.None));
        var read = await Assert.ThrowsAsync<StoreException>(() => store.OpenReadAsync("x", CancellationToken.None));

        foreach (var e in new[] { ex, read })
        {
            Assert.Contains("403", e.Message, StringComparison.Ordinal);
            Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
            Assert.Contains(container.Client.Name, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(WrongKey[..20], e.Message, StringComparison.Ordinal);
        }
        // Azure answers a bad signature with 403 AuthenticationFailed; Azurite says AuthorizationFailure, which Azure
        // uses for a valid identity without the right. Either way it is not retried and the kind says "credentials".
        Assert.Contains(ex.Kind, new[] { StoreFailureKind.Authentication, StoreFailureKind.Permission });
        Assert.Contains("get info", ex.Message, StringComparison.Ordinal);
        Assert.Contains("read", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_service_is_a_transient_failure()
    {
        // Port 9 (discard) is closed on the test machine: connection refused, as when the network is down.
        var connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AzuriteKey()
                         + ";BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        var store = new AzureBlobStore(new BlobContainerClient(connection, "unreachable", NoRetries));

        await Assert.ThrowsAsync<StoreTransientException>(() => store.GetInfoAsync("x", CancellationToken.None));
        await Assert.ThrowsAsync<StoreTransientException>(() => store.OpenReadAsync("x", CancellationToken.None));
        await Assert.ThrowsAsync<StoreTransientException>(() => store.DeleteAsync("x", CancellationToken.None));
        await Assert.ThrowsAsync<StoreTransientException>(() => store.PutAsync("x", new MemoryStream([1]), CancellationToken.None));
        await Assert.ThrowsAsync<StoreTransientException>(async () =>
        {
            await foreach (var _ in store.ListAsync("", CancellationToken.None)) { }
        });
    }

    [Fact]
    public async Task A_missing_container_reads_as_empty()
    {
        var store = new AzureBlobStore(container.Client.GetParentBlobServiceClient().GetBlobContainerClient(TestEnvironment.UniqueName("bfnone")));

        Assert.Null(await store.GetInfoAsync("x", CancellationToken.None));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadAsync("x", CancellationToken.None));
        await store.DeleteAsync("x", CancellationToken.None);
        await foreach (var _ in store.ListAsync("", CancellationToken.None))
            Assert.Fail("nothing is listed");
    }

    [Fact]
    public async Task New_blobs_get_the_configured_access_tier()
    {
        var store = new AzureBlobStore(container.Client, Azure.Storage.Blobs.Models.AccessTier.Cool);

        await store.PutAsync("tiered/x", new MemoryStream([1, 2, 3]), CancellationToken.None);

        var properties = await container.Client.GetBlobClient("tiered/x").GetPropertiesAsync();
        Assert.Equal(Azure.Storage.Blobs.Models.AccessTier.Cool, properties.Value.AccessTier);
    }

    [Fact]
    public void Location_names_account_and_container()
    {
        Assert.Equal($"azblob://devstoreaccount1/{container.Client.Name}", new AzureBlobStore(container.Client).Location);
    }

    private static string AzuriteKey() =>
        TestEnvironment.AzuriteConnectionString.Split(';')
            .Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
}
