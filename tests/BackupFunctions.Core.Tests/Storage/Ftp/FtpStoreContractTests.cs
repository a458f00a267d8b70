using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Ftp;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>The contract over plain FTP against vsftpd; all tests of the class share one folder, each under its own prefix.</summary>
public sealed class FtpStoreContractTests(FtpFolder folder) : BackupStoreContractTests, IClassFixture<FtpFolder>, IAsyncLifetime
{
    private readonly FtpStore _store = new(folder.Settings(FtpTlsMode.None));

    protected override IBackupStore Store => _store;

    protected override bool WritesTemporaries => true;

    protected override Task PlantTemporaryAsync(string temporaryName, byte[] content)
        => FtpFolder.PlantAsync(folder.Path + "/" + temporaryName, content);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _store.DisposeAsync();
}
