using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Encryption;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The digest of one drill check's answer, as recorded in the manifest and recomputed by the drill. The manifest is
/// plain JSON, so the answer (a count of customers, an e-mail address) must not be readable from it: the digest is
/// HMAC-SHA256 keyed by HKDF-SHA256 (no salt) of the backup's data key with info
/// <c>"backupfunctions/check/v1\0" + backupId</c> — the derivation of part and manifest keys with its own label.
/// A backup without encryption has no data key and its dump is readable anyway: there the digest is plain SHA-256.
/// </summary>
/// <remarks>
/// The input is canonical: <c>"bf-check/v1\0" + name + "\0"</c>, then each row as the server's text form of the
/// whole row (<c>(1,"a b",)</c>; NULL and empty text differ) in byte order, each preceded by its UTF-8 length
/// (8 bytes big-endian), then the row count (8 bytes big-endian). The rows are sorted by the server
/// (<c>COLLATE "C"</c>), so the digest does not depend on the order a restored table happens to return them in.
/// </remarks>
public sealed class DrillCheckDigest : IDisposable
{
    public const string KeyedPrefix = "hmac-sha256:";
    public const string PlainPrefix = "sha256:";

    private readonly IncrementalHash _hash;
    private readonly bool _keyed;
    private long _rows;

    private DrillCheckDigest(IncrementalHash hash, bool keyed, string checkName)
    {
        _hash = hash;
        _keyed = keyed;
        _hash.AppendData(Encoding.UTF8.GetBytes($"bf-check/v1\0{checkName}\0"));
    }

    /// <summary>Starts the digest of check <paramref name="checkName"/>; an empty <paramref name="dataKey"/> means a backup without encryption.</summary>
    public static DrillCheckDigest Begin(ReadOnlySpan<byte> dataKey, string backupId, string checkName)
    {
        PartKeys.CheckInfoField(checkName, nameof(checkName));
        if (dataKey.IsEmpty)
            return new DrillCheckDigest(IncrementalHash.CreateHash(HashAlgorithmName.SHA256), keyed: false, checkName);
        if (dataKey.Length != PartKeys.KeySize)
            throw new ArgumentException($"A data key is {PartKeys.KeySize} bytes, not {dataKey.Length}.", nameof(dataKey));
        PartKeys.CheckInfoField(backupId, nameof(backupId));
        Span<byte> key = stackalloc byte[PartKeys.KeySize];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, key, salt: [], Encoding.UTF8.GetBytes($"backupfunctions/check/v1\0{backupId}"));
            return new DrillCheckDigest(IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key), keyed: true, checkName);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public long Rows => _rows;

    /// <summary>Adds the next row (in the server's sort order), as the server's text of the whole row.</summary>
    public void AddRow(string rowText)
    {
        ArgumentNullException.ThrowIfNull(rowText);
        var bytes = Encoding.UTF8.GetBytes(rowText);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(length, bytes.Length);
        _hash.AppendData(length);
        _hash.AppendData(bytes);
        _rows++;
    }

    /// <summary>The digest as the manifest holds it (<see cref="KeyedPrefix"/> or <see cref="PlainPrefix"/> + base64).</summary>
    public string Finish()
    {
        Span<byte> count = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(count, _rows);
        _hash.AppendData(count);
        return (_keyed ? KeyedPrefix : PlainPrefix) + Convert.ToBase64String(_hash.GetHashAndReset());
    }

    /// <summary>SHA-256 (lowercase hex) of the query's UTF-8 text (<see cref="RecordedDrillCheck.Query"/>).</summary>
    public static string QueryHash(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
    }

    public void Dispose() => _hash.Dispose();
}
