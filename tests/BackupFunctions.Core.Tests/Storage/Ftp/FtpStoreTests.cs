using System.Text;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Ftp;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>How FTP failures reach the caller (the retry decision and the storage test endpoint depend on it), against vsftpd.</summary>
public sealed class FtpStoreTests(FtpFolder folder) : IClassFixture<FtpFolder>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(FtpTlsMode.None)]
    [InlineData(FtpTlsMode.Explicit)]
    public async Task A_wrong_password_is_an_authentication_failure_without_the_password_in_the_message(FtpTlsMode tls)
    {
        await using var store = new FtpStore(folder.Settings(tls) with { Password = "Wrong-secret-42" });

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("x", None));

        Assert.Equal(StoreFailureKind.Authentication, ex.Kind);
        Assert.Contains("530", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-secret-42", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-secret-42", store.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_other_than_the_pinned_one_is_refused_naming_both_fingerprints()
    {
        var wrong = new string('A', 64);
        await using var store = new FtpStore(folder.Settings(FtpTlsMode.Explicit) with { CertificateSha256 = wrong });

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("x", new MemoryStream([1]), None));

        Assert.Equal(StoreFailureKind.Permission, ex.Kind);
        Assert.IsNotType<StoreTransientException>(ex);
        Assert.Contains(wrong, ex.Message, StringComparison.Ordinal);
        Assert.Contains(FtpTestServer.CertificateSha256.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_pin_a_self_signed_certificate_fails_the_normal_validation()
    {
        await using var store = new FtpStore(folder.Settings(FtpTlsMode.Explicit) with { CertificateSha256 = null });

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("x", None));

        Assert.Equal(StoreFailureKind.Permission, ex.Kind);
        Assert.Contains("does not pass validation", ex.Message, StringComparison.Ordinal);
        Assert.Contains(FtpTestServer.CertificateSha256.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pin_also_accepts_lowercase_with_colons()
    {
        var hex = FtpTestServer.CertificateSha256.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
        var colons = string.Join(':', Enumerable.Range(0, 32).Select(i => hex.Substring(i * 2, 2)));
        await using var store = new FtpStore(folder.Settings(FtpTlsMode.Explicit) with { CertificateSha256 = colons });

        Assert.Null(await store.GetInfoAsync("pin/x", None));
    }

    [Theory]
    [InlineData(FtpTlsMode.None)]
    [InlineData(FtpTlsMode.Explicit)]
    public async Task A_missing_base_folder_is_container_not_found_for_every_operation(FtpTlsMode tls)
    {
        await using var store = new FtpStore(FtpTestServer.Settings(folder.Path + "/no/such/folder", tls));

        var failures = new List<StoreException>
        {
            await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("x", None)),
            await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("x", new MemoryStream([1]), None)),
            await Assert.ThrowsAsync<StoreException>(() => store.OpenReadAsync("x", None)),
            await Assert.ThrowsAsync<StoreException>(() => store.DeleteAsync("x", None)),
            await Assert.ThrowsAsync<StoreException>(async () => { await foreach (var _ in store.ListAsync("", None)) { } }),
        };

        Assert.All(failures, ex => Assert.Equal(StoreFailureKind.ContainerNotFound, ex.Kind));
        Assert.All(failures, ex => Assert.Contains("/no/such/folder", ex.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_is_down_is_a_transient_network_failure()
    {
        // Port 9 (discard) is closed on the test machine: connection refused.
        await using var store = new FtpStore(FtpTestServer.Settings("/", FtpTlsMode.None) with { Port = 9 });

        var failures = new List<StoreTransientException>
        {
            await Assert.ThrowsAsync<StoreTransientException>(() => store.GetInfoAsync("x", None)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.PutAsync("x", new MemoryStream([1]), None)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.OpenReadAsync("x", None)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.DeleteAsync("x", None)),
            await Assert.ThrowsAsync<StoreTransientException>(async () => { await foreach (var _ in store.ListAsync("", None)) { } }),
        };

        Assert.All(failures, ex => Assert.Equal(StoreFailureKind.Network, ex.Kind));
    }

    [Theory]
    [InlineData(FtpTlsMode.None)]
    [InlineData(FtpTlsMode.Explicit)]
    public async Task Permission_denied_is_told_apart_from_not_found(FtpTlsMode tls)
    {
        // scripts/servers/vsftpd.sh makes readonly/ (root's, 0755) holding secret (root's, 0600) in the user's home.
        await using var store = new FtpStore(FtpTestServer.Settings("/readonly", tls));

        var read = await Assert.ThrowsAsync<StoreException>(() => store.OpenReadAsync("secret", None));
        var put = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("new", new MemoryStream([1]), None));
        var putDeeper = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("sub/new", new MemoryStream([1]), None));
        var delete = await Assert.ThrowsAsync<StoreException>(() => store.DeleteAsync("secret", None));

        Assert.All(new[] { read, put, putDeeper, delete }, ex => Assert.Equal(StoreFailureKind.Permission, ex.Kind));
        Assert.IsNotType<StoreObjectNotFoundException>(read);
        Assert.Equal(24, (await store.GetInfoAsync("secret", None))!.Size);
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadAsync("missing", None));
        await store.DeleteAsync("missing", None);
    }

    [Fact]
    public async Task Location_and_settings_never_show_the_password()
    {
        var settings = folder.Settings(FtpTlsMode.Explicit);
        await using var store = new FtpStore(settings);

        Assert.Equal($"ftps://{FtpTestServer.User}@{FtpTestServer.Host}:{FtpTestServer.Port}{folder.Path}", store.Location);
        Assert.DoesNotContain(FtpTestServer.Password, settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("Password = ***", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_pin_is_refused_when_the_store_is_made()
    {
        Assert.ThrowsAny<ArgumentException>(() => new FtpStore(folder.Settings(FtpTlsMode.Explicit) with { CertificateSha256 = "abc" }));
    }

    [Theory]
    [InlineData(FtpTlsMode.None)]
    [InlineData(FtpTlsMode.Explicit)]
    public async Task Parallel_operations_share_a_few_connections(FtpTlsMode tls)
    {
        await using var store = new FtpStore(folder.Settings(tls) with { MaxConnections = 2 });
        var prefix = $"par-{tls}/";

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            store.PutAsync($"{prefix}{i}", new GeneratedStream(300_000 + i, seed: i), None)));
        var hashes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await using var stream = await store.OpenReadAsync($"{prefix}{i}", None);
            return await System.Security.Cryptography.SHA256.HashDataAsync(stream, None);
        }));

        for (var i = 0; i < 8; i++)
            Assert.Equal(GeneratedStream.Sha256Of(300_000 + i, seed: i), hashes[i]);
        var listed = new List<string>();
        await foreach (var info in store.ListAsync(prefix, None))
            listed.Add(info.Name);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"{prefix}{i}"), listed);
    }

    [Theory]
    [InlineData(FtpTlsMode.None)]
    [InlineData(FtpTlsMode.Explicit)]
    public async Task An_abandoned_download_leaves_the_store_usable(FtpTlsMode tls)
    {
        // One connection: a control connection left out of step by the abandoned transfer would fail the next call.
        await using var store = new FtpStore(folder.Settings(tls) with { MaxConnections = 1 });
        var name = $"abandon-{tls}/big";
        await store.PutAsync(name, new GeneratedStream(8 * 1024 * 1024), None);

        await using (var range = await store.OpenReadRangeAsync(name, 1000, 10, None))
            Assert.Equal(10, (await ReadAllAsync(range)).Length);
        await using (var whole = await store.OpenReadAsync(name, None))
            await whole.ReadExactlyAsync(new byte[100], None);
        // A synchronous dispose drops the connection: the next call must reconnect.
        using (var dropped = await store.OpenReadAsync(name, None))
            dropped.ReadExactly(new byte[100]);

        Assert.Equal(8 * 1024 * 1024, (await store.GetInfoAsync(name, None))!.Size);
        await store.PutAsync(name + "2", new MemoryStream(Encoding.ASCII.GetBytes("after")), None);
        Assert.Equal("after", Encoding.ASCII.GetString(await ReadAllAsync(await store.OpenReadAsync(name + "2", None))));
    }

    [Fact]
    public async Task Leftover_temporary_files_are_never_listed_and_their_names_are_refused()
    {
        await using var store = new FtpStore(folder.Settings());
        await store.PutAsync("tmp/real", new MemoryStream([1, 2]), None);
        // A put killed between STOR and RNTO leaves such a file behind.
        await using (var connection = await FtpFolder.ConnectToBaseAsync())
        {
            await using (var data = await connection.OpenDataAsync($"STOR {folder.Path}/tmp/.real.tmp-0123456789ab", None))
                await data.WriteAsync(new byte[] { 9 }, None);
            Assert.Equal(226, (await connection.ReadReplyAsync(None)).Code);
        }

        var listed = new List<string>();
        await foreach (var info in store.ListAsync("tmp/", None))
            listed.Add(info.Name);

        Assert.Equal(["tmp/real"], listed);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.OpenReadAsync("tmp/.real.tmp-0123456789ab", None));
    }

    [Fact]
    public async Task Deleting_the_last_object_of_a_folder_removes_the_empty_folders()
    {
        await using var store = new FtpStore(folder.Settings());
        await store.PutAsync("gone/a/b/c", new MemoryStream([1]), None);
        await store.PutAsync("gone/keep", new MemoryStream([1]), None);

        await store.DeleteAsync("gone/a/b/c", None);

        await using var connection = await FtpFolder.ConnectToBaseAsync();
        Assert.Equal(550, (await connection.ExecuteAsync($"CWD {folder.Path}/gone/a", None)).Code);
        Assert.Equal(250, (await connection.ExecuteAsync($"CWD {folder.Path}/gone", None)).Code);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, None);
            return copy.ToArray();
        }
    }
}
