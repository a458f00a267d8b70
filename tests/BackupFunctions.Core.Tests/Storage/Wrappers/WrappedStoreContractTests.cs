using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Wrappers;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Storage.Wrappers;

/// <summary>The wrappers change nothing a caller can see: the whole contract holds through the stack the app builds.</summary>
public sealed class WrappedStoreContractTests : BackupStoreContractTests, IDisposable
{
    private readonly TempFolder _folder = new("bf-wrapped-");

    public WrappedStoreContractTests() => Store = new LoggingBackupStore(
        new ThrottlingBackupStore(new RetryingBackupStore(new LocalFolderStore(_folder.Combine("root"))), maxConcurrentCalls: 2),
        NullLogger.Instance);

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
