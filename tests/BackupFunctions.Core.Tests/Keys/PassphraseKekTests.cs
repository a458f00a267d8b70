using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using Org.BouncyCastle.Crypto.Generators;

namespace BackupFunctions.Core.Tests.Keys;

public sealed class PassphraseKekTests
{
    private const string Passphrase = "correct horse battery staple";

    [Theory]
    [InlineData("pbkdf2-sha256")]
    [InlineData("scrypt")]
    public async Task A_data_key_round_trips_through_another_instance_with_the_same_passphrase(string kdf)
    {
        var dataKey = DataKeys.Generate();
        var envelope = await new PassphraseKek(Passphrase, kdf).WrapAsync(dataKey, CancellationToken.None);

        Assert.Equal(dataKey, await new PassphraseKek(Passphrase).UnwrapAsync(envelope, CancellationToken.None));
        Assert.Equal(("passphrase", "passphrase", "A256GCM"), (envelope.KekType, envelope.KeyId, envelope.Algorithm));
        Assert.Equal(16, Convert.FromBase64String(envelope.Kdf!.Salt).Length);
        Assert.Equal(kdf, envelope.Kdf.Algorithm);
        if (kdf == "scrypt")
            Assert.Equal((1 << 17, 8, 1, (int?)null), (envelope.Kdf.CostN, envelope.Kdf.BlockSizeR, envelope.Kdf.ParallelismP, envelope.Kdf.Iterations));
        else
            Assert.Equal((600_000, (int?)null), (envelope.Kdf.Iterations, envelope.Kdf.CostN));
        Assert.DoesNotContain("horse", JsonSerializer.Serialize(envelope), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pbkdf2-sha256")]
    [InlineData("scrypt")]
    public async Task A_wrong_passphrase_is_an_integrity_error_that_does_not_echo_either_passphrase(string kdf)
    {
        var envelope = await new PassphraseKek(Passphrase, kdf).WrapAsync(DataKeys.Generate(), CancellationToken.None);

        var e = await Assert.ThrowsAsync<IntegrityException>(() =>
            new PassphraseKek("correct horse battery stapler").UnwrapAsync(envelope, CancellationToken.None));

        Assert.Contains("wrong passphrase", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("horse", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_instance_uses_one_salt_and_derives_once_while_each_instance_has_its_own_salt()
    {
        var kek = new PassphraseKek(Passphrase);
        var clock = Stopwatch.StartNew();
        var first = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        var firstWrap = clock.Elapsed;

        clock.Restart();
        var envelopes = new List<KeyEnvelope>();
        for (var i = 0; i < 10; i++)
            envelopes.Add(await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None));
        await kek.UnwrapAsync(envelopes[0], CancellationToken.None);

        // 600,000 PBKDF2 iterations take far longer than ten AES-GCM wraps and an unwrap with the cached key.
        Assert.True(clock.Elapsed < firstWrap / 2, $"first wrap {firstWrap}, ten more and an unwrap {clock.Elapsed}");
        Assert.All(envelopes, e => Assert.Equal(first.Kdf, e.Kdf));
        Assert.Equal(10, envelopes.Select(e => e.WrappedKey).Distinct().Count());
        Assert.NotEqual(first.Kdf!.Salt, new PassphraseKek(Passphrase).WrapParameters.Salt);
    }

    [Theory]
    [InlineData("pbkdf2-sha256", 599_999, null)]
    [InlineData("pbkdf2-sha256", 1_000, null)]
    [InlineData("scrypt", null, 1 << 14)]
    public async Task A_downgraded_envelope_is_refused_although_it_would_decrypt(string algorithm, int? iterations, int? costN)
    {
        var dataKey = DataKeys.Generate();
        var kdf = new KdfParameters
        {
            Algorithm = algorithm, Salt = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)),
            Iterations = iterations, CostN = costN, BlockSizeR = costN is null ? null : 8, ParallelismP = costN is null ? null : 1,
        };
        var kek = new PassphraseKek(Passphrase);
        // The same envelope at full strength unwraps: the weak one fails only because of its parameters.
        var fullStrength = kdf with { Iterations = iterations is null ? null : 600_000, CostN = costN is null ? null : 1 << 15 };
        Assert.Equal(dataKey, await kek.UnwrapAsync(WrapAsAnAttackerWould(dataKey, fullStrength), CancellationToken.None));

        var e = await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(WrapAsAnAttackerWould(dataKey, kdf), CancellationToken.None));

        Assert.Contains("downgraded", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pbkdf2-sha256", null, null)]
    [InlineData("pbkdf2-sha256", 1_000_000_000, null)]
    [InlineData("scrypt", null, (1 << 15) + 1)]
    [InlineData("scrypt", null, 1 << 20)]
    [InlineData("argon2id", 600_000, null)]
    public async Task Unreasonable_kdf_parameters_are_refused_without_deriving(string algorithm, int? iterations, int? costN)
    {
        var kek = new PassphraseKek(Passphrase);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        var edited = envelope with
        {
            Kdf = envelope.Kdf! with { Algorithm = algorithm, Iterations = iterations, CostN = costN, BlockSizeR = costN is null ? null : 8, ParallelismP = costN is null ? null : 1 },
        };

        // Deriving 10^9 PBKDF2 iterations takes minutes, scrypt N = 2^20 with r = 8 a GiB of memory: refusing is instant.
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(edited, CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"refusing took {clock.Elapsed}");
    }

    [Fact]
    public async Task Edited_envelopes_fail_as_integrity_errors()
    {
        var kek = new PassphraseKek(Passphrase);
        var envelope = await kek.WrapAsync(DataKeys.Generate(), CancellationToken.None);
        var wrapped = Convert.FromBase64String(envelope.WrappedKey);
        wrapped[20] ^= 0x80;
        var salt = Convert.FromBase64String(envelope.Kdf!.Salt);
        salt[0] ^= 0x01;

        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { WrappedKey = Convert.ToBase64String(wrapped) }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { Kdf = envelope.Kdf with { Salt = Convert.ToBase64String(salt) } }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { Kdf = envelope.Kdf with { Salt = "AAAA" } }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { Kdf = null }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { WrappedKey = "not base64!" }, CancellationToken.None));
        await Assert.ThrowsAsync<IntegrityException>(() => kek.UnwrapAsync(envelope with { KekType = "local" }, CancellationToken.None));
    }

    [Fact]
    public async Task The_passphrase_is_normalised_so_composed_and_decomposed_accents_agree()
    {
        var composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
        var decomposed = "cafe\u0301 au lait, s'il vous plai\u0302t";
        var dataKey = DataKeys.Generate();
        var envelope = await new PassphraseKek(composed).WrapAsync(dataKey, CancellationToken.None);

        Assert.Equal(dataKey, await new PassphraseKek(decomposed).UnwrapAsync(envelope, CancellationToken.None));
    }

    /// <summary>A well-formed envelope with chosen KDF parameters, made independently of <see cref="PassphraseKek"/>.</summary>
    private static KeyEnvelope WrapAsAnAttackerWould(byte[] dataKey, KdfParameters kdf)
    {
        var passphrase = Encoding.UTF8.GetBytes(Passphrase);
        var salt = Convert.FromBase64String(kdf.Salt);
        var key = kdf.Algorithm == "scrypt"
            ? SCrypt.Generate(passphrase, salt, kdf.CostN!.Value, kdf.BlockSizeR!.Value, kdf.ParallelismP!.Value, 32)
            : Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, kdf.Iterations!.Value, HashAlgorithmName.SHA256, 32);
        var wrapped = new byte[12 + 32 + 16];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
        using var aead = new AesGcm(key, 16);
        aead.Encrypt(wrapped.AsSpan(0, 12), dataKey, wrapped.AsSpan(12, 32), wrapped.AsSpan(44), "backupfunctions/dek-wrap/passphrase/v1"u8);
        return new KeyEnvelope("passphrase", "passphrase", "A256GCM", Convert.ToBase64String(wrapped)) { Kdf = kdf };
    }

    [Fact]
    public void An_empty_passphrase_or_unknown_kdf_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new PassphraseKek(""));
        var e = Assert.Throws<ArgumentException>(() => new PassphraseKek(Passphrase, "md5"));
        Assert.DoesNotContain("horse", e.Message, StringComparison.Ordinal);
    }
}
