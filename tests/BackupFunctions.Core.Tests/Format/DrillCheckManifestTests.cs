using System.Text;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// The manifest's optional <c>database.checks</c> (docs/format.md): keyed digests, never answers; covered by the MAC;
/// manifests without it read as before.
/// </summary>
public sealed class DrillCheckManifestTests
{
    private readonly byte[] _dataKey = DataKeys.Generate();

    private static string DigestOf(ReadOnlySpan<byte> key, string backupId, string name, params string[] rows)
    {
        using var digest = DrillCheckDigest.Begin(key, backupId, name);
        foreach (var row in rows)
            digest.AddRow(row);
        return digest.Finish();
    }

    [Fact]
    public void The_digest_is_keyed_by_the_backup_and_binds_name_rows_and_their_boundaries()
    {
        var digest = DigestOf(_dataKey, "b1", "published", "(42)");

        Assert.StartsWith(DrillCheckDigest.KeyedPrefix, digest, StringComparison.Ordinal);
        Assert.Equal(digest, DigestOf(_dataKey, "b1", "published", "(42)"));
        Assert.NotEqual(digest, DigestOf(DataKeys.Generate(), "b1", "published", "(42)"));
        Assert.NotEqual(digest, DigestOf(_dataKey, "b2", "published", "(42)"));
        Assert.NotEqual(digest, DigestOf(_dataKey, "b1", "drafts", "(42)"));
        Assert.NotEqual(digest, DigestOf(_dataKey, "b1", "published", "(43)"));
        // Length-prefixed rows: moving a boundary, or adding an empty row, changes the digest.
        Assert.NotEqual(DigestOf(_dataKey, "b1", "c", "(1,2)", "(3)"), DigestOf(_dataKey, "b1", "c", "(1,2)(3)"));
        Assert.NotEqual(DigestOf(_dataKey, "b1", "c", "(1)"), DigestOf(_dataKey, "b1", "c", "(1)", ""));
        // The answer cannot be found by hashing guesses without the key: the keyed and the plain digest differ.
        Assert.NotEqual(digest[DrillCheckDigest.KeyedPrefix.Length..], DigestOf([], "b1", "published", "(42)")[DrillCheckDigest.PlainPrefix.Length..]);
        Assert.StartsWith(DrillCheckDigest.PlainPrefix, DigestOf([], "b1", "published", "(42)"), StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_round_trip_in_the_manifest_without_the_answers_and_under_the_MAC()
    {
        var manifest = Manifest([
            new RecordedDrillCheck { Name = "published", Query = DrillCheckDigest.QueryHash("SELECT count(*) FROM posts"), Rows = 1, Digest = DigestOf(_dataKey, "b1", "published", "(3750)") },
            new RecordedDrillCheck { Name = "broken", Query = DrillCheckDigest.QueryHash("SELECT nope"), Error = "42703" },
        ]);

        var bytes = ManifestFile.Write(manifest, _dataKey);
        var text = Encoding.UTF8.GetString(bytes);
        var read = ManifestFile.Read(bytes).Verify(_dataKey, "b1");

        Assert.Equivalent(manifest.Database!.Checks, read.Database!.Checks, strict: true);
        Assert.Contains("\"checks\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("3750", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SELECT", text, StringComparison.Ordinal);
        // Not written when null: the error entry has no rows/digest, the good one no error.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "\"error\""));

        // The MAC covers the field: a digest swapped in by someone who can write the destination is refused.
        var at = text.IndexOf("\"digest\": \"hmac-sha256:", StringComparison.Ordinal) + "\"digest\": \"hmac-sha256:".Length;
        var chars = text.ToCharArray();
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        var tampered = Encoding.UTF8.GetBytes(chars);
        Assert.NotEqual(bytes, tampered);
        Assert.Throws<IntegrityException>(() => ManifestFile.Read(tampered).Verify(_dataKey, "b1"));
    }

    [Fact]
    public void A_manifest_without_checks_reads_as_before_and_writes_no_field()
    {
        var manifest = Manifest(null);

        var bytes = ManifestFile.Write(manifest, _dataKey);
        var read = ManifestFile.Read(bytes).Verify(_dataKey, "b1");

        Assert.Null(read.Database!.Checks);
        Assert.DoesNotContain("\"checks\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    private static BackupManifest Manifest(IReadOnlyList<RecordedDrillCheck>? checks) => new()
    {
        BackupId = "b1",
        ConfigId = "cfg-1",
        CreatedAt = new DateTimeOffset(2026, 12, 6, 4, 0, 0, TimeSpan.Zero),
        CompletedAt = new DateTimeOffset(2026, 12, 6, 4, 1, 0, TimeSpan.Zero),
        Compression = "zstd",
        CompressionLevel = 3,
        Encryption = "aes-256-gcm",
        ChunkSize = 1024 * 1024,
        Key = new KeyEnvelope("local", "local:0123456789abcdef", "A256GCM", "bm9uY2UrY2lwaGVydGV4dCt0YWc="),
        Objects = [new StoredPart("db.part", "database", 10, new string('a', 64), 20)],
        Statistics = new BackupStatistics { DatabaseTables = 1, DatabaseDumpBytes = 20 },
        Database = new DatabaseSourceInfo { Database = "cms", ServerVersion = "15.8", Tables = [new TableRowCount("public.posts", 5000)], Checks = checks },
        Tool = "backupfunctions/test",
    };
}
