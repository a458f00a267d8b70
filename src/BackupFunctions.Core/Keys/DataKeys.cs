using System.Security.Cryptography;

namespace BackupFunctions.Core.Keys;

/// <summary>Backup data keys (DEKs): one new random key per backup, stored only wrapped.</summary>
public static class DataKeys
{
    public const int Size = 32;

    /// <summary>A new 32-byte key from the system's cryptographic random generator. Zero it when done.</summary>
    public static byte[] Generate() => RandomNumberGenerator.GetBytes(Size);
}
