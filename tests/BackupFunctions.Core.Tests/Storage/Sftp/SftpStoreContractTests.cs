using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Sftp;

namespace BackupFunctions.Core.Tests.Storage.Sftp;

/// <summary>The contract against OpenSSH's sftp-server with password login; the tests of the class share one folder.</summary>
public sealed class SftpStoreContractTests(SftpServer server) : BackupStoreContractTests, IClassFixture<SftpServer>, IDisposable
{
    private readonly SftpStore _store = new(server.PasswordSettings());

    protected override IBackupStore Store => _store;

    protected override bool WritesTemporaries => true;

    protected override Task PlantTemporaryAsync(string temporaryName, byte[] content)
        => SftpServer.PlantAsync(server.Folder + "/" + temporaryName, content);

    public void Dispose() => _store.Dispose();
}
