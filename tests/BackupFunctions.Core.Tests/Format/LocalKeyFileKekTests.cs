using System.Security.Cryptography;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Format;

public sealed class LocalKeyFileKekTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Wrap_and_unwrap_round_trip()
    {
        var path = _folder.Combine("backup.key");
        LocalKeyFileKek.Create(path);
        var kek = new LocalKeyFileKek(path);
        var dataKey = DataKeys.Generate();

        var envelope = await kek.WrapAsync(dataKey, CancellationToken.None);

        Assert.Equal("local", envelope.KekType);
        Assert.Equal("A256GCM", envelope.Algorithm);
        var fileKey = Convert.FromBase64String(File.ReadAllText(path));
        Assert.Equal(32, fileKey.Length);
        Assert.Equal("local:" + Convert.ToHexStringLower(SHA256.HashData(fileKey))[..16], envelope.KeyId);
        Assert.Equal(12 + 32 + 16, Convert.FromBase64String(envelope.WrappedKey).Length);
        Assert.Equal(dataKey, await kek.UnwrapAsync(envelope, CancellationToken.None));
        Assert.Equal(dataKey, await new LocalKeyFileKek(path).UnwrapAsync(envelope, CancellationToken.None));

        var again = await kek.WrapAsync(dataKey, CancellationToken.None);
        Assert.NotEqual(envelope.WrappedKey, again.WrappedKey); // fresh nonce each time
    }

    [Fact]
    public async Task Another_key_file_cannot_unwrap_and_says_which_key_is_needed()
    {
        var first = CreateKek("first.key");
        var second = CreateKek("second.key");
        var envelope = await first.WrapAsync(DataKeys.Generate(), CancellationToken.None);

        var e = await Assert.ThrowsAsync<IntegrityException>(() => second.UnwrapAsync(envelope, CancellationToken.None));
        Assert.Contains(first.KeyId, e.Message, StringComparison.Ordinal);
        AssertNoKeyMaterial(e.Message);

        // Even with the key id edited to match, the other key does not authenticate the envelope.
        e = await Assert.ThrowsAsync<IntegrityException>(() => second.UnwrapAsync(envelope with { KeyId = second.KeyId }, CancellationToken.None));
        AssertNoKeyMaterial(e.Message);
    }

    [Fact]
    public async Task An_edited_envelope_is_refused()
    {
        var kek = CreateKek("backup.key");
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        var wrapped = Convert.FromBase64String(envelope.WrappedKey);

        for (var position = 0; position < wrapped.Length; position += 7)
        {
            var edited = (byte[])wrapped.Clone();
            edited[position] ^= 0x01;
            await Assert.ThrowsAsync<IntegrityException>(() =>
                kek.UnwrapAsync(envelope with { WrappedKey = Convert.ToBase64String(edited) }, CancellationToken.None));
        }
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { WrappedKey = "not base64!" }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { WrappedKey = Convert.ToBase64String(wrapped[..^1]) }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { Algorithm = "RSA-OAEP-256" }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { KekType = "keyvault" }, CancellationToken.None));
    }

    [Fact]
    public void The_key_file_is_owner_only()
    {
        if (OperatingSystem.IsWindows())
            return; // Unix permissions only
        var path = _folder.Combine("backup.key");

        LocalKeyFileKek.Create(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Create_refuses_to_overwrite()
    {
        var path = _folder.Combine("backup.key");
        LocalKeyFileKek.Create(path);
        var before = File.ReadAllText(path);

        var e = Assert.Throws<IOException>(() => LocalKeyFileKek.Create(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void A_missing_or_malformed_key_file_is_named()
    {
        var missing = _folder.Combine("missing.key");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => new LocalKeyFileKek(missing)).Message, StringComparison.Ordinal);

        var notBase64 = _folder.Combine("text.key");
        File.WriteAllText(notBase64, "this is not base64!");
        Assert.Contains(notBase64, Assert.Throws<InvalidDataException>(() => new LocalKeyFileKek(notBase64)).Message, StringComparison.Ordinal);

        var tooShort = _folder.Combine("short.key");
        File.WriteAllText(tooShort, Convert.ToBase64String(new byte[16]));
        Assert.Contains(tooShort, Assert.Throws<InvalidDataException>(() => new LocalKeyFileKek(tooShort)).Message, StringComparison.Ordinal);
    }

    private LocalKeyFileKek CreateKek(string name)
    {
        var path = _folder.Combine(name);
        LocalKeyFileKek.Create(path);
        return new LocalKeyFileKek(path);
    }

    private void AssertNoKeyMaterial(string message)
    {
        foreach (var file in Directory.GetFiles(_folder.Path))
            Assert.DoesNotContain(File.ReadAllText(file).Trim(), message, StringComparison.Ordinal);
    }
}
