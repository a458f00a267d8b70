using System.Text.Json;
using System.Text.Json.Serialization;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Retention;

/// <summary>Reads and writes <see cref="RetentionPolicy.KeepWithin"/> as its <see cref="RetentionDuration"/> text (<c>"30d"</c>).</summary>
public sealed class RetentionDurationJsonConverter : JsonConverter<TimeSpan?>
{
    public override bool HandleNull => true;

    public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.String)
            throw new ConfigValueException($"keepWithin must be a string: {RetentionDuration.FormatHelp}.");
        var text = reader.GetString();
        return RetentionDuration.TryParse(text, out var value)
            ? value
            : throw new ConfigValueException($"'{text}' is not {RetentionDuration.FormatHelp}.");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } span)
            writer.WriteStringValue(RetentionDuration.Format(span < TimeSpan.Zero ? TimeSpan.Zero : span));
        else
            writer.WriteNullValue();
    }
}
