using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>The contract against Azurite; all tests of the class share one container, each under its own prefix.</summary>
public sealed class AzureBlobStoreContractTests(AzuriteContainer container)
    : BackupStoreContractTests, IClassFixture<AzuriteContainer>
{
    protected override IBackupStore Store { get; } = new AzureBlobStore(container.Client);
}
