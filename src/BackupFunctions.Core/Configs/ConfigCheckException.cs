namespace BackupFunctions.Core.Configs;

/// <summary>A check of <see cref="BackupConfigTester"/> failed for a reason it can name (its kind and an actionable message).</summary>
public sealed class ConfigCheckException : Exception
{
    public ConfigCheckException() : this("config", "The check failed.") { }
    public ConfigCheckException(string message) : this("config", message) { }
    public ConfigCheckException(string message, Exception innerException) : base(message, innerException) => Kind = "config";

    public ConfigCheckException(string kind, string message) : base(message) => Kind = kind;

    public string Kind { get; }
}
