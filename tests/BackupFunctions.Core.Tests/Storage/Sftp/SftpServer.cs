using System.Security.Cryptography;
using BackupFunctions.Core.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using Renci.SshNet;
using Renci.SshNet.Sftp;

namespace BackupFunctions.Core.Tests.Storage.Sftp;

/// <summary>
/// The test sshd (scripts/servers/sshd.sh) and a folder of its own for one test class, removed when the class is
/// done. bf_start_sshd exports BF_TEST_SFTP_*; the defaults match `bf_start_sshd /tmp/bfdev/sshd`.
/// </summary>
public sealed class SftpServer : IAsyncLifetime
{
    public static string Host => Environment.GetEnvironmentVariable("BF_TEST_SFTP_HOST") is { Length: > 0 } h ? h : "127.0.0.1";

    public static int Port => int.TryParse(Environment.GetEnvironmentVariable("BF_TEST_SFTP_PORT"), out var p) ? p : 2222;

    public static string User => Environment.GetEnvironmentVariable("BF_TEST_SFTP_USER") is { Length: > 0 } u ? u : "bfsftp";

    public static string Password => Environment.GetEnvironmentVariable("BF_TEST_SFTP_PASSWORD") is { Length: > 0 } p ? p : "S3cret-pass";

    public static string KeyFile => Environment.GetEnvironmentVariable("BF_TEST_SFTP_KEY_FILE") is { Length: > 0 } k ? k : "/tmp/bfdev/sshd/client_ed25519";

    /// <summary>The host key fingerprint; without the variable, that of the host key beside the default key file.</summary>
    public static string HostKey => Environment.GetEnvironmentVariable("BF_TEST_SFTP_HOST_KEY") is { Length: > 0 } f
        ? f
        : FingerprintOfPublicKeyFile(Path.Combine(Path.GetDirectoryName(KeyFile)!, "ssh_host_ed25519_key.pub"));

    /// <summary>This class's folder, relative to the login folder.</summary>
    public string Folder { get; } = TestEnvironment.UniqueName("bfstore");

    /// <summary>Settings for <see cref="Folder"/> (or <paramref name="basePath"/>) with password login.</summary>
    public SftpStoreSettings PasswordSettings(string? basePath = null) => new()
    {
        Host = Host,
        Port = Port,
        UserName = User,
        Password = Password,
        HostKeyFingerprint = HostKey,
        BasePath = basePath ?? Folder,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        OperationTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Settings for <see cref="Folder"/> (or <paramref name="basePath"/>) with key login.</summary>
    public SftpStoreSettings KeySettings(string? basePath = null) => PasswordSettings(basePath) with
    {
        Password = null,
        PrivateKey = File.ReadAllText(KeyFile),
    };

    /// <summary>A plain SSH.NET client (key login), to look at what the store left on the server.</summary>
    public static SftpClient Connect()
    {
        using var key = new PrivateKeyFile(KeyFile);
        var client = new SftpClient(Host, Port, User, key);
        client.Connect();
        return client;
    }

    public async Task InitializeAsync()
    {
        using var client = Connect();
        await client.CreateDirectoryAsync(Folder, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        using var client = Connect();
        await DeleteTreeAsync(client, Folder);
    }

    public static async Task DeleteTreeAsync(SftpClient client, string path)
    {
        SftpFileAttributes attributes;
        try
        {
            attributes = await client.GetAttributesAsync(path, CancellationToken.None);
        }
        catch (Renci.SshNet.Common.SftpPathNotFoundException)
        {
            return;
        }
        if (!attributes.IsDirectory)
        {
            await client.DeleteFileAsync(path, CancellationToken.None);
            return;
        }
        // A test may have taken the owner's rights away.
        client.ChangePermissions(path, 700);
        await foreach (var entry in client.ListDirectoryAsync(path, CancellationToken.None))
        {
            if (entry.Name is not ("." or ".."))
                await DeleteTreeAsync(client, entry.FullName);
        }
        await client.DeleteDirectoryAsync(path, CancellationToken.None);
    }

    /// <summary>
    /// Writes a file (and its folders) at <paramref name="path"/> (relative to the login folder) around any store: what
    /// a put whose process died leaves behind, say.
    /// </summary>
    public static async Task PlantAsync(string path, byte[] content)
    {
        using var client = Connect();
        var folder = "";
        foreach (var segment in path.Split('/')[..^1])
        {
            folder = folder.Length == 0 ? segment : folder + "/" + segment;
            if (!client.Exists(folder))
                await client.CreateDirectoryAsync(folder, CancellationToken.None);
        }
        await using var source = new MemoryStream(content);
        await client.UploadFileAsync(source, path, CancellationToken.None);
    }

    /// <summary>The SHA-256 fingerprint of an OpenSSH public key file, as <c>ssh-keygen -lf</c> prints it.</summary>
    public static string FingerprintOfPublicKeyFile(string path)
    {
        var blob = Convert.FromBase64String(File.ReadAllText(path).Split(' ')[1]);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }
}
