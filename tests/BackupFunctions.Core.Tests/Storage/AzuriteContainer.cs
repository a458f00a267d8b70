using Azure.Storage.Blobs;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>A container of its own in Azurite for one test class, deleted when the class is done.</summary>
public sealed class AzuriteContainer : IAsyncLifetime
{
    public BlobContainerClient Client { get; } =
        new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(TestEnvironment.UniqueName("bfstore"));

    // Not created here: the store creates its container on the first put, and the tests rely on that.
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Client.DeleteIfExistsAsync();
}
