using System.Text.Json;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// A config value has the right JSON type but not an accepted form (a duration that does not parse). Its message says
/// what is accepted, so the API shows it as the field's error instead of a generic "wrong format".
/// </summary>
public sealed class ConfigValueException : JsonException
{
    public ConfigValueException() { }
    public ConfigValueException(string message) : base(message) { }
    public ConfigValueException(string message, Exception innerException) : base(message, innerException) { }
}
