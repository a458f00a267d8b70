using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Ftp;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>
/// The contract over explicit FTPS (AUTH TLS, PROT P, the server's self-signed certificate pinned) against the same
/// vsftpd, which demands that every data connection resumes the control connection's TLS session.
/// </summary>
public sealed class FtpsStoreContractTests(FtpFolder folder) : BackupStoreContractTests, IClassFixture<FtpFolder>, IAsyncLifetime
{
    private readonly FtpStore _store = new(folder.Settings(FtpTlsMode.Explicit));

    protected override IBackupStore Store => _store;

    protected override bool WritesTemporaries => true;

    protected override Task PlantTemporaryAsync(string temporaryName, byte[] content)
        => FtpFolder.PlantAsync(folder.Path + "/" + temporaryName, content);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _store.DisposeAsync();
}
