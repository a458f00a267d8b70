using System.Text;
using System.Text.Json;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Tests.Format;

public sealed class ManifestFileTests
{
    private readonly byte[] _dataKey = DataKeys.Generate();

    private static BackupManifest FullManifest() => new()
    {
        BackupId = "20250102T030405Z-abc123",
        ConfigId = "site1-nightly",
        Type = "full",
        CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 678, TimeSpan.Zero),
        CompletedAt = new DateTimeOffset(2025, 1, 2, 3, 9, 0, TimeSpan.FromHours(2)),
        Compression = "zstd",
        CompressionLevel = 6,
        Encryption = "aes-256-gcm",
        ChunkSize = 1024 * 1024,
        Key = new KeyEnvelope("local", "local:0123456789abcdef", "A256GCM", "bm9uY2UrY2lwaGVydGV4dCt0YWc="),
        Objects =
        [
            new StoredPart("db.part", "database", 12_345, new string('a', 64), 99_999),
            new StoredPart("files-00001.part", "files", 5_000_000_000, new string('b', 64), 7_000_000_000),
            new StoredPart("index.bin", "index", 1_024, new string('c', 64), 4_096),
        ],
        Statistics = new BackupStatistics
        {
            Files = 1200,
            Folders = 80,
            FilesBytes = 7_000_000_000,
            DatabaseTables = 12,
            DatabaseDumpBytes = 99_999,
            OriginalBytes = 7_000_099_999,
            StoredBytes = 5_000_013_369,
            CompressionRatio = 1.4000147326581967,
            DurationSeconds = 295.25,
        },
        Database = new DatabaseSourceInfo
        {
            Database = "cms",
            ServerVersion = "PostgreSQL 15.8",
            Tables = [new TableRowCount("public.wp_posts", 1234), new TableRowCount("public.\"Ünïcode\"", 0)],
        },
        Tool = "backupfunctions/0.1.0",
    };

    [Fact]
    public void Write_read_verify_round_trips_every_field()
    {
        var expected = FullManifest();

        var bytes = ManifestFile.Write(expected, _dataKey);
        var actual = ManifestFile.Read(bytes).Verify(_dataKey, expected.BackupId);

        Assert.Equal(expected.FormatVersion, actual.FormatVersion);
        Assert.Equal(expected.BackupId, actual.BackupId);
        Assert.Equal(expected.ConfigId, actual.ConfigId);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.CreatedAt.Offset, actual.CreatedAt.Offset);
        Assert.Equal(expected.CompletedAt, actual.CompletedAt);
        Assert.Equal(expected.CompletedAt.Offset, actual.CompletedAt.Offset);
        Assert.Equal(expected.Compression, actual.Compression);
        Assert.Equal(expected.CompressionLevel, actual.CompressionLevel);
        Assert.Equal(expected.Encryption, actual.Encryption);
        Assert.Equal(expected.ChunkSize, actual.ChunkSize);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Objects, actual.Objects);
        Assert.Equal(expected.Statistics, actual.Statistics);
        Assert.Equal(expected.Database!.Database, actual.Database!.Database);
        Assert.Equal(expected.Database.ServerVersion, actual.Database.ServerVersion);
        Assert.Equal(expected.Database.Tables, actual.Database.Tables);
        Assert.Equal(expected.Tool, actual.Tool);
    }

    [Fact]
    public void Without_a_database_the_field_stays_null()
    {
        var bytes = ManifestFile.Write(FullManifest() with { Database = null }, _dataKey);
        Assert.Null(ManifestFile.Read(bytes).Verify(_dataKey).Database);
    }

    [Fact]
    public void The_file_is_readable_camelCase_JSON_with_a_mac_and_the_manifest()
    {
        var bytes = ManifestFile.Write(FullManifest(), _dataKey);

        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        Assert.StartsWith("hmac-sha256:", root.GetProperty("mac").GetString(), StringComparison.Ordinal);
        var manifest = root.GetProperty("manifest");
        Assert.Equal(1, manifest.GetProperty("formatVersion").GetInt32());
        Assert.Equal("20250102T030405Z-abc123", manifest.GetProperty("backupId").GetString());
        Assert.Equal("db.part", manifest.GetProperty("objects")[0].GetProperty("name").GetString());
        Assert.Equal("A256GCM", manifest.GetProperty("key").GetProperty("algorithm").GetString());
        Assert.Contains("\n    \"backupId\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal); // indented
    }

    [Fact]
    public void An_edited_manifest_fails_verification()
    {
        var bytes = ManifestFile.Write(FullManifest(), _dataKey);
        var text = Encoding.UTF8.GetString(bytes);

        string[] edits =
        [
            text.Replace("\"rows\": 1234", "\"rows\": 1235", StringComparison.Ordinal),
            text.Replace("files-00001.part", "files-00002.part", StringComparison.Ordinal),
            text.Replace("\"formatVersion\": 1,", "\"formatVersion\":  1,", StringComparison.Ordinal), // whitespace counts: the MAC is over the exact bytes
        ];
        foreach (var edited in edits)
        {
            Assert.NotEqual(text, edited);
            // Refused when read (a volume name that breaks the volume contract) or when verified (the MAC).
            var e = Assert.Throws<IntegrityException>(() => ManifestFile.Read(Encoding.UTF8.GetBytes(edited)).Verify(_dataKey));
            Assert.Equal("manifest.json", e.ObjectName);
        }

        var macEdited = (byte[])bytes.Clone();
        var macAt = text.IndexOf("hmac-sha256:", StringComparison.Ordinal) + "hmac-sha256:".Length;
        macEdited[macAt] = macEdited[macAt] == (byte)'A' ? (byte)'B' : (byte)'A';
        Assert.Throws<IntegrityException>(() => ManifestFile.Read(macEdited).Verify(_dataKey));
    }

    [Fact]
    public void Whitespace_outside_the_manifest_value_does_not_matter()
    {
        var bytes = ManifestFile.Write(FullManifest(), _dataKey);
        var reformatted = Encoding.UTF8.GetBytes("\n  " + Encoding.UTF8.GetString(bytes) + "\n\n");
        Assert.Equal(FullManifest().BackupId, ManifestFile.Read(reformatted).Verify(_dataKey).BackupId);
    }

    [Fact]
    public void The_wrong_key_fails_verification()
    {
        var unverified = ManifestFile.Read(ManifestFile.Write(FullManifest(), _dataKey));

        var e = Assert.Throws<IntegrityException>(() => unverified.Verify(DataKeys.Generate()));
        Assert.Equal("manifest.json", e.ObjectName);
    }

    [Fact]
    public void The_manifest_of_another_backup_fails_verification_against_the_expected_id()
    {
        var unverified = ManifestFile.Read(ManifestFile.Write(FullManifest(), _dataKey));

        var e = Assert.Throws<IntegrityException>(() => unverified.Verify(_dataKey, "some-other-backup"));
        Assert.Contains("some-other-backup", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_format_version_is_not_supported()
    {
        // Versions 1 and 2 are read (docs/format.md, "Versions"); the next one is not.
        var bytes = ManifestFile.Write(FullManifest() with { FormatVersion = 3 }, _dataKey);

        var e = Assert.Throws<NotSupportedException>(() => ManifestFile.Read(bytes));
        Assert.Contains("version 3", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"mac\": \"hmac-sha256:AAAA\", \"manifest\": {\"formatVersion\": 1}}")]
    [InlineData("{\"manifest\": {\"formatVersion\": 1}}")]
    [InlineData("{\"mac\": \"sha1:AAAA\", \"manifest\": {\"formatVersion\": 1}}")]
    [InlineData("{\"mac\": \"x\", \"manifest\": {\"formatVersion\": 1}, \"manifest\": {\"formatVersion\": 1}}")]
    public void Malformed_files_are_integrity_failures(string text)
    {
        var e = Assert.Throws<IntegrityException>(() => ManifestFile.Read(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("manifest.json", e.ObjectName);
    }

    [Fact]
    public void A_version_2_manifest_with_volumes_and_a_part_of_its_own_compression_round_trips()
    {
        var manifest = FullManifest() with
        {
            FormatVersion = 2,
            Objects =
            [
                new StoredPart("files-00001.part", "files", 10, new string('b', 64), 20),
                new StoredPart("files-00002.part", "files", 30, new string('d', 64), 30, Compression: "none"),
                new StoredPart("files-00003.part", "files", 5, new string('e', 64), 9),
                new StoredPart("index.bin", "index", 1_024, new string('c', 64), 4_096),
            ],
        };

        var read = ManifestFile.Read(ManifestFile.Write(manifest, _dataKey)).Verify(_dataKey);

        Assert.Equal(2, read.FormatVersion);
        Assert.Equal(manifest.Objects, read.Objects);
        Assert.Equal(["files-00001.part", "files-00002.part", "files-00003.part"], ManifestVolumes.Of(read).Select(v => v.Name));
        Assert.Equal("none", read.Objects[1].CompressionIn(read));
        Assert.Equal("zstd", read.Objects[0].CompressionIn(read));
    }

    [Fact]
    public void A_part_without_its_own_compression_serializes_as_in_version_1()
    {
        var text = Encoding.UTF8.GetString(ManifestFile.Write(FullManifest(), _dataKey));

        // Only the manifest's own "compression" (and its level): no part carries the optional field.
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(text, "\"compression\":"));
    }

    public static TheoryData<int, string[], string?, string> BrokenVolumes => new()
    {
        { 1, ["files-00001.part", "files-00002.part"], null, "format version 1 has at most one files volume" },
        { 1, ["files-00001.part"], "none", "only format version 2 may have" },
        { 2, ["files-00001.part", "files-00003.part"], null, "without gaps" },
        { 2, ["files-00002.part"], null, "without gaps" },
        { 2, ["files-1.part"], null, "is not named files-NNNNN.part" },
        { 2, ["files-00000.part"], null, "is not named files-NNNNN.part" },
        { 2, ["files-00001.part", "files-00001.part"], null, "listed twice" },
        { 2, ["files-00001.part"], "", "empty compression" },
    };

    [Theory]
    [MemberData(nameof(BrokenVolumes))]
    public void Volumes_that_break_the_contract_are_refused_as_damaged(int version, string[] volumes, string? ownCompression, string reason)
    {
        var manifest = FullManifest() with
        {
            FormatVersion = version,
            Objects =
            [
                .. volumes.Select((name, i) => new StoredPart(name, "files", 10, new string('b', 64), 20, i == 0 ? ownCompression : null)),
                new StoredPart("index.bin", "index", 1_024, new string('c', 64), 4_096),
            ],
        };

        var e = Assert.Throws<IntegrityException>(() => ManifestFile.Read(ManifestFile.Write(manifest, _dataKey)));

        Assert.Equal("manifest.json", e.ObjectName);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_file_or_a_missing_required_field_is_an_integrity_failure()
    {
        var bytes = ManifestFile.Write(FullManifest(), _dataKey);
        Assert.Throws<IntegrityException>(() => ManifestFile.Read(bytes.AsSpan(0, bytes.Length - 3)));

        var withoutTool = Encoding.UTF8.GetString(bytes).Replace("\"tool\"", "\"toolX\"", StringComparison.Ordinal);
        Assert.Throws<IntegrityException>(() => ManifestFile.Read(Encoding.UTF8.GetBytes(withoutTool)));
    }

    private static BackupManifest UnencryptedManifest() => FullManifest() with { Encryption = "none", Key = null };

    [Theory]
    [InlineData("aes-256-gcm")]
    [InlineData("chacha20-poly1305")]
    public void Both_aeads_are_authenticated_alike(string encryption)
    {
        var bytes = ManifestFile.Write(FullManifest() with { Encryption = encryption }, _dataKey);
        var unverified = ManifestFile.Read(bytes);

        Assert.True(unverified.IsAuthenticated);
        Assert.Equal(encryption, unverified.Verify(_dataKey).Encryption);
        Assert.Throws<IntegrityException>(() => unverified.Verify(DataKeys.Generate()));
    }

    [Fact]
    public void Without_encryption_the_manifest_has_null_mac_and_key_and_reads_back()
    {
        var expected = UnencryptedManifest();

        var bytes = ManifestFile.Write(expected, ReadOnlySpan<byte>.Empty);

        using (var document = JsonDocument.Parse(bytes))
        {
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("mac").ValueKind);
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("manifest").GetProperty("key").ValueKind);
        }
        var unverified = ManifestFile.Read(bytes);
        Assert.False(unverified.IsAuthenticated);
        var actual = unverified.Verify(ReadOnlySpan<byte>.Empty, expected.BackupId);
        Assert.Null(actual.Key);
        Assert.Equal("none", actual.Encryption);
        Assert.Equal(expected.Objects, actual.Objects);
        Assert.Throws<IntegrityException>(() => unverified.Verify(ReadOnlySpan<byte>.Empty, "some-other-backup"));
    }

    [Theory]
    [InlineData("aes-256-gcm")]
    [InlineData("chacha20-poly1305")]
    [InlineData("some-future-aead")]
    public void An_unauthenticated_manifest_that_claims_encryption_is_refused(string encryption)
    {
        // An encrypted backup's manifest with its MAC stripped (and edited at will) must not be accepted.
        var text = Encoding.UTF8.GetString(ManifestFile.Write(FullManifest() with { Encryption = encryption }, _dataKey));
        var macStart = text.IndexOf("\"hmac-sha256:", StringComparison.Ordinal);
        var stripped = text[..macStart] + "null" + text[(text.IndexOf('"', macStart + 1) + 1)..];

        var e = Assert.Throws<IntegrityException>(() => ManifestFile.Read(Encoding.UTF8.GetBytes(stripped)));
        Assert.Equal("manifest.json", e.ObjectName);
        Assert.Contains(encryption, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_manifest_whose_mac_key_and_encryption_disagree_is_refused()
    {
        var unencrypted = Encoding.UTF8.GetString(ManifestFile.Write(UnencryptedManifest(), ReadOnlySpan<byte>.Empty));
        var encrypted = Encoding.UTF8.GetString(ManifestFile.Write(FullManifest(), _dataKey));
        const string KeyJson = "{ \"kekType\": \"local\", \"keyId\": \"k\", \"algorithm\": \"A256GCM\", \"wrappedKey\": \"AA==\" }";

        string[] inconsistent =
        [
            // encryption none, but with a MAC
            unencrypted.Replace("\"mac\": null", "\"mac\": \"hmac-sha256:" + Convert.ToBase64String(new byte[32]) + "\"", StringComparison.Ordinal),
            // encryption none, but with a key envelope
            unencrypted.Replace("\"key\": null", "\"key\": " + KeyJson, StringComparison.Ordinal),
            // encrypted, with a MAC, but no key envelope
            encrypted[..encrypted.IndexOf("\"key\": {", StringComparison.Ordinal)] + "\"key\": null,"
                + encrypted[(encrypted.IndexOf('}', encrypted.IndexOf("\"key\": {", StringComparison.Ordinal)) + 2)..],
        ];
        foreach (var text in inconsistent)
        {
            Assert.NotEqual(unencrypted, text);
            var e = Assert.Throws<IntegrityException>(() => ManifestFile.Read(Encoding.UTF8.GetBytes(text)));
            Assert.Equal("manifest.json", e.ObjectName);
        }
    }

    [Fact]
    public void Writing_a_key_envelope_that_does_not_fit_the_encryption_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ManifestFile.Write(UnencryptedManifest() with { Key = FullManifest().Key }, _dataKey));
        Assert.Throws<ArgumentException>(() => ManifestFile.Write(FullManifest() with { Key = null }, _dataKey));
    }

    [Fact]
    public void An_unknown_encryption_word_with_a_mac_is_not_supported_when_parts_are_read()
    {
        var bytes = ManifestFile.Write(FullManifest() with { Encryption = "aes-512-gcm" }, _dataKey);
        var manifest = ManifestFile.Read(bytes).Verify(_dataKey);

        var e = Assert.Throws<NotSupportedException>(() => EncryptionAlgorithms.Parse(manifest.Encryption));
        Assert.Contains("aes-512-gcm", e.Message, StringComparison.Ordinal);
    }
}
