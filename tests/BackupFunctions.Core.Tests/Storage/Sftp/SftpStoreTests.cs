using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using Renci.SshNet;
using Renci.SshNet.Sftp;

namespace BackupFunctions.Core.Tests.Storage.Sftp;

/// <summary>What only SFTP has: the pinned host key, logins, modes, folders, and connections that break.</summary>
public sealed class SftpStoreTests(SftpServer server) : IClassFixture<SftpServer>, IDisposable
{
    private const UnixFileMode Mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
    private const UnixFileMode Mode0750 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                          | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));
    private readonly TempFolder _temp = new("bf-sftp-");
    private readonly List<SftpStore> _stores = [];

    // Each test in a folder of its own below the class's folder.
    private readonly string _base = server.Folder + "/" + TestEnvironment.UniqueName("t");

    private CancellationToken Ct => _timeout.Token;

    public void Dispose()
    {
        foreach (var store in _stores)
            store.Dispose();
        _temp.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task A_host_key_other_than_the_pinned_one_is_refused_before_authentication()
    {
        var pinned = "SHA256:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=');
        // A wrong password too: had the client authenticated, this would be an authentication failure.
        var store = Track(new SftpStore(server.PasswordSettings(_base) with { HostKeyFingerprint = pinned, Password = "wrong" }));

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("x", Ct));

        Assert.Equal(StoreFailureKind.Permission, ex.Kind);
        Assert.IsNotType<StoreTransientException>(ex);
        Assert.Contains(pinned, ex.Message, StringComparison.Ordinal);
        Assert.Contains(SftpServer.HostKey, ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("x", new MemoryStream([1]), Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ErLrmPs8qdbwp6Vo59u91LU8Lic7YDMfHOiYZF81iSE")]
    [InlineData("MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48")]
    [InlineData("SHA256:tooshort")]
    [InlineData("SHA256:not base64 at all!!")]
    public void A_fingerprint_not_in_ssh_keygen_notation_is_refused_up_front(string fingerprint)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SftpStore(server.PasswordSettings() with { HostKeyFingerprint = fingerprint }));
        Assert.Contains("SHA256:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pinned_fingerprint_may_carry_base64_padding_and_a_lowercase_prefix()
    {
        var fingerprint = "sha256:" + SftpServer.HostKey["SHA256:".Length..] + "=";
        var store = Track(new SftpStore(server.PasswordSettings(_base) with { HostKeyFingerprint = fingerprint }));

        Assert.Null(await store.GetInfoAsync("x", Ct));
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_failure_that_does_not_quote_it()
    {
        const string password = "Wrong-Pa55word-xyz";
        var store = Track(new SftpStore(server.PasswordSettings(_base) with { Password = password }));

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("a/b", new MemoryStream([1]), Ct));

        Assert.Equal(StoreFailureKind.Authentication, ex.Kind);
        Assert.IsNotType<StoreTransientException>(ex);
        Assert.DoesNotContain(password, ex.Message, StringComparison.Ordinal);
        Assert.Contains("put 'a/b'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(SftpServer.User, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_the_server_does_not_know_is_an_authentication_failure()
    {
        var keyFile = _temp.Combine("stranger");
        await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keyFile);
        var store = Track(new SftpStore(server.KeySettings(_base) with { PrivateKey = await File.ReadAllTextAsync(keyFile, Ct) }));

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("x", Ct));

        Assert.Equal(StoreFailureKind.Authentication, ex.Kind);
    }

    [Fact]
    public async Task An_encrypted_key_works_with_its_passphrase_and_fails_authentication_without()
    {
        var keyFile = _temp.Combine("encrypted");
        File.Copy(SftpServer.KeyFile, keyFile);
        await RunAsync("ssh-keygen", "-q", "-p", "-P", "", "-N", "key-pass", "-f", keyFile);
        var settings = server.KeySettings(_base) with { PrivateKey = await File.ReadAllTextAsync(keyFile, Ct) };
        Assert.Contains("BEGIN OPENSSH PRIVATE KEY", settings.PrivateKey, StringComparison.Ordinal);

        var good = Track(new SftpStore(settings with { PrivateKeyPassphrase = "key-pass" }));
        await good.PutAsync("k", new MemoryStream([7]), Ct);
        Assert.Equal(1, (await good.GetInfoAsync("k", Ct))!.Size);

        foreach (var passphrase in new[] { "wrong-pass", null })
        {
            var bad = Track(new SftpStore(settings with { PrivateKeyPassphrase = passphrase }));
            var ex = await Assert.ThrowsAsync<StoreException>(() => bad.GetInfoAsync("k", Ct));
            Assert.Equal(StoreFailureKind.Authentication, ex.Kind);
            Assert.DoesNotContain("key-pass", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_missing_base_folder_reads_as_empty_and_the_first_put_creates_it()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));

        Assert.Null(await store.GetInfoAsync("x", Ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadAsync("x", Ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadRangeAsync("x", 0, 1, Ct));
        await store.DeleteAsync("x", Ct);
        Assert.Empty(await ListAsync(store, ""));

        await store.PutAsync("x", new MemoryStream([1]), Ct);

        using var client = SftpServer.Connect();
        Assert.Equal(SftpStoreSettings.DefaultFolderMode, ModeOf(client.GetAttributes(_base)));
        Assert.Equal([("x", 1L)], await ListAsync(store, ""));
    }

    [Fact]
    public async Task A_base_folder_whose_parent_is_missing_is_not_created()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base + "/no-such-parent/base")));

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("a/x", new MemoryStream([1]), Ct));

        Assert.Equal(StoreFailureKind.ContainerNotFound, ex.Kind);
        Assert.Contains("parent", ex.Message, StringComparison.Ordinal);
        using var client = SftpServer.Connect();
        Assert.False(client.Exists(_base + "/no-such-parent"));
    }

    [Fact]
    public async Task A_server_that_is_down_is_a_transient_network_failure()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base) with { Port = ClosedPort() }));
        var watch = Stopwatch.StartNew();

        await AssertNetworkFailure(() => store.GetInfoAsync("x", Ct));
        await AssertNetworkFailure(() => store.OpenReadAsync("x", Ct));
        await AssertNetworkFailure(() => store.DeleteAsync("x", Ct));
        await AssertNetworkFailure(() => store.PutAsync("x", new MemoryStream([1]), Ct));
        await AssertNetworkFailure(() => ListAsync(store, ""));

        // Refused at once, not after the connect timeout.
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_folder_without_write_permission_is_a_permission_failure()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));
        await store.PutAsync("locked/old", new MemoryStream([1, 2]), Ct);
        using var client = SftpServer.Connect();
        client.ChangePermissions(_base + "/locked", 500);
        client.ChangePermissions(_base + "/locked/old", 0);

        var put = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("locked/new", new MemoryStream([1]), Ct));
        var read = await Assert.ThrowsAsync<StoreException>(() => store.OpenReadAsync("locked/old", Ct));
        var delete = await Assert.ThrowsAsync<StoreException>(() => store.DeleteAsync("locked/old", Ct));

        Assert.All(new[] { put, read, delete }, ex => Assert.Equal(StoreFailureKind.Permission, ex.Kind));
        Assert.Contains("put 'locked/new'", put.Message, StringComparison.Ordinal);
        client.ChangePermissions(_base + "/locked", 700);
        Assert.Equal(["old"], client.ListDirectory(_base + "/locked").Select(f => f.Name).Where(n => n is not ("." or "..")));
    }

    [Fact]
    public async Task Files_are_0600_and_folders_0700_by_default_and_configured_modes_are_exact()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));
        await store.PutAsync("d/e/f", new MemoryStream([1]), Ct);
        var custom = Track(new SftpStore(server.PasswordSettings(_base + "/custom") with { FileMode = Mode0640, FolderMode = Mode0750 }));
        // Group write (0660) is not in the server's umask-narrowed default either way; 0640 and 0750 differ from 0644/0755.
        await custom.PutAsync("g/h", new MemoryStream([1]), Ct);
        await custom.PutAsync("g/h", new MemoryStream([2]), Ct);

        using var client = SftpServer.Connect();
        Assert.Equal(SftpStoreSettings.DefaultFileMode, ModeOf(client.GetAttributes(_base + "/d/e/f")));
        Assert.Equal(SftpStoreSettings.DefaultFolderMode, ModeOf(client.GetAttributes(_base + "/d/e")));
        Assert.Equal(SftpStoreSettings.DefaultFolderMode, ModeOf(client.GetAttributes(_base + "/d")));
        Assert.Equal(Mode0640, ModeOf(client.GetAttributes(_base + "/custom/g/h")));
        Assert.Equal(Mode0750, ModeOf(client.GetAttributes(_base + "/custom/g")));
        Assert.Equal(Mode0750, ModeOf(client.GetAttributes(_base + "/custom")));
    }

    [Fact]
    public async Task A_put_in_progress_is_a_hidden_temporary_file_that_is_never_listed()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));
        var source = new HeldStream(3 * 1024 * 1024);

        var put = store.PutAsync("x/part", source, Ct);
        await source.Paused.WaitAsync(Ct);

        Assert.Null(await store.GetInfoAsync("x/part", Ct));
        Assert.Empty(await ListAsync(store, ""));
        using var client = SftpServer.Connect();
        var temp = Assert.Single(FileNames(client, _base + "/x"));
        Assert.Matches(@"^\.part\.tmp-[0-9a-f]{12}$", temp);
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetInfoAsync("x/" + temp, Ct));

        source.Release.SetResult();
        await put;

        Assert.Equal([("x/part", 3L * 1024 * 1024)], await ListAsync(store, ""));
        Assert.Equal(["part"], FileNames(client, _base + "/x"));
    }

    [Fact]
    public async Task A_put_cut_off_with_its_server_leaves_its_temporary_file_which_is_listed_and_removed_apart()
    {
        await using var forwarder = new TcpForwarder(SftpServer.Host, SftpServer.Port);
        var store = Track(new SftpStore(server.PasswordSettings(_base) with { Port = forwarder.Port }));
        var source = new HeldStream(3 * 1024 * 1024);
        var put = store.PutAsync("x/part", source, Ct);
        await source.Paused.WaitAsync(Ct);

        // The server goes away mid-put (as when the worker's process dies): nothing can remove the temporary file now.
        await forwarder.PauseAsync();
        source.Release.SetResult();
        await Assert.ThrowsAnyAsync<StoreException>(() => put);
        forwarder.Resume();

        using var client = SftpServer.Connect();
        var left = Assert.Single(FileNames(client, _base + "/x"));
        Assert.Matches(@"^\.part\.tmp-[0-9a-f]{12}$", left);
        Assert.Empty(await ListAsync(store, ""));
        var temporaries = await store.ListTemporaryAsync("", Ct).ToListAsync(Ct);
        var temporary = Assert.Single(temporaries);
        Assert.Equal("x/" + left, temporary.Name);
        Assert.InRange(temporary.Size, 1, 3 * 1024 * 1024);

        await store.DeleteTemporaryAsync(temporary.Name, Ct);

        Assert.Empty(await store.ListTemporaryAsync("", Ct).ToListAsync(Ct));
        Assert.False(client.Exists(_base + "/x"));
    }

    [Fact]
    public async Task Failed_and_cancelled_puts_remove_their_temporary_files()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));
        await store.PutAsync("x/keep", new MemoryStream([1]), Ct);

        await Assert.ThrowsAsync<SourceFailedException>(() =>
            store.PutAsync("x/part", new GeneratedStream(10_000_000) { FailAfter = 3_000_000 }, Ct));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.PutAsync("x/part", new GeneratedStream(10_000_000) { FailAfter = 3_000_000, CancelAt = cts }, cts.Token));

        using var client = SftpServer.Connect();
        Assert.Equal(["keep"], FileNames(client, _base + "/x"));
    }

    [Fact]
    public async Task Deleting_the_last_object_of_a_folder_removes_the_empty_folders_but_not_the_base()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));
        await store.PutAsync("site/backups/b1/db.part", new MemoryStream([1]), Ct);
        await store.PutAsync("site/other", new MemoryStream([1]), Ct);

        await store.DeleteAsync("site/backups/b1/db.part", Ct);

        using var client = SftpServer.Connect();
        Assert.False(client.Exists(_base + "/site/backups"));
        Assert.True(client.Exists(_base + "/site/other"));
        await store.DeleteAsync("site/other", Ct);
        Assert.False(client.Exists(_base + "/site"));
        Assert.True(client.Exists(_base));
    }

    [Fact]
    public async Task A_name_that_is_a_folder_is_neither_read_nor_deleted()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));
        await store.PutAsync("a/b", new MemoryStream([1]), Ct);

        Assert.Null(await store.GetInfoAsync("a", Ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadAsync("a", Ct));
        await store.DeleteAsync("a", Ct);
        await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("a/b/c", new MemoryStream([1]), Ct));

        Assert.Equal([("a/b", 1L)], await ListAsync(store, ""));
    }

    [Fact]
    public async Task An_absolute_base_path_is_used_as_it_is()
    {
        using var client = SftpServer.Connect();
        var absolute = client.WorkingDirectory.TrimEnd('/') + "/" + _base;
        var store = Track(new SftpStore(server.KeySettings(absolute)));

        await store.PutAsync("o", new MemoryStream([1, 2, 3]), Ct);

        Assert.Equal(3, client.GetAttributes(_base + "/o").Size);
        Assert.EndsWith(":" + SftpServer.Port + "/" + absolute, store.Location, StringComparison.Ordinal);
        Assert.Contains("//", store.Location["sftp://".Length..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_store_serves_parallel_calls_while_a_read_stream_stays_open()
    {
        var store = Track(new SftpStore(server.PasswordSettings(_base)));
        await store.PutAsync("held", new GeneratedStream(2_000_000, seed: 5), Ct);
        await using var held = await store.OpenReadAsync("held", Ct);
        held.ReadExactly(new byte[1000]);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await store.PutAsync($"p/{i}", new GeneratedStream(1_000_000 + i, seed: i), Ct);
            await using var read = await store.OpenReadAsync($"p/{i}", Ct);
            Assert.Equal(GeneratedStream.Sha256Of(1_000_000 + i, seed: i), await SHA256.HashDataAsync(read, Ct));
        }));

        Assert.Equal(8, (await ListAsync(store, "p/")).Count);
        var rest = new MemoryStream();
        await held.CopyToAsync(rest, Ct);
        Assert.Equal(2_000_000 - 1000, rest.Length);
    }

    [Fact]
    public async Task After_the_connection_breaks_the_store_reconnects_and_a_broken_read_is_transient()
    {
        await using var forwarder = new TcpForwarder(SftpServer.Host, SftpServer.Port);
        var store = Track(new SftpStore(server.PasswordSettings(_base) with { Port = forwarder.Port }));
        await store.PutAsync("big", new GeneratedStream(8_000_000), Ct);
        Assert.Equal(1, forwarder.Accepted);

        var stream = await store.OpenReadAsync("big", Ct);
        stream.ReadExactly(new byte[100_000]);
        forwarder.CutAll();
        var ex = await Assert.ThrowsAsync<StoreTransientException>(async () => await stream.CopyToAsync(Stream.Null, Ct));
        Assert.Equal(StoreFailureKind.Network, ex.Kind);
        await stream.DisposeAsync();

        // The idle connection went down with the cut too; the next calls connect anew.
        Assert.Equal(8_000_000, (await store.GetInfoAsync("big", Ct))!.Size);
        await using var again = await store.OpenReadAsync("big", Ct);
        Assert.Equal(GeneratedStream.Sha256Of(8_000_000), await SHA256.HashDataAsync(again, Ct));
        Assert.True(forwarder.Accepted >= 2);
    }

    [Fact]
    public void Location_and_ToString_show_where_but_no_secret()
    {
        var settings = server.PasswordSettings("backups/site1") with { PrivateKey = "-----BEGIN OPENSSH PRIVATE KEY-----secret", PrivateKeyPassphrase = "pp-XYZ-123" };
        var store = Track(new SftpStore(settings));

        Assert.Equal($"sftp://{SftpServer.User}@{SftpServer.Host}:{SftpServer.Port}/backups/site1", store.Location);
        var text = settings.ToString();
        Assert.Contains("backups/site1", text, StringComparison.Ordinal);
        Assert.Contains(SftpServer.HostKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(SftpServer.Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pp-XYZ-123", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../up")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    public void A_base_path_with_dot_or_empty_segments_is_refused(string basePath)
    {
        Assert.Throws<ArgumentException>(() => new SftpStore(server.PasswordSettings(basePath)));
    }

    private SftpStore Track(SftpStore store)
    {
        _stores.Add(store);
        return store;
    }

    private async Task<List<(string Name, long Size)>> ListAsync(SftpStore store, string prefix)
    {
        var result = new List<(string, long)>();
        await foreach (var info in store.ListAsync(prefix, Ct))
            result.Add((info.Name, info.Size));
        return result;
    }

    private static async Task AssertNetworkFailure(Func<Task> action)
    {
        var ex = await Assert.ThrowsAsync<StoreTransientException>(action);
        Assert.Equal(StoreFailureKind.Network, ex.Kind);
    }

    private static List<string> FileNames(SftpClient client, string folder) =>
        client.ListDirectory(folder).Select(f => f.Name).Where(n => n is not ("." or "..")).Order(StringComparer.Ordinal).ToList();

    private static UnixFileMode ModeOf(SftpFileAttributes attributes)
    {
        var mode = UnixFileMode.None;
        if (attributes.OwnerCanRead) mode |= UnixFileMode.UserRead;
        if (attributes.OwnerCanWrite) mode |= UnixFileMode.UserWrite;
        if (attributes.OwnerCanExecute) mode |= UnixFileMode.UserExecute;
        if (attributes.GroupCanRead) mode |= UnixFileMode.GroupRead;
        if (attributes.GroupCanWrite) mode |= UnixFileMode.GroupWrite;
        if (attributes.GroupCanExecute) mode |= UnixFileMode.GroupExecute;
        if (attributes.OthersCanRead) mode |= UnixFileMode.OtherRead;
        if (attributes.OthersCanWrite) mode |= UnixFileMode.OtherWrite;
        if (attributes.OthersCanExecute) mode |= UnixFileMode.OtherExecute;
        return mode;
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"{program} failed: {error}");
    }
}
