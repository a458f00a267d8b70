using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace BackupFunctions.Tests.Deployment;

/// <summary>
/// Evaluates what <c>bicep snapshot</c> leaves unevaluated in a template: ARM expressions (<c>[...]</c>) whose value
/// only Azure knows at deployment time, i.e. those that read a deployed resource with <c>reference()</c>. Everything
/// else the snapshot has already evaluated with Microsoft's deployment engine.
/// </summary>
/// <remarks>
/// Deliberately small and strict: only the functions such leftovers use (reference, format, concat, guid,
/// extensionResourceId), and a <c>reference()</c> is answered by <see cref="AzurePlaceholders"/>, which knows a few
/// runtime properties per resource type. Any other function, property or syntax throws
/// <see cref="UnresolvedExpressionException"/>: a setting the test cannot resolve fails the test, never passes it.
/// </remarks>
internal sealed class ArmExpression
{
    private readonly string _text;
    private readonly AzurePlaceholders _placeholders;
    private int _position;

    private ArmExpression(string text, AzurePlaceholders placeholders)
    {
        _text = text;
        _placeholders = placeholders;
    }

    /// <summary>
    /// A template string value as Azure would deploy it: <c>[expr]</c> evaluated, <c>[[…</c> unescaped to <c>[…</c>,
    /// anything else as is.
    /// </summary>
    public static JsonNode? ResolveValue(JsonNode? value, AzurePlaceholders placeholders)
    {
        if (value is not JsonValue scalar || !scalar.TryGetValue<string>(out var text))
            return value?.DeepClone();
        if (text.StartsWith("[[", StringComparison.Ordinal))
            return JsonValue.Create(text[1..]);
        if (!(text.StartsWith('[') && text.EndsWith(']')))
            return JsonValue.Create(text);
        return Evaluate(text[1..^1], placeholders);
    }

    /// <summary>A string value that must resolve to a string.</summary>
    public static string ResolveString(JsonNode? value, AzurePlaceholders placeholders, string what)
        => ResolveValue(value, placeholders) is JsonValue result && result.TryGetValue<string>(out var text)
            ? text
            : throw new UnresolvedExpressionException($"{what}: '{value}' does not resolve to a string.");

    /// <summary>Evaluates an expression without its brackets.</summary>
    public static JsonNode? Evaluate(string expression, AzurePlaceholders placeholders)
    {
        var parser = new ArmExpression(expression, placeholders);
        var value = parser.ParseExpression();
        parser.SkipSpaces();
        if (parser._position != expression.Length)
            throw parser.Unexpected("the end of the expression");
        return value;
    }

    private JsonNode? ParseExpression()
    {
        SkipSpaces();
        JsonNode? value;
        if (Peek() == '\'')
            value = JsonValue.Create(ParseString());
        else if (Peek() is '-' or (>= '0' and <= '9'))
            value = JsonValue.Create(ParseInteger());
        else
        {
            var name = ParseIdentifier();
            Expect('(');
            var arguments = new List<JsonNode?>();
            SkipSpaces();
            if (Peek() != ')')
            {
                do
                    arguments.Add(ParseExpression());
                while (TryTake(','));
            }
            Expect(')');
            value = Call(name, arguments);
        }

        while (true)
        {
            SkipSpaces();
            if (TryTake('.'))
                value = Member(value, ParseIdentifier());
            else if (TryTake('['))
            {
                var index = ParseExpression();
                Expect(']');
                value = index is JsonValue key && key.TryGetValue<string>(out var property)
                    ? Member(value, property)
                    : throw new UnresolvedExpressionException($"Index [{index}] in '{_text}': only property names are supported.");
            }
            else
                return value;
        }
    }

