using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Reads <see cref="StorageInput"/> from an object or an array. Errors inside keep their place: the nested read's
/// path (<c>$[1].type</c>) is put under <c>$.storage</c>, so the API names <c>storage[1].type</c>.
/// </summary>
public sealed class StorageInputJsonConverter : JsonConverter<StorageInput>
{
    public override StorageInput? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return reader.TokenType switch
            {
                JsonTokenType.StartObject => new StorageInput([JsonSerializer.Deserialize<StorageEntryInput>(ref reader, options)!], IsList: false),
                JsonTokenType.StartArray => new StorageInput(
                    [.. JsonSerializer.Deserialize<List<StorageEntryInput?>>(ref reader, options)!.Select(e => e ?? throw new JsonException("null entry"))],
                    IsList: true),
                _ => throw new JsonException("storage must be an object or an array of destinations."),
            };
        }
        catch (JsonException e) when (e.Path is { Length: > 0 } path && path[0] == '$')
        {
            throw new JsonException(e.Message, "$.storage" + path[1..], e.LineNumber, e.BytePositionInLine, e.InnerException);
        }
    }

    public override void Write(Utf8JsonWriter writer, StorageInput value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.IsList)
            JsonSerializer.Serialize(writer, value.Entries, options);
        else
            JsonSerializer.Serialize(writer, value.Entries[0], options);
    }
}
