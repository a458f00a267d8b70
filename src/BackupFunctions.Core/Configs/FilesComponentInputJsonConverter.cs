using System.Text.Json;
using System.Text.Json.Serialization;
using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Reads a <see cref="FilesComponentInput"/> from a string (the name) or an object with <c>name</c> and <c>source</c>;
/// writes a string when the component has no source of its own, so answers keep today's shape for today's configs.
/// </summary>
public sealed class FilesComponentInputJsonConverter : JsonConverter<FilesComponentInput>
{
    public override FilesComponentInput? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new FilesComponentInput { Name = reader.GetString()! };
            case JsonTokenType.StartObject:
                var item = JsonSerializer.Deserialize<Item>(ref reader, options)!;
                return new FilesComponentInput { Name = item.Name ?? throw new JsonException("A component object needs name."), Source = item.Source };
            default:
                throw new JsonException("A component is a folder name or {\"name\": \"…\", \"source\": {…}}.");
        }
    }

    public override void Write(Utf8JsonWriter writer, FilesComponentInput value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Source is null)
            writer.WriteStringValue(value.Name);
        else
            JsonSerializer.Serialize(writer, new Item { Name = value.Name, Source = value.Source }, options);
    }

    /// <summary>The object form; unknown members are refused by the API's reader like everywhere else.</summary>
    internal sealed record Item
    {
        public string? Name { get; init; }
        public SiteSourceSettings? Source { get; init; }
    }
}