    private JsonNode? Call(string name, List<JsonNode?> arguments)
    {
        switch (name.ToLowerInvariant())
        {
            case "reference":
                if (arguments.Count is < 2 or > 3 || arguments.Skip(2).Any(a => Text(a) != "full"))
                    throw new UnresolvedExpressionException($"reference() with arguments [{string.Join(", ", arguments)}] in '{_text}'.");
                return _placeholders.Reference(Text(arguments[0]), full: arguments.Count == 3);
            case "format":
                if (arguments.Count == 0)
                    throw new UnresolvedExpressionException($"format() without arguments in '{_text}'.");
                return JsonValue.Create(string.Format(CultureInfo.InvariantCulture, Text(arguments[0]), [.. arguments.Skip(1).Select(Text)]));
            case "concat":
                // ARM's concat joins strings, or arrays when given arrays.
                return arguments.Count > 0 && arguments.All(a => a is JsonArray)
                    ? new JsonArray([.. arguments.SelectMany(a => a!.AsArray()).Select(item => item?.DeepClone())])
                    : JsonValue.Create(string.Concat(arguments.Select(Text)));
            case "createarray":
                return new JsonArray([.. arguments.Select(a => a?.DeepClone())]);
            case "join":
                if (arguments.Count != 2 || arguments[0] is not JsonArray items)
                    throw new UnresolvedExpressionException($"join() needs an array and a separator, in '{_text}'.");
                return JsonValue.Create(string.Join(Text(arguments[1]), items.Select(Text)));
            case "guid":
                // ARM's guid() is a deterministic hash of its arguments; any deterministic GUID stands in for it.
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", arguments.Select(Text))));
                return JsonValue.Create(new Guid(hash.AsSpan(0, 16)).ToString());
            case "extensionresourceid":
                if (arguments.Count < 3)
                    throw new UnresolvedExpressionException($"extensionResourceId() needs a scope, a type and a name, in '{_text}'.");
                var segments = Text(arguments[1]).Split('/');
                var names = arguments.Skip(2).Select(Text).ToList();
                if (segments.Length != names.Count + 1)
                    throw new UnresolvedExpressionException($"extensionResourceId() type and names do not match in '{_text}'.");
                var id = new StringBuilder(Text(arguments[0])).Append("/providers/").Append(segments[0]);
                for (var i = 0; i < names.Count; i++)
                    id.Append('/').Append(segments[i + 1]).Append('/').Append(names[i]);
                return JsonValue.Create(id.ToString());
            default:
                throw new UnresolvedExpressionException(
                    $"Function {name}() in '{_text}' is not one the test resolves: the snapshot should have evaluated it, or it needs a placeholder.");
        }
    }

    private JsonNode? Member(JsonNode? value, string property)
        => value is JsonObject obj && obj.TryGetPropertyValue(property, out var member)
            ? member
            : throw new UnresolvedExpressionException(
                $"Property '{property}' in '{_text}' has no placeholder value (only what Azure returns for the resource types in {nameof(AzurePlaceholders)}).");

    private string Text(JsonNode? value)
        => value is JsonValue scalar && scalar.TryGetValue<string>(out var text)
            ? text
            : throw new UnresolvedExpressionException($"Expected a string, got '{value?.ToJsonString() ?? "null"}' in '{_text}'.");

    private string ParseString()
    {
        Expect('\'');
        var text = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
                throw Unexpected("a closing quote");
            var c = _text[_position++];
            if (c != '\'')
                text.Append(c);
            else if (Peek() == '\'')
            {
                text.Append('\'');
                _position++;
            }
            else
                return text.ToString();
        }
    }

    private long ParseInteger()
    {
        var start = _position;
        if (Peek() == '-')
            _position++;
        while (Peek() is >= '0' and <= '9')
            _position++;
        return long.Parse(_text.AsSpan(start, _position - start), CultureInfo.InvariantCulture);
    }

    private string ParseIdentifier()
    {
        SkipSpaces();
        var start = _position;
        while (Peek() is { } c && (char.IsAsciiLetterOrDigit(c) || c == '_'))
            _position++;
        return _position > start ? _text[start.._position] : throw Unexpected("a name");
    }

    private void Expect(char c)
    {
        if (!TryTake(c))
            throw Unexpected($"'{c}'");
    }

    private bool TryTake(char c)
    {
        SkipSpaces();
        if (Peek() != c)
            return false;
        _position++;
        return true;
    }

    private void SkipSpaces()
    {
        while (Peek() == ' ')
            _position++;
    }

    private char? Peek() => _position < _text.Length ? _text[_position] : null;

    private UnresolvedExpressionException Unexpected(string expected)
        => new($"Expected {expected} at {_position} of '{_text}'.");
}
