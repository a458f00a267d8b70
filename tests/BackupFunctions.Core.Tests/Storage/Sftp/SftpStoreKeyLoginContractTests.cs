using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Sftp;

namespace BackupFunctions.Core.Tests.Storage.Sftp;

/// <summary>The contract again with an ed25519 key instead of the password.</summary>
public sealed class SftpStoreKeyLoginContractTests(SftpServer server) : BackupStoreContractTests, IClassFixture<SftpServer>, IDisposable
{
    private readonly SftpStore _store = new(server.KeySettings());

    protected override IBackupStore Store => _store;

    protected override bool WritesTemporaries => true;

    protected override Task PlantTemporaryAsync(string temporaryName, byte[] content)
        => SftpServer.PlantAsync(server.Folder + "/" + temporaryName, content);

    public void Dispose() => _store.Dispose();
}
