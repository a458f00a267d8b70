using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Secrets;

/// <summary>Reads a secret as a JSON string (the value) or as <c>{"setting": "BackupSecrets__NAME"}</c>; writes only references.</summary>
public sealed class SecretValueJsonConverter : JsonConverter<SecretValue>
{
    public override SecretValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return new SecretValue { Value = reader.GetString() };
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("A secret is a string, or {\"setting\": \"BackupSecrets__NAME\"} naming the app setting that holds it.");

        string? setting = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName || !string.Equals(reader.GetString(), "setting", StringComparison.OrdinalIgnoreCase))
                throw new JsonException("A secret reference has one property, \"setting\", naming the app setting that holds it.");
            reader.Read();
            setting = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("\"setting\" must be a string.");
        }
        return string.IsNullOrWhiteSpace(setting)
            ? throw new JsonException("A secret reference needs \"setting\": the name of the app setting (BackupSecrets__NAME) that holds the secret.")
            : new SecretValue { Setting = setting };
    }

    /// <remarks>A value is never written: this converter must not be the way a secret leaks into a response or a log.</remarks>
    public override void Write(Utf8JsonWriter writer, SecretValue value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        if (value.Setting is not null)
            writer.WriteString("setting", value.Setting);
        writer.WriteEndObject();
    }
}
