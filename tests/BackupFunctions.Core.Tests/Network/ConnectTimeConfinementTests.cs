using BackupFunctions.Core.Network;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Ftp;
using BackupFunctions.Core.Storage.S3;
using BackupFunctions.Core.Storage.Sftp;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Storage.S3;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Network;

/// <summary>
/// The check on the resolved address at connect time, in every store and sender that connects to a host a caller
/// chose: a name that resolves to a refused address (DNS rebinding: it passed at create time) is refused with
/// nothing sent, against the real servers behind a counting forwarder.
/// </summary>
[Collection(nameof(ConnectTimeConfinementTests))]
public sealed class ConnectTimeConfinementTests
{
    private static readonly NetworkPolicy PublicOnly = new([]);
    private static readonly NetworkPolicy LoopbackV4 = NetworkPolicy.FromOptions(new NetworkOptions { AllowedRanges = "127.0.0.0/8" });
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task An_s3_endpoint_whose_name_resolves_inward_is_refused_with_nothing_sent()
    {
        var endpoint = new Uri(CephRgw.Endpoint);
        await using var forwarder = new TcpForwarder(endpoint.Host, endpoint.Port);
        using var store = new S3Store(CephRgw.Settings("anybucket") with { Endpoint = $"http://{RebindingNames.Any()}:{forwarder.Port}" },
            network: PublicOnly);

        var error = await Assert.ThrowsAnyAsync<StoreException>(() => store.PutAsync("probe/x", new MemoryStream([1, 2, 3]), Ct));

        Assert.Equal(StoreFailureKind.NotAllowed, error.Kind);
        Assert.IsNotType<StoreTransientException>(error);
        Assert.Equal(0, forwarder.Accepted);
    }

    [Fact]
    public async Task An_s3_error_answer_is_not_repeated_in_the_store_error()
    {
        await using var server = await HostileHttpServer.StartAsync("S3-MARKER-4711");
        using var store = new S3Store(CephRgw.Settings("anybucket") with { Endpoint = server.BaseUri.ToString().TrimEnd('/') }, network: LoopbackV4);

        var error = await Assert.ThrowsAnyAsync<StoreException>(() => store.PutAsync("x", new MemoryStream([1]), Ct));

        Assert.Equal(StoreFailureKind.Permission, error.Kind);
        Assert.DoesNotContain(server.Marker, error.Message, StringComparison.Ordinal);
        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_sftp_host_whose_name_resolves_inward_is_refused_with_nothing_sent()
    {
        await using var forwarder = new TcpForwarder(SftpServer.Host, SftpServer.Port);
        using var store = new SftpStore(new SftpStoreSettings
        {
            Host = RebindingNames.Any(),
            Port = forwarder.Port,
            UserName = SftpServer.User,
            Password = SftpServer.Password,
            HostKeyFingerprint = SftpServer.HostKey,
        }, PublicOnly);

        var error = await Assert.ThrowsAnyAsync<StoreException>(() => store.GetInfoAsync("x", Ct));

        Assert.Equal(StoreFailureKind.NotAllowed, error.Kind);
        Assert.Equal(0, forwarder.Accepted);
    }

    [Fact]
    public async Task An_ftp_host_whose_name_resolves_inward_is_refused_with_nothing_sent()
    {
        await using var forwarder = new TcpForwarder(FtpTestServer.Host, FtpTestServer.Port);
        await using var store = new FtpStore(FtpTestServer.Settings(FtpTestServer.BasePath, FtpTlsMode.None) with { Host = RebindingNames.Any(), Port = forwarder.Port },
            network: PublicOnly);

        var error = await Assert.ThrowsAnyAsync<StoreException>(() => store.GetInfoAsync("x", Ct));

        Assert.Equal(StoreFailureKind.NotAllowed, error.Kind);
        Assert.Equal(0, forwarder.Accepted);
    }

    [Fact]
    public async Task An_ftp_data_connection_goes_to_the_control_connection_s_address_whatever_pasv_names()
    {
        await using var server = new HostileFtpServer("PASV-MARKER", refuseLogin: false, pasvAddress: "169.254.169.254");
        await using var store = new FtpStore(new FtpStoreSettings("127.0.0.1", server.Port, "user", "password", "/"), network: LoopbackV4);

        var listed = new List<StoredObjectInfo>();
        await foreach (var info in store.ListAsync("", Ct))
            listed.Add(info);

        Assert.Empty(listed);
        // The listing's data connection reached the server's own data port on 127.0.0.1, not the address in PASV.
        Assert.Equal(1, server.DataConnections);
    }

    [Fact]
    public async Task An_ftp_server_s_words_are_not_repeated_in_the_store_error()
    {
        await using var server = new HostileFtpServer("FTP-MARKER-0815", refuseLogin: true);
        await using var store = new FtpStore(new FtpStoreSettings("127.0.0.1", server.Port, "user", "password", "/"), network: LoopbackV4);

        var error = await Assert.ThrowsAnyAsync<StoreException>(() => store.GetInfoAsync("x", Ct));

        Assert.Equal(StoreFailureKind.Authentication, error.Kind);
        Assert.DoesNotContain(server.Marker, error.Message, StringComparison.Ordinal);
    }
}
