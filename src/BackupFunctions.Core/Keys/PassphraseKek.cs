using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Format;
using Org.BouncyCastle.Crypto.Generators;

namespace BackupFunctions.Core.Keys;

/// <summary>
/// A key-encryption key derived from a passphrase (PBKDF2-SHA256 ≥ 600,000 iterations, or scrypt N ≥ 2^15) with a
/// random salt; the KDF parameters travel in the envelope (<see cref="KeyEnvelope.Kdf"/>).
/// </summary>
/// <remarks>
/// The passphrase is normalised to Unicode NFC and encoded as UTF-8, so the same passphrase typed on another system
/// derives the same key. Each instance draws one random salt and derives its wrapping key once (on first wrap); unwrap
/// derives from the envelope's own parameters and caches the result per (algorithm, salt, parameters).
/// Envelope: <c>WrappedKey</c> = base64(nonce(12) ‖ ciphertext(32) ‖ tag(16)), AES-256-GCM with associated data
/// <c>"backupfunctions/dek-wrap/passphrase/v1"</c>, <c>KeyId</c> = <c>"passphrase"</c> (a fingerprint would let
/// anyone holding a manifest test passphrase guesses cheaply).
/// Unwrap refuses parameters below the minimums (a downgraded envelope) and above sane maxima (an envelope edited to
/// make us burn CPU or memory), both as <see cref="IntegrityException"/>.
/// </remarks>
public sealed class PassphraseKek : IKeyEncryptionKey
{
    public const string Pbkdf2Sha256 = "pbkdf2-sha256";
    public const string Scrypt = "scrypt";
    public const string WrapAlgorithm = "A256GCM";
    public const string PassphraseKeyId = "passphrase";

    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int MinimumIterations = 600_000;
    public const int MaximumIterations = 10_000_000;

    /// <summary>scrypt cost N used for new wraps (2^17: 128 MiB with r = 8, well under a second).</summary>
    public const int DefaultCostN = 1 << 17;
    public const int MinimumCostN = 1 << 15;
    public const int ScryptBlockSize = 8;
    public const int ScryptParallelism = 1;

    /// <summary>scrypt needs 128·N·r bytes; more than this from an envelope is refused.</summary>
    private const long MaximumScryptMemory = 256L * 1024 * 1024;
    private const int SaltSize = 16;
    private const int MinimumSaltSize = 16;
    private const int MaximumSaltSize = 64;
    private const int KeySize = 32;
    private const string WrongPassphrase = "Wrong passphrase or damaged key envelope: the wrapped data key does not authenticate.";
    private static readonly byte[] AssociatedData = "backupfunctions/dek-wrap/passphrase/v1"u8.ToArray();

    private readonly byte[] _passphrase;
    private readonly KdfParameters _wrapParameters;
    private readonly ConcurrentDictionary<string, KdfParameters> _otherWrapParameters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<KdfParameters, Lazy<byte[]>> _derivedKeys = new();

    /// <param name="passphrase">Any non-empty text; never logged or put in messages.</param>
    /// <param name="kdf"><c>pbkdf2-sha256</c> (default) or <c>scrypt</c>: used for new wraps; unwrap follows the envelope.</param>
    /// <exception cref="ArgumentException">The passphrase is empty or the KDF unknown.</exception>
    public PassphraseKek(string passphrase, string kdf = Pbkdf2Sha256)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        ArgumentNullException.ThrowIfNull(kdf);
        // Not ThrowIfNullOrEmpty: its message would be fine, but keep every message here free of the value by construction.
        if (passphrase.Length == 0)
            throw new ArgumentException("The passphrase is empty.", nameof(passphrase));

