using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage;

public sealed class LocalFolderStoreContractTests : BackupStoreContractTests, IDisposable
{
    private readonly TempFolder _folder = new("bf-store-");

    public LocalFolderStoreContractTests() => Store = new LocalFolderStore(_folder.Combine("root"));

    protected override IBackupStore Store { get; }

    protected override bool WritesTemporaries => true;

    protected override Task PlantTemporaryAsync(string temporaryName, byte[] content)
    {
        var path = _folder.Combine("root", temporaryName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return File.WriteAllBytesAsync(path, content);
    }

    public void Dispose() => _folder.Dispose();
}
