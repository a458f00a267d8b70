using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Reads <c>schedule.dayOfWeek</c> as the seed writes it, a number 0–6 with Sunday = 0 (JavaScript's
/// <c>Date.getDay()</c>), or as a day's name in any case; gives the lowercase name the schedule stores.
/// </summary>
public sealed class DayOfWeekJsonConverter : JsonConverter<string?>
{
    /// <summary>Index = the seed's number.</summary>
    private static readonly string[] BySeedNumber = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private const string Help = "dayOfWeek is a number 0–6 (Sunday = 0, Monday = 1 … Saturday = 6) or a day's name (monday … sunday).";

    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                return reader.TryGetInt32(out var number) && number is >= 0 and <= 6
                    ? BySeedNumber[number]
                    : throw new ConfigValueException(Help);
            case JsonTokenType.String:
                return Parse(reader.GetString()) ?? throw new ConfigValueException(Help);
            default:
                throw new ConfigValueException(Help);
        }
    }

    /// <summary>The lowercase name for a name (any case) or a number 0–6 written as text; null when it is neither.</summary>
    public static string? Parse(string? text)
    {
        if (text is null)
            return null;
        var word = text.Trim().ToLowerInvariant();
        if (word.Length == 1 && word[0] is >= '0' and <= '6')
            return BySeedNumber[word[0] - '0'];
        return Array.IndexOf(BySeedNumber, word) >= 0 ? word : null;
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is null)
            writer.WriteNullValue();
        else
            writer.WriteStringValue(value);
    }
}