        _wrapParameters = NewWrapParameters(kdf);
        _passphrase = Encoding.UTF8.GetBytes(passphrase.Normalize(NormalizationForm.FormC));
    }

    public string KekType => "passphrase";

    /// <summary>Fresh parameters (a new random salt) for new wraps with <paramref name="kdf"/>.</summary>
    private static KdfParameters NewWrapParameters(string kdf)
    {
        var salt = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltSize));
        return kdf.ToLowerInvariant() switch
        {
            Pbkdf2Sha256 => new KdfParameters { Algorithm = Pbkdf2Sha256, Salt = salt, Iterations = MinimumIterations },
            Scrypt => new KdfParameters
            {
                Algorithm = Scrypt, Salt = salt, CostN = DefaultCostN, BlockSizeR = ScryptBlockSize, ParallelismP = ScryptParallelism,
            },
            _ => throw new ArgumentException($"Unknown passphrase KDF '{kdf}': use {Pbkdf2Sha256} or {Scrypt}.", nameof(kdf)),
        };
    }

    /// <summary>The KDF parameters (with this instance's salt) that new wraps record.</summary>
    public KdfParameters WrapParameters => _wrapParameters;

    public Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken)
    {
        if (dataKey.Length != DataKeys.Size)
            throw new ArgumentException($"A data key is {DataKeys.Size} bytes, not {dataKey.Length}.", nameof(dataKey));

        return Task.FromResult(Wrap(dataKey, _wrapParameters));
    }

    /// <summary>
    /// As <see cref="WrapAsync(ReadOnlyMemory{byte}, CancellationToken)"/>, the key derived with <paramref name="kdf"/>
    /// (<c>pbkdf2-sha256</c> or <c>scrypt</c>) rather than the instance's default: a config's <c>keyDerivation</c>.
    /// Each KDF gets its own salt once per instance, so it is derived once.
    /// </summary>
    public Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, string kdf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kdf);
        if (dataKey.Length != DataKeys.Size)
            throw new ArgumentException($"A data key is {DataKeys.Size} bytes, not {dataKey.Length}.", nameof(dataKey));
        var name = kdf.ToLowerInvariant();
        var parameters = name == _wrapParameters.Algorithm ? _wrapParameters : _otherWrapParameters.GetOrAdd(name, NewWrapParameters);
        return Task.FromResult(Wrap(dataKey, parameters));
    }

    private KeyEnvelope Wrap(ReadOnlyMemory<byte> dataKey, KdfParameters parameters)
    {
        var key = DeriveCached(parameters);
        return new KeyEnvelope(KekType, PassphraseKeyId, WrapAlgorithm, AesGcmKeyWrap.Wrap(key, dataKey.Span, AssociatedData))
        {
            Kdf = parameters,
        };
    }

    public Task<byte[]> UnwrapAsync(KeyEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.KekType != KekType)
            throw new IntegrityException($"The data key was wrapped by a '{envelope.KekType}' key, not a passphrase.");
        if (envelope.Algorithm != WrapAlgorithm)
            throw new IntegrityException($"Wrap algorithm '{envelope.Algorithm}' is not {WrapAlgorithm}.");
        var parameters = envelope.Kdf ?? throw new IntegrityException("The passphrase key envelope has no KDF parameters.");
        CheckParameters(parameters);
        var key = DeriveCached(parameters);
        var dataKey = AesGcmKeyWrap.Unwrap(key, envelope.WrappedKey, DataKeys.Size, AssociatedData, e => new IntegrityException(WrongPassphrase, e));
        return Task.FromResult(dataKey);
    }

    /// <summary>Derivation is deliberately slow, so each parameter set is derived once per instance, even under concurrency.</summary>
    private byte[] DeriveCached(KdfParameters parameters) =>
        _derivedKeys.GetOrAdd(parameters, p => new Lazy<byte[]>(() => Derive(p))).Value;

    private byte[] Derive(KdfParameters parameters)
    {
        var salt = Convert.FromBase64String(parameters.Salt);
        return parameters.Algorithm == Pbkdf2Sha256
            ? Rfc2898DeriveBytes.Pbkdf2(_passphrase, salt, parameters.Iterations!.Value, HashAlgorithmName.SHA256, KeySize)
            : SCrypt.Generate(_passphrase, salt, parameters.CostN!.Value, parameters.BlockSizeR!.Value, parameters.ParallelismP!.Value, KeySize);
    }

    private static void CheckParameters(KdfParameters parameters)
    {
        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(parameters.Salt ?? "");
        }
        catch (FormatException e)
        {
            throw new IntegrityException("The passphrase KDF salt is not base64.", e);
        }
        if (salt.Length is < MinimumSaltSize or > MaximumSaltSize)
            throw new IntegrityException($"The passphrase KDF salt is {salt.Length} bytes; {MinimumSaltSize}–{MaximumSaltSize} are accepted.");

        switch (parameters.Algorithm)
        {
            case Pbkdf2Sha256:
                if (parameters.Iterations is not { } iterations || iterations < MinimumIterations)
                    throw new IntegrityException(
                        $"The envelope asks for {parameters.Iterations?.ToString() ?? "no"} PBKDF2 iterations; at least {MinimumIterations:N0} are required (a downgraded envelope is refused).");
                if (iterations > MaximumIterations)
                    throw new IntegrityException($"The envelope asks for {iterations} PBKDF2 iterations; more than {MaximumIterations:N0} are refused.");
                break;
            case Scrypt:
                if (parameters.CostN is not { } n || n < MinimumCostN || (n & (n - 1)) != 0)
                    throw new IntegrityException(
                        $"The envelope asks for scrypt N = {parameters.CostN?.ToString() ?? "none"}; a power of two ≥ 2^15 is required (a downgraded envelope is refused).");
                if (parameters.BlockSizeR is not { } r || r < 1 || parameters.ParallelismP is not { } p || p is < 1 or > 16)
                    throw new IntegrityException("The envelope's scrypt r and p are missing or out of range (r ≥ 1, p 1–16).");
                if (128L * n * r > MaximumScryptMemory)
                    throw new IntegrityException($"The envelope's scrypt parameters (N = {n}, r = {r}) need more than {MaximumScryptMemory / (1024 * 1024)} MiB; refused.");
                break;
            default:
                throw new IntegrityException($"Unknown passphrase KDF '{parameters.Algorithm}' in the key envelope.");
        }
    }
}
