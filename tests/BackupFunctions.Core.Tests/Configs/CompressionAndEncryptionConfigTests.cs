using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;

namespace BackupFunctions.Core.Tests.Configs;

/// <summary>A config may name every compression and encryption the format supports, and nothing else.</summary>
public sealed class CompressionAndEncryptionConfigTests
{
    private static readonly BackupConfig Valid = new()
    {
        Name = "site1",
        Files = new FilesSource { Root = "/srv/site1" },
        Schedule = new BackupSchedule { Frequency = "manual" },
        Storage = new StorageDestination { Type = "local", Path = "site1" },
    };

    public static TheoryData<string, string> Combinations()
    {
        var data = new TheoryData<string, string>();
        foreach (var compression in new[] { "zstd", "gzip", "brotli", "bzip2", "lzma", "none" })
        {
            foreach (var encryption in new[] { "aes-256-gcm", "chacha20-poly1305", "none" })
                data.Add(compression, encryption);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Every_combination_is_valid_and_maps_onto_part_settings(string compression, string encryption)
    {
        var config = Valid with
        {
            Compression = new CompressionOptions { Algorithm = compression, Level = 9 },
            Encryption = new EncryptionOptions { Algorithm = encryption },
        };

        Assert.Empty(BackupConfigValidator.Validate(config));
        var settings = BackupWriter.SettingsFor(config.Compression, config.Encryption);
        Assert.Equal(compression, CompressionStreams.Name(settings.Compression));
        Assert.Equal(encryption, EncryptionAlgorithms.Name(settings.Encryption));
        Assert.Equal(9, settings.CompressionLevel);
    }

    [Theory]
    [InlineData("rar", "aes-256-gcm", "compression.algorithm")]
    [InlineData("xz", "aes-256-gcm", "compression.algorithm")]
    [InlineData("ZSTD", "aes-256-gcm", "compression.algorithm")]
    [InlineData("zstd", "rot13", "encryption.algorithm")]
    [InlineData("zstd", "aes256", "encryption.algorithm")]
    public void Unknown_words_are_refused_naming_the_field_and_the_choices(string compression, string encryption, string field)
    {
        var config = Valid with
        {
            Compression = new CompressionOptions { Algorithm = compression },
            Encryption = new EncryptionOptions { Algorithm = encryption },
        };

        var errors = BackupConfigValidator.Validate(config);

        var message = Assert.Single(Assert.Single(errors, e => e.Key == field).Value);
        Assert.Contains(field.StartsWith("compression", StringComparison.Ordinal) ? "'lzma'" : "'chacha20-poly1305'", message, StringComparison.Ordinal);
    }
}
