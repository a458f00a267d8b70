using System.Security.Cryptography;
using System.Text;

namespace BackupFunctions.Core.Encryption;

/// <summary>Derives the key of one part from the backup's data key.</summary>
public static class PartKeys
{
    public const int KeySize = 32;

    /// <summary>
    /// HKDF-SHA256 (no salt) of the 32-byte <paramref name="dataKey"/> with info
    /// <c>"backupfunctions/part/v1\0" + backupId + "\0" + partName</c> (UTF-8), 32 bytes. Binding the backup id and the
    /// part name into the key makes a part swapped in from another backup, or stored under another name, fail
    /// authentication. The caller zeroes the returned key when done.
    /// </summary>
    public static byte[] Derive(ReadOnlySpan<byte> dataKey, string backupId, string partName)
    {
        if (dataKey.Length != KeySize)
            throw new ArgumentException($"A data key is {KeySize} bytes, not {dataKey.Length}.", nameof(dataKey));
        CheckInfoField(backupId, nameof(backupId));
        CheckInfoField(partName, nameof(partName));

        var info = Encoding.UTF8.GetBytes($"backupfunctions/part/v1\0{backupId}\0{partName}");
        var key = new byte[KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, key, salt: [], info);
        return key;
    }

    /// <summary>NUL separates the fields of the info string, so it must not occur inside one.</summary>
    internal static void CheckInfoField(string value, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameterName);
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException("A NUL character is not allowed here.", parameterName);
    }
}
