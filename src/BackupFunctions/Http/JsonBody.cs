using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace BackupFunctions.Http;

/// <summary>
/// Reads a request body into a record, turning every JSON problem — syntax, wrong type, unknown or
/// missing field — into field-named errors for a 400 answer.
/// </summary>
public static partial class JsonBody
{
    /// <summary>Hard cap for request bodies: configs are small, and an endless body must not exhaust memory.</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly string[] RequiredMessage = ["The field is required."];

    public static Task<(T? Value, IReadOnlyDictionary<string, string[]>? Errors)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
        => ReadAsync<T>(request, empty: null, cancellationToken);

    /// <summary>As <see cref="ReadAsync{T}(HttpRequest, CancellationToken)"/>, for an optional body: an empty one gives <paramref name="empty"/>.</summary>
    public static async Task<(T? Value, IReadOnlyDictionary<string, string[]>? Errors)> ReadAsync<T>(HttpRequest request, T? empty, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is > MaxBytes)
            return (null, Error("body", $"The body is larger than {MaxBytes} bytes."));
        if (request.ContentType is { } type && !type.Contains("json", StringComparison.OrdinalIgnoreCase))
            return (null, Error("body", "The body must be JSON (Content-Type: application/json)."));

        using var buffer = new MemoryStream();
        await CopyLimitedAsync(request.Body, buffer, cancellationToken);
        if (buffer.Length > MaxBytes)
            return (null, Error("body", $"The body is larger than {MaxBytes} bytes."));
        if (buffer.Length == 0)
            return empty is not null ? (empty, null) : (null, Error("body", "The body is empty; a JSON object is required."));
        buffer.Position = 0;

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(buffer, ApiJson.Options, cancellationToken);
            return value is null ? (null, Error("body", "A JSON object is required, not null.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Describe(e));
        }
    }

    private static async Task CopyLimitedAsync(Stream source, MemoryStream target, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            target.Write(chunk, 0, read);
            if (target.Length > MaxBytes)
                return;
        }
    }

    private static Dictionary<string, string[]> Describe(JsonException e)
    {
        var field = FieldName(e.Path);
        var message = e.Message;

        var missing = MissingProperties().Match(message);
        if (missing.Success)
        {
            var prefix = field == "body" ? "" : field + ".";
            return Quoted().Matches(missing.Groups[1].Value)
                .ToDictionary(m => prefix + m.Groups[1].Value, _ => RequiredMessage);
        }

        var unknown = UnmappedProperty().Match(message);
        if (unknown.Success)
        {
            var parent = field == "body" ? "" : field;
            var name = unknown.Groups[1].Value;
            var path = parent.EndsWith(name, StringComparison.Ordinal) || parent.Length == 0 ? (parent.Length == 0 ? name : parent) : parent + "." + name;
            return Error(path, "The field is not known.");
        }

        // A converter of the engine that says what form it accepts (a retention duration): its words, not ours.
        if (e is Core.Configs.ConfigValueException)
            return Error(field, message);
        if (message.Contains("null", StringComparison.OrdinalIgnoreCase) && message.Contains("non-nullable", StringComparison.OrdinalIgnoreCase))
            return Error(field, "The field must not be null.");
        if (e.InnerException is null && e.LineNumber is not null && e.Path is null or "$")
            return Error("body", "The body is not valid JSON.");
        return Error(field, e.Path is null ? "The body is not valid JSON." : "The value has the wrong type or format.");
    }

    private static string FieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
            return "body";
        var name = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return name.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
    }

    private static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };

    [GeneratedRegex("missing required properties including: (.*)\\.?$", RegexOptions.Singleline)]
    private static partial Regex MissingProperties();

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex Quoted();

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();
}
