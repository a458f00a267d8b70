namespace BackupFunctions.Core.Sources;

/// <summary>The words of <see cref="PostgresSslMode"/> as configs, backupctl and libpq's <c>PGSSLMODE</c> spell them.</summary>
public static class PostgresSslModes
{
    public const string Disable = "disable";
    public const string Require = "require";
    public const string VerifyFull = "verify-full";

    /// <summary>Every word a config may give, for messages.</summary>
    public static IReadOnlyList<string> Names { get; } = [Disable, Require, VerifyFull];

    /// <summary>Exact, lowercase words only: a config that says something else is refused, never guessed at.</summary>
    public static bool TryParse(string? word, out PostgresSslMode mode)
    {
        switch (word)
        {
            case VerifyFull:
                mode = PostgresSslMode.VerifyFull;
                return true;
            case Require:
                mode = PostgresSslMode.Require;
                return true;
            case Disable:
                mode = PostgresSslMode.Disable;
                return true;
            default:
                mode = default;
                return false;
        }
    }

    /// <summary>The word, which is also libpq's <c>sslmode</c> value.</summary>
    public static string Word(PostgresSslMode mode) => mode switch
    {
        PostgresSslMode.VerifyFull => VerifyFull,
        PostgresSslMode.Require => Require,
        PostgresSslMode.Disable => Disable,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
