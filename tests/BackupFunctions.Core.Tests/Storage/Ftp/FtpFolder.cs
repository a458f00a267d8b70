using BackupFunctions.Core.Storage.Ftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>A folder of its own on the vsftpd for one test class, emptied and removed when the class is done.</summary>
public sealed class FtpFolder : IAsyncLifetime
{
    /// <summary>The folder's absolute path on the server.</summary>
    public string Path { get; } = FtpTestServer.BasePath.TrimEnd('/') + "/" + TestEnvironment.UniqueName("bfftp");

    internal FtpStoreSettings Settings(FtpTlsMode tls = FtpTlsMode.None) => FtpTestServer.Settings(Path, tls);

    public async Task InitializeAsync()
    {
        await using var connection = await ConnectToBaseAsync();
        await connection.ExpectAsync("MKD " + Path, CancellationToken.None, 257);
    }

    public async Task DisposeAsync()
    {
        await using (var store = new FtpStore(Settings()))
        {
            var names = new List<string>();
            await foreach (var info in store.ListAsync("", CancellationToken.None))
                names.Add(info.Name);
            foreach (var name in names)
                await store.DeleteAsync(name, CancellationToken.None);
            var temporaries = new List<string>();
            await foreach (var info in store.ListTemporaryAsync("", CancellationToken.None))
                temporaries.Add(info.Name);
            foreach (var name in temporaries)
                await store.DeleteTemporaryAsync(name, CancellationToken.None);
        }
        await using var connection = await ConnectToBaseAsync();
        await connection.ExecuteAsync("RMD " + Path, CancellationToken.None);
    }

    /// <summary>
    /// Writes a file (and its folders) at the absolute <paramref name="path"/> around any store: what a put whose
    /// process died leaves behind, say.
    /// </summary>
    internal static async Task PlantAsync(string path, byte[] content)
    {
        await using var connection = await ConnectToBaseAsync();
        var folder = "";
        foreach (var segment in path.Trim('/').Split('/')[..^1])
        {
            folder += "/" + segment;
            // 550 when it exists already.
            await connection.ExecuteAsync("MKD " + folder, CancellationToken.None);
        }
        await using (var data = await connection.OpenDataAsync("STOR " + path, CancellationToken.None))
            await data.WriteAsync(content, CancellationToken.None);
        Assert.Equal(226, (await connection.ReadReplyAsync(CancellationToken.None)).Code);
    }

    /// <summary>A raw control connection in the test user's base folder, for what the store deliberately cannot do.</summary>
    internal static Task<FtpControlConnection> ConnectToBaseAsync(FtpTlsMode tls = FtpTlsMode.None) =>
        FtpControlConnection.ConnectAsync(FtpTestServer.Settings(FtpTestServer.BasePath, tls), "test", Core.Network.NetworkPolicy.InternalAllowed, CancellationToken.None);
}
