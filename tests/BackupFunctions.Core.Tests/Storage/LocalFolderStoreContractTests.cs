using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage;

public sealed class LocalFolderStoreContractTests : BackupStoreContractTests, IDisposable
{
    private readonly TempFolder _folder = new("bf-store-");

    public LocalFolderStoreContractTests() => Store = new LocalFolderStore(_folder.Combine("root"));

    protected override IBackupStore Store { get; }

    public void Dispose() => _folder.Dispose();
}
